/**
 * Versioned schema migrations of the SQLite store. Each migration runs once, in its own
 * transaction, and is recorded in `schema_migrations`. The SQL sticks to types and syntax
 * PostgreSQL also accepts (TEXT, INTEGER, composite primary keys, ON CONFLICT) so the
 * PostgreSQL store can mirror the schema one to one.
 */
import type Database from "better-sqlite3";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** One schema change; `id`s are consecutive integers from 1 and never reused. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** Every migration, oldest first. Append only: never edit one that has been released. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "initial schema",
    sql: `
      CREATE TABLE workflows (
        name       TEXT    NOT NULL,
        version    INTEGER NOT NULL,
        document   TEXT    NOT NULL,
        source     TEXT,
        created_at TEXT    NOT NULL,
        PRIMARY KEY (name, version)
      );

      CREATE TABLE runs (
        id           TEXT    NOT NULL PRIMARY KEY,
        workflow     TEXT    NOT NULL,
        version      INTEGER NOT NULL,
        state        TEXT    NOT NULL,
        params       TEXT    NOT NULL,
        logical_date TEXT    NOT NULL,
        trigger      TEXT    NOT NULL,
        created_at   TEXT    NOT NULL,
        started_at   TEXT,
        ended_at     TEXT
      );
      CREATE INDEX runs_workflow_created_at ON runs (workflow, created_at);
      CREATE INDEX runs_state ON runs (state);

      CREATE TABLE task_states (
        run_id     TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        task_id    TEXT    NOT NULL,
        state      TEXT    NOT NULL,
        attempts   INTEGER NOT NULL,
        outputs    TEXT    NOT NULL,
        started_at TEXT,
        ended_at   TEXT,
        error      TEXT,
        retry_at   TEXT,
        PRIMARY KEY (run_id, task_id)
      );

      CREATE TABLE attempts (
        run_id     TEXT    NOT NULL,
        task_id    TEXT    NOT NULL,
        attempt    INTEGER NOT NULL,
        state      TEXT    NOT NULL,
        pid        INTEGER,
        exit_code  INTEGER,
        started_at TEXT,
        ended_at   TEXT,
        error      TEXT,
        log_path   TEXT,
        PRIMARY KEY (run_id, task_id, attempt),
        FOREIGN KEY (run_id, task_id) REFERENCES task_states (run_id, task_id) ON DELETE CASCADE
      );
    `,
  },
  {
    id: 2,
    name: "workflow states and scheduled-run lookup",
    sql: `
      CREATE TABLE workflow_states (
        name       TEXT    NOT NULL PRIMARY KEY,
        paused     INTEGER NOT NULL,
        updated_at TEXT    NOT NULL,
        deleted_at TEXT
      );
      CREATE INDEX runs_workflow_trigger_logical ON runs (workflow, trigger, logical_date);
    `,
  },
  {
    id: 3,
    name: "workflow version author and workflow owner",
    sql: `
      ALTER TABLE workflows ADD COLUMN created_by TEXT;
      ALTER TABLE workflow_states ADD COLUMN owner_id TEXT;
    `,
  },
];

/** The schema version this build writes: the id of the last migration. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.at(-1)?.id ?? 0;

/** Brings the database up to date; returns the ids of the migrations it applied. */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id         INTEGER NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at TEXT    NOT NULL
  )`);
  const latest = migrations.at(-1)?.id ?? 0;
  const current = currentSchemaVersion(db);
  if (current > latest) {
    // Running old code on a newer schema could silently corrupt data it does not know about.
    throw new UpdraftError(
      ErrorCodes.STORE,
      `The database ${describe(db)} has schema version ${current}, but this build of Updraft only ` +
        `knows versions up to ${latest}. It was written by a newer Updraft: upgrade Updraft, or ` +
        `point it at another data directory.`,
    );
  }
  const isApplied = db.prepare<[number], { one: number }>(
    "SELECT 1 AS one FROM schema_migrations WHERE id = ?",
  );
  const record = db.prepare<[number, string, string]>(
    "INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)",
  );
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.id <= current) continue;
    // IMMEDIATE takes the write lock first, so two processes opening the same new file
    // cannot both apply a migration; the re-check inside makes the loser skip it.
    const apply = db.transaction(() => {
      if (isApplied.get(m.id) !== undefined) return false;
      db.exec(m.sql);
      record.run(m.id, m.name, new Date().toISOString());
      return true;
    });
    try {
      if (apply.immediate()) applied.push(m.id);
    } catch (err) {
      throw new UpdraftError(
        ErrorCodes.STORE,
        `Migration ${m.id} (${m.name}) of the database ${describe(db)} failed: ` +
          `${err instanceof Error ? err.message : String(err)}. The database was left at ` +
          `schema version ${current}; fix the cause (disk space, permissions) and start again.`,
        { cause: err },
      );
    }
  }
  return applied;
}

/** The highest migration id recorded in the database (0 for a new one). */
export function currentSchemaVersion(db: Database.Database): number {
  const row = db
    .prepare<[], { v: number | null }>("SELECT MAX(id) AS v FROM schema_migrations")
    .get();
  return row?.v ?? 0;
}

function describe(db: Database.Database): string {
  return db.memory ? "(in memory)" : `at ${db.name}`;
}
