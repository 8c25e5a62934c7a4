import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  currentSchemaVersion,
  migrate,
  type Migration,
} from "./migrations.js";

describe("migrate", () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(":memory:");
  });
  afterEach(() => {
    db.close();
  });

  const tables = () =>
    db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
      )
      .all()
      .map((r) => r.name);

  it("creates the schema on an empty database, once", () => {
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(currentSchemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(tables()).toEqual([
      "attempts",
      "runs",
      "schema_migrations",
      "task_states",
      "workflow_states",
      "workflows",
    ]);
    const recorded = db.prepare("SELECT id, name FROM schema_migrations").all();
    expect(recorded).toEqual(MIGRATIONS.map((m) => ({ id: m.id, name: m.name })));
    expect(migrate(db)).toEqual([]);
  });

  it("keeps migration ids consecutive from 1", () => {
    expect(MIGRATIONS.map((m) => m.id)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it("applies only the migrations added since the last run, in order", () => {
    const list: Migration[] = [
      { id: 1, name: "one", sql: "CREATE TABLE a (x INTEGER)" },
      { id: 2, name: "two", sql: "ALTER TABLE a ADD COLUMN y TEXT" },
    ];
    expect(migrate(db, list.slice(0, 1))).toEqual([1]);
    expect(migrate(db, list)).toEqual([2]);
    expect(db.prepare("SELECT y FROM a").all()).toEqual([]);
  });

  it("upgrades a database at migration 2 with rows to 3, keeping every row", () => {
    expect(migrate(db, MIGRATIONS.slice(0, 2))).toEqual([1, 2]);
    db.prepare(
      "INSERT INTO workflows (name, version, document, source, created_at) VALUES (?, ?, ?, ?, ?)",
    ).run("wf", 1, '{"a":1}', "wf.yaml", "2024-01-01T00:00:00.000Z");
    db.prepare(
      "INSERT INTO workflow_states (name, paused, updated_at, deleted_at) VALUES (?, ?, ?, ?)",
    ).run("wf", 0, "2024-01-02T00:00:00.000Z", null);
    db.prepare(
      `INSERT INTO runs (id, workflow, version, state, params, logical_date, trigger, created_at)
       VALUES ('r1', 'wf', 1, 'succeeded', '{}', 'x', 'manual', 'y')`,
    ).run();
    expect(migrate(db)).toEqual([3]);
    expect(currentSchemaVersion(db)).toBe(3);
    expect(db.prepare("SELECT * FROM workflows").all()).toEqual([
      {
        name: "wf",
        version: 1,
        document: '{"a":1}',
        source: "wf.yaml",
        created_at: "2024-01-01T00:00:00.000Z",
        created_by: null,
      },
    ]);
    expect(db.prepare("SELECT * FROM workflow_states").all()).toEqual([
      {
        name: "wf",
        paused: 0,
        updated_at: "2024-01-02T00:00:00.000Z",
        deleted_at: null,
        owner_id: null,
      },
    ]);
    expect(db.prepare("SELECT id FROM runs").all()).toEqual([{ id: "r1" }]);
  });

  it("rolls back a failing migration and reports it with E_STORE", () => {
    const list: Migration[] = [
      { id: 1, name: "one", sql: "CREATE TABLE a (x INTEGER)" },
      { id: 2, name: "broken", sql: "CREATE TABLE b (x INTEGER); SELECT * FROM missing" },
    ];
    expect(() => migrate(db, list)).toThrow(
      expect.objectContaining({
        code: "E_STORE",
        message: expect.stringMatching(/Migration 2 \(broken\).*no such table: missing/) as string,
      }) as Error,
    );
    expect(currentSchemaVersion(db)).toBe(1);
    expect(tables()).not.toContain("b");
  });

  it("refuses a database with a newer schema", () => {
    migrate(db);
    db.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)").run(
      LATEST_SCHEMA_VERSION + 1,
      "future",
      "2099-01-01T00:00:00.000Z",
    );
    expect(() => migrate(db)).toThrow(
      expect.objectContaining({
        code: "E_STORE",
        message: expect.stringContaining("upgrade Updraft") as string,
      }) as Error,
    );
  });

  it("enforces foreign keys from attempts to tasks to runs", () => {
    migrate(db);
    db.pragma("foreign_keys = ON");
    expect(() =>
      db
        .prepare(
          "INSERT INTO attempts (run_id, task_id, attempt, state) VALUES ('r', 't', 1, 'running')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });
});
