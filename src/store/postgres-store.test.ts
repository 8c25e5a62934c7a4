/** The shared store suite and PostgreSQL-specific behaviour, on the real PostgreSQL service. */
import { TEST_PG_URL, pgAdmin, testSchemas } from "./test-postgres.js";
import pg from "pg";
import { beforeEach, afterEach, describe, expect, it } from "vitest";
import type { JsonObject } from "../spec/types.js";
import { WORKFLOW_LOCK_BUCKETS, workflowLockKey } from "./postgres-rows.js";
import { PostgresStore } from "./postgres-store.js";
import { SqliteStore } from "./sqlite-store.js";
import { describeStoreSuite, sampleRun, sampleTask } from "./store-suite.js";
import type { AttemptRecord, Store } from "./types.js";

const freshSchema = testSchemas("updraft_t").fresh;

describeStoreSuite("PostgresStore", async () => {
  const schema = freshSchema();
  const store = await PostgresStore.open(TEST_PG_URL, { schema });
  let reopened: PostgresStore | undefined;
  return {
    store,
    reopen: async () => {
      reopened = await PostgresStore.open(TEST_PG_URL, { schema });
      return reopened;
    },
    cleanup: async () => {
      await store.close();
      await reopened?.close();
      await pgAdmin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
  };
});

/** How many of the schema's store connections wait for a lock. */
async function waiting(schema: string): Promise<number> {
  const r = await pgAdmin((c) =>
    c.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
      [`updraft ${schema}`],
    ),
  );
  return r.rows[0]?.n ?? 0;
}

