/**
 * Versioned schema migrations of the PostgreSQL store, recorded in `schema_migrations` of
 * the store's schema. They mirror the SQLite migrations table for table, with these
 * differences: JSON values are `json` (validated, but kept as written: key order and
 * `\u0000` escapes survive, which `jsonb` would lose), text that is sorted or compared
 * uses the "C" collation (byte order, as SQLite compares), and a workflow version keeps a
 * hash of its canonical document so that "unchanged" is decided inside the statement.
 */
import type pg from "pg";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { pgMessage, sqlState } from "./postgres-errors.js";
import { quoteIdent } from "./postgres-connection.js";

/** One schema change; `id`s are consecutive integers from 1 and never reused. */
export interface PgMigration {
  id: number;
  name: string;
  sql: string;
}

/** Every migration, oldest first. Append only: never edit one that has been released. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    id: 1,
    name: "initial schema",
    sql: `
      CREATE TABLE workflows (
        name          TEXT COLLATE "C" NOT NULL,
        version       INTEGER          NOT NULL,
        document      JSON             NOT NULL,
        document_hash TEXT             NOT NULL,
        source        TEXT,
        created_at    TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (name, version)
      );

      CREATE TABLE runs (
        id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
        workflow     TEXT COLLATE "C" NOT NULL,
        version      INTEGER          NOT NULL,
        state        TEXT             NOT NULL,
        params       JSON             NOT NULL,
        logical_date TEXT COLLATE "C" NOT NULL,
        trigger      TEXT             NOT NULL,
        created_at   TEXT COLLATE "C" NOT NULL,
        started_at   TEXT,
        ended_at     TEXT
      );
      CREATE INDEX runs_workflow_created_at ON runs (workflow, created_at, id);
      CREATE INDEX runs_created_at ON runs (created_at, id);
      CREATE INDEX runs_state ON runs (state);

      CREATE TABLE task_states (
        run_id     TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        task_id    TEXT COLLATE "C" NOT NULL,
        state      TEXT             NOT NULL,
        attempts   INTEGER          NOT NULL,
        outputs    JSON             NOT NULL,
        started_at TEXT,
        ended_at   TEXT,
        error      JSON,
        retry_at   TEXT,
        PRIMARY KEY (run_id, task_id)
      );

      CREATE TABLE attempts (
        run_id     TEXT COLLATE "C" NOT NULL,
        task_id    TEXT COLLATE "C" NOT NULL,
        attempt    INTEGER          NOT NULL,
        state      TEXT             NOT NULL,
        pid        INTEGER,
        exit_code  INTEGER,
        started_at TEXT,
        ended_at   TEXT,
        error      JSON,
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
        name       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
        paused     INTEGER          NOT NULL,
        updated_at TEXT COLLATE "C" NOT NULL,
        deleted_at TEXT COLLATE "C"
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

/**
 * Brings the schema up to date in one transaction; returns the ids of the migrations it
 * applied. A transaction-scoped advisory lock (per schema) makes a second server that
 * starts at the same time wait, then find the work done and apply nothing.
 */
export async function migratePostgres(
  client: pg.ClientBase,
  schema: string,
  location: string,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
): Promise<number[]> {
  const q = quoteIdent(schema);
  const latest = migrations.at(-1)?.id ?? 0;
  let current = 0;
  let step = "taking the migration lock";
  await client.query("BEGIN");
  try {
    await client.query(
      "SELECT pg_advisory_xact_lock(hashtext('updraft migrations'), hashtext($1))",
      [schema],
    );
    step = `creating the schema ${schema}`;
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${q}`);
    await client.query(`SET LOCAL search_path TO ${q}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id         INTEGER NOT NULL PRIMARY KEY,
      name       TEXT    NOT NULL,
      applied_at TEXT    NOT NULL
    )`);
    const row = await client.query<{ v: number | null }>(
      "SELECT MAX(id) AS v FROM schema_migrations",
    );
    current = row.rows[0]?.v ?? 0;
    if (current > latest)
      // Old code on a newer schema could silently corrupt data it does not know about.
      throw new UpdraftError(
        ErrorCodes.STORE,
        `The database at ${location} has schema version ${current}, but this build of ` +
          `Updraft only knows versions up to ${latest}. It was written by a newer Updraft: ` +
          `upgrade Updraft, or use another database or schema.`,
      );
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.id <= current) continue;
      step = `applying migration ${m.id} (${m.name})`;
      await client.query(m.sql);
      await client.query(
        "INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)",
        [m.id, m.name, new Date().toISOString()],
      );
      applied.push(m.id);
    }
    await client.query("COMMIT");
    return applied;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    if (err instanceof UpdraftError) throw err;
    const advice =
      sqlState(err) === "42501"
        ? `The user lacks a privilege this needs: grant it CREATE on the database (for a new ` +
          `schema) or on the schema, or name a schema the user owns with ?schema=NAME.`
        : `Fix the cause (privileges, disk space, a table of another program in the schema: ` +
          `then choose another schema with ?schema=NAME) and start again.`;
    throw new UpdraftError(
      ErrorCodes.STORE,
      `Migrating the database at ${location} failed while ${step}: ${pgMessage(err)}. The ` +
        `database was left at schema version ${current}. ${advice}`,
      { cause: err },
    );
  }
}

/** The highest migration id recorded in the schema (0 when it has none). */
export async function currentPgSchemaVersion(
  client: pg.ClientBase,
  schema: string,
): Promise<number> {
  const exists = await client.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [
    `${quoteIdent(schema)}.schema_migrations`,
  ]);
  if (exists.rows[0]?.t == null) return 0;
  const row = await client.query<{ v: number | null }>(
    `SELECT MAX(id) AS v FROM ${quoteIdent(schema)}.schema_migrations`,
  );
  return row.rows[0]?.v ?? 0;
}
