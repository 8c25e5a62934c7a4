import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UpdraftError } from "../spec/errors.js";
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from "./migrations.js";
import { SqliteStore } from "./sqlite-store.js";
import { describeStoreSuite, sampleRun, sampleTask } from "./store-suite.js";

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "updraft-store-"));
}

describeStoreSuite("SqliteStore (file)", async () => {
  const dir = await tempDir();
  const file = join(dir, "nested", "updraft.db");
  const store = SqliteStore.open(file);
  let reopened: SqliteStore | undefined;
  return {
    store,
    reopen: () => {
      reopened = SqliteStore.open(file);
      return Promise.resolve(reopened);
    },
    cleanup: async () => {
      await store.close();
      await reopened?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeStoreSuite("SqliteStore (:memory:)", () => {
  const store = SqliteStore.open(":memory:");
  return Promise.resolve({ store, cleanup: () => store.close() });
});

describe("SqliteStore on disk", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates the parent directory and sets the pragmas", async () => {
    const file = join(dir, "a", "b", "updraft.db");
    const store = SqliteStore.open(file);
    expect(store.path).toBe(file);
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });

  it("keeps data across reopening and does not re-run migrations", async () => {
    const file = join(dir, "updraft.db");
    const first = SqliteStore.open(file);
    await first.createRun(sampleRun("r1", { params: { a: [1] } }), [sampleTask("r1", "t")]);
    await first.close();
    const before = readMigrations(file);
    expect(before.length).toBeGreaterThan(0);

    const second = SqliteStore.open(file);
    try {
      expect((await second.getRun("r1"))?.params).toEqual({ a: [1] });
    } finally {
      await second.close();
    }
    expect(readMigrations(file)).toEqual(before);
  });

  it("opens a database left at migration 2 and reads its rows with null author and owner", async () => {
    const file = join(dir, "updraft.db");
    const old = new Database(file);
    migrate(old, MIGRATIONS.slice(0, 2));
    old
      .prepare("INSERT INTO workflows (name, version, document, created_at) VALUES (?, ?, ?, ?)")
      .run("wf", 1, '{"tasks":{}}', "2024-01-01T00:00:00.000Z");
    old
      .prepare("INSERT INTO workflow_states (name, paused, updated_at) VALUES (?, ?, ?)")
      .run("wf", 1, "2024-01-02T00:00:00.000Z");
    old.close();
    const store = SqliteStore.open(file);
    try {
      expect(await store.getWorkflow("wf")).toEqual({
        name: "wf",
        version: 1,
        document: { tasks: {} },
        createdBy: null,
        createdAt: "2024-01-01T00:00:00.000Z",
      });
      expect(await store.listWorkflowStates()).toEqual([
        {
          name: "wf",
          paused: true,
          updatedAt: "2024-01-02T00:00:00.000Z",
          deletedAt: null,
          ownerId: null,
        },
      ]);
      // The new columns take writes after the upgrade.
      await store.setOwner("wf", "u1", "2024-01-03T00:00:00.000Z");
      const v2 = await store.saveWorkflow("wf", { tasks: { a: {} } }, undefined, "ann");
      expect(v2).toMatchObject({ version: 2, createdBy: "ann" });
      expect((await store.listWorkflowStates())[0]?.ownerId).toBe("u1");
    } finally {
      await store.close();
    }
    expect(readMigrations(file)).toHaveLength(LATEST_SCHEMA_VERSION);
  });

  it("refuses a database from a newer Updraft with E_STORE", async () => {
    const file = join(dir, "updraft.db");
    await SqliteStore.open(file).close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)").run(
      999,
      "from the future",
      new Date().toISOString(),
    );
    db.close();
    expect(() => SqliteStore.open(file)).toThrow(
      expect.objectContaining({
        code: "E_STORE",
        message: expect.stringMatching(/schema version 999.*newer Updraft/s) as string,
      }) as Error,
    );
  });

  it("reports a corrupt file with E_STORE and advice", async () => {
    const file = join(dir, "updraft.db");
    await writeFile(file, Buffer.from("this is not a database at all\0\x01\x02".repeat(200)));
    let error: unknown;
    try {
      SqliteStore.open(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UpdraftError);
    const e = error as UpdraftError;
    expect(e.code).toBe("E_STORE");
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/not an SQLite database or is corrupt.*move it aside/s);
    expect(e.cause).toBeInstanceOf(Error);
  });

  it("reports a directory in place of the file with E_STORE", () => {
    expect(() => SqliteStore.open(dir)).toThrow(
      expect.objectContaining({ code: "E_STORE" }) as Error,
    );
  });

  it("rejects every write of a batch when the transaction cannot start", async () => {
    const file = join(dir, "updraft.db");
    const store = SqliteStore.open(file, { busyTimeoutMs: 20 });
    await store.createRun(sampleRun("r1"), [sampleTask("r1", "a"), sampleTask("r1", "b")]);
    const other = new Database(file);
    other.exec("BEGIN IMMEDIATE"); // holds the write lock
    try {
      const results = await Promise.allSettled([
        store.updateTask("r1", "a", { state: "running" }),
        store.updateTask("r1", "b", { state: "running" }),
      ]);
      for (const r of results) {
        expect(r.status).toBe("rejected");
        if (r.status === "rejected") {
          expect(r.reason).toMatchObject({ code: "E_STORE" });
          expect((r.reason as Error).message).toMatch(/Could not write 2 changes.*locked/s);
        }
      }
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    // The store recovers once the lock is gone.
    await store.updateTask("r1", "a", { state: "running" });
    expect((await store.getRun("r1"))?.tasks.map((t) => t.state)).toEqual(["running", "pending"]);
    await store.close();
  });
});

describe("SqliteStore batching", () => {
  it("defers writes to the end of the turn, and flush() commits early", async () => {
    const store = SqliteStore.open(":memory:");
    await store.createRun(sampleRun("r1"), [sampleTask("r1", "a"), sampleTask("r1", "b")]);
    // Nothing is written until the turn ends; flush() commits early.
    const writes = [
      store.updateTask("r1", "a", { state: "queued" }),
      store.updateTask("r1", "b", { state: "queued" }),
    ];
    let settled = 0;
    for (const w of writes) void w.then(() => settled++);
    await Promise.resolve();
    expect(settled).toBe(0);
    store.flush();
    await Promise.all(writes);
    expect(settled).toBe(2);
    await store.close();
  });
});

function readMigrations(file: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT * FROM schema_migrations ORDER BY id").all();
  } finally {
    db.close();
  }
}