/** Waits for a condition of the server's state (not a timing assertion: it only paces the test). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the database never reached the awaited state");
}

function attempt(taskId: string, fields: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    runId: "r1",
    taskId,
    attempt: 1,
    state: "running",
    pid: null,
    exitCode: null,
    startedAt: null,
    endedAt: null,
    error: null,
    logPath: null,
    ...fields,
  };
}

describe("PostgresStore specifics", () => {
  let schema: string;
  let store: PostgresStore;
  beforeEach(async () => {
    schema = freshSchema();
    store = await PostgresStore.open(TEST_PG_URL, { schema });
  });
  afterEach(async () => {
    await store.close();
  });

  it("stores NUL and U+0001 escaped in text columns and sorts ids exactly as SQLite", async () => {
    const ids = ["a", "a\0", "a\u0001", "a\u0001\u0002", "a\u0002", "\0", "", "b\0\0c", "ä", "z"];
    const sqlite = SqliteStore.open(":memory:");
    try {
      for (const s of [store, sqlite] as Store[])
        for (const id of ids) await s.createRun(sampleRun(id), [sampleTask(id, `t${id}`)]);
      const pgOrder = (await store.listRuns()).map((r) => r.id);
      expect(pgOrder).toEqual((await sqlite.listRuns()).map((r) => r.id));
      expect(new Set(pgOrder)).toEqual(new Set(ids));
    } finally {
      await sqlite.close();
    }
    for (const id of ids) expect((await store.getRun(id))?.tasks[0]?.taskId).toBe(`t${id}`);
    const raw = await pgAdmin((c) =>
      c.query<{ id: string }>(`SELECT id FROM "${schema}".runs WHERE id LIKE 'b%'`),
    );
    expect(raw.rows).toEqual([{ id: "b\u0001\u0001\u0001\u0001c" }]);
  });

  it("refuses text with an unpaired surrogate with E_STORE instead of storing U+FFFD", async () => {
    const bad = "run \uD800 id";
    await store.createRun(sampleRun("r1"), [sampleTask("r1", "a")]);
    const refused = [
      store.createRun(sampleRun(bad), []),
      store.createRun(sampleRun("r2", { trigger: bad }), []),
      store.updateTask("r1", "a", { startedAt: bad }),
      store.updateTask("r1", bad, { state: "queued" }),
      store.putAttempt(attempt("a", { logPath: bad })),
      store.saveWorkflow(bad, {}),
      store.listRuns({ workflow: bad }),
      store.getRun(bad),
    ];
    for (const p of refused)
      await expect(p).rejects.toMatchObject({
        code: "E_STORE",
        message: expect.stringMatching(/unpaired UTF-16 surrogate \(U\+D800\)/) as string,
      });
    expect(await store.listRuns()).toHaveLength(1);
    // In JSON values the surrogate is an escape sequence, which json keeps as written.
    await store.updateTask("r1", "a", { outputs: { [bad]: bad } });
    expect((await store.getRun("r1"))?.tasks[0]?.outputs).toEqual({ [bad]: bad });
  });

  it("keeps the key order of JSON documents, params and outputs (json, not jsonb)", async () => {
    const document: JsonObject = { tasks: { zeta: {}, alpha: {}, mid: {} }, name: "wf", a: 1 };
    await store.saveWorkflow("wf", document);
    const outputs: JsonObject = { z: 1, a: { y: 2, b: 3 } };
    await store.createRun(sampleRun("r1", { params: { z: 1, a: 2 } }), [
      sampleTask("r1", "t", { outputs }),
    ]);
    const wf = await store.getWorkflow("wf");
    expect(JSON.stringify(wf?.document)).toBe(JSON.stringify(document));
    const run = await store.getRun("r1");
    expect(Object.keys(run!.params)).toEqual(["z", "a"]);
    expect(JSON.stringify(run?.tasks[0]?.outputs)).toBe(JSON.stringify(outputs));
  });

  it("saves 5,000 workflows in one turn under a bounded number of locks", async () => {
    const names = Array.from({ length: 5000 }, (_, i) => `wf-${i}`);
    const keys = new Set(names.map((n) => workflowLockKey(schema, n)));
    expect(keys.size).toBeLessThanOrEqual(WORKFLOW_LOCK_BUCKETS);
    expect(keys.has(workflowLockKey("another_schema", names[0]!))).toBe(false);
    const saved = await Promise.all(names.map((n) => store.saveWorkflow(n, { n })));
    expect(saved.every((w) => w.version === 1)).toBe(true);
    expect(await store.listWorkflows()).toHaveLength(5000);
  });

  it("answers undefined, as SQLite does, for a workflow version no INTEGER can hold", async () => {
    await store.saveWorkflow("wf", { a: 1 });
    for (const v of [1.5, 2 ** 40, -(2 ** 40), Number.NaN])
      expect(await store.getWorkflow("wf", v)).toBeUndefined();
    expect((await store.getWorkflow("wf", 1))?.version).toBe(1);
  });

  it("round-trips a 10,000-task workflow document and recognizes it unchanged", async () => {
    const tasks: JsonObject = {};
    for (let i = 0; i < 10_000; i++)
      tasks[`task_${i}`] = { type: "shell", command: `echo ${"'\"\\$".repeat(20)} ${i}` };
    const document: JsonObject = { name: "big", tasks };
    const v1 = await store.saveWorkflow("big", document);
    expect(JSON.stringify(document).length).toBeGreaterThan(1_000_000);
    expect((await store.getWorkflow("big"))?.document).toEqual(document);
    expect(await store.saveWorkflow("big", structuredClone(document))).toEqual(v1);
  });

  it("fails a write the server refuses with E_STORE, alone, and applies the others", async () => {
    await store.createRun(sampleRun("r1"), [sampleTask("r1", "a"), sampleTask("r1", "b")]);
    const results = await Promise.allSettled([
      store.updateTask("r1", "a", { state: "queued" }),
      store.updateTask("r1", "b", { attempts: 1.5 }), // not an integer
      store.createRun(sampleRun("r2", { version: 2 ** 40 }), [sampleTask("r2", "x")]),
      store.updateTask("r1", "b", { state: "running" }),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    for (const r of results.filter((x) => x.status === "rejected"))
      expect(r.reason).toMatchObject({
        code: "E_STORE",
        message: expect.stringMatching(/Nothing of it was written/) as string,
      });
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      message: expect.stringMatching(/update task b of run r1.*integer/s) as string,
    });
    const r1 = await store.getRun("r1");
    expect(r1?.tasks.map((t) => [t.state, t.attempts])).toEqual([
      ["queued", 0],
      ["running", 0],
    ]);
    expect(await store.getRun("r2")).toBeUndefined();
  });

  it("sorts out a batch in which many writes fail, keeping call order for the rest", async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(2, "0")}`);
    await store.createRun(
      sampleRun("r1"),
      ids.map((id) => sampleTask("r1", id)),
    );
    const writes: Promise<void>[] = [];
    for (const id of ids) {
      writes.push(store.putAttempt(attempt(`${id}-missing`)));
      writes.push(store.updateTask("r1", id, { state: "queued" }));
      writes.push(store.putAttempt(attempt(id, { pid: 1 })));
      writes.push(store.updateTask("r1", id, { state: "running", attempts: 1 }));
    }
    const results = await Promise.allSettled(writes);
    results.forEach((r, i) => {
      if (i % 4 === 0)
        expect(r).toMatchObject({ status: "rejected", reason: { code: "E_NOT_FOUND" } });
      else expect(r.status).toBe("fulfilled");
    });
    const run = await store.getRun("r1");
    expect(run?.tasks.every((t) => t.state === "running" && t.attempts === 1)).toBe(true);
    for (const id of ids)
      expect(await store.listAttempts("r1", id)).toEqual([attempt(id, { pid: 1 })]);
  });

  it("keeps call order across batches while one is in flight", async () => {
    await store.createRun(sampleRun("r1"), [sampleTask("r1", "a")]);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      writes.push(store.updateTask("r1", "a", { outputs: { i } }));
      // A new turn now and then, so later writes queue behind a batch on the wire.
      if (i % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(writes);
    expect((await store.getRun("r1"))?.tasks[0]?.outputs).toEqual({ i: 59 });
  });

  it("gives two servers saving the same workflow at once one version history", async () => {
    const other = await PostgresStore.open(TEST_PG_URL, { schema });
    const blocker = new pg.Client(TEST_PG_URL);
    await blocker.connect();
    try {
      await store.createRun(sampleRun("held"), []);
      // Hold a row lock, so that the store's batch stops in the middle with its new
      // version inserted but not committed: the worst moment for the other server to save.
      await blocker.query("BEGIN");
      await blocker.query(`SELECT 1 FROM "${schema}".runs WHERE id = 'held' FOR UPDATE`);
      const doc = { tasks: { a: {} } };
      const first = store.saveWorkflow("wf", doc);
      const held = store.updateRun("held", { state: "running" });
      await until(async () => (await waiting(schema)) === 1);
      const second = other.saveWorkflow("wf", doc);
      await until(async () => (await waiting(schema)) === 2);
      await blocker.query("ROLLBACK");
      const saved = await Promise.all([first, second, held]);
      expect(saved.slice(0, 2).map((w) => w?.version)).toEqual([1, 1]);
      // Different documents at once get consecutive versions, whoever wins.
      const changed = await Promise.all([
        store.saveWorkflow("wf", { v: "from store" }),
        other.saveWorkflow("wf", { v: "from other" }),
      ]);
      expect(changed.map((w) => w.version).sort()).toEqual([2, 3]);
      expect((await store.listWorkflows()).map((w) => [w.name, w.version])).toEqual([["wf", 3]]);
    } finally {
      await blocker.end();
      await other.close();
    }
  });

  it("reconnects after the server ends its connections", async () => {
    await store.createRun(sampleRun("r1"), [sampleTask("r1", "a")]);
    await store.updateTask("r1", "a", { state: "queued" });
    expect((await store.getRun("r1"))?.tasks[0]?.state).toBe("queued");
    const killed = await pgAdmin((c) =>
      c.query(
        // The timeout makes it wait until the backends have exited.
        "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = $1",
        [`updraft ${schema}`],
      ),
    );
    expect(killed.rowCount).toBeGreaterThanOrEqual(2); // the writer and a reader
    // A write racing the news of the dead connection may fail, and then says so.
    const [racing] = await Promise.allSettled([store.updateTask("r1", "a", { state: "running" })]);
    if (racing?.status === "rejected") expect(racing.reason).toMatchObject({ code: "E_STORE" });
    await store.updateTask("r1", "a", { state: "succeeded" });
    expect((await store.getRun("r1"))?.tasks[0]?.state).toBe("succeeded");
  });
});
