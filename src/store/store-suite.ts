/**
 * The behaviour every `Store` implementation must have, as a reusable Vitest suite: the
 * SQLite store runs it now, the PostgreSQL store will run the same one. Not part of the
 * runtime: only test files import it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JsonObject } from "../spec/types.js";
import { describeOwnershipSuite, describeRecentRunsSuite } from "./store-suite-recent.js";
import type { AttemptRecord, RunRecord, RunState, Store, TaskRecord } from "./types.js";

/** A fresh, empty store for one test; `reopen` (persistent stores only) opens the same data again. */
export interface StoreFixture {
  store: Store;
  cleanup: () => Promise<void>;
  reopen?: () => Promise<Store>;
}

/** A run with defaults for the fields a test does not care about. */
export function sampleRun(id: string, fields: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    workflow: "wf",
    version: 1,
    state: "queued",
    params: {},
    logicalDate: "2024-01-01T00:00:00.000Z",
    trigger: "manual",
    createdAt: "2024-01-01T00:00:00.000Z",
    startedAt: null,
    endedAt: null,
    ...fields,
  };
}

/** A task with defaults for the fields a test does not care about. */
export function sampleTask(runId: string, taskId: string, fields: Partial<TaskRecord> = {}) {
  const task: TaskRecord = {
    runId,
    taskId,
    state: "pending",
    attempts: 0,
    outputs: {},
    startedAt: null,
    endedAt: null,
    error: null,
    retryAt: null,
    ...fields,
  };
  return task;
}

function sampleAttempt(attempt: number, fields: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    runId: "r1",
    taskId: "t1",
    attempt,
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

/** Strings that break naive escaping, encodings or NUL-terminated text. */
export const HOSTILE = [
  "nul\0inside",
  "quotes ' \" ` ; -- DROP TABLE runs; /* */",
  "emoji 🚀👩‍👩‍👧 and ünïcødé 日本語",
  "backslash \\ and newline \n and tab \t",
  "",
];

/** Registers the shared store suite under `describe(name)`. */
export function describeStoreSuite(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(name, () => {
    let f: StoreFixture;
    let store: Store;
    beforeEach(async () => {
      f = await makeStore();
      store = f.store;
    });
    afterEach(async () => {
      await f.cleanup();
    });

    describe("workflows", () => {
      const doc: JsonObject = { name: "wf", tasks: { a: { shell: "echo hi" } }, n: [1, 2] };

      it("numbers versions from 1 and keeps the version of an unchanged document", async () => {
        const v1 = await store.saveWorkflow("wf", doc, "wf.yaml");
        expect(v1).toMatchObject({ name: "wf", version: 1, document: doc, source: "wf.yaml" });
        expect(Number.isNaN(Date.parse(v1.createdAt))).toBe(false);
        const again = await store.saveWorkflow("wf", structuredClone(doc), "elsewhere.yaml");
        expect(again).toEqual(v1);
        // Key order is not a change.
        const reordered = await store.saveWorkflow("wf", {
          n: [1, 2],
          tasks: doc.tasks!,
          name: "wf",
        });
        expect(reordered.version).toBe(1);
      });

      it("adds a version when the document changes, and reads latest or a given version", async () => {
        await store.saveWorkflow("wf", doc);
        const changed = { ...doc, n: [1, 2, 3] };
        const v2 = await store.saveWorkflow("wf", changed);
        expect(v2.version).toBe(2);
        expect(v2.source).toBeUndefined();
        // Only the latest version counts: going back to v1's document is a new version.
        expect((await store.saveWorkflow("wf", doc)).version).toBe(3);
        expect((await store.getWorkflow("wf"))?.version).toBe(3);
        expect((await store.getWorkflow("wf", 2))?.document).toEqual(changed);
        expect((await store.getWorkflow("wf", 1))?.document).toEqual(doc);
        expect(await store.getWorkflow("wf", 4)).toBeUndefined();
        expect(await store.getWorkflow("nope")).toBeUndefined();
      });

      it("versions each workflow on its own, also within one turn", async () => {
        const [a1, b1, a2] = await Promise.all([
          store.saveWorkflow("a", doc),
          store.saveWorkflow("b", doc),
          store.saveWorkflow("a", { changed: true }),
        ]);
        expect([a1.version, b1.version, a2.version]).toEqual([1, 1, 2]);
      });

      it("lists the latest version of every workflow, sorted by name in code-point order", async () => {
        expect(await store.listWorkflows()).toEqual([]);
        await store.saveWorkflow("b", doc, "b.yaml");
        await store.saveWorkflow("a", doc);
        const a2 = await store.saveWorkflow("a", { ...doc, n: [3] }, "a.yaml");
        await store.saveWorkflow("B", doc);
        await store.saveWorkflow("a-1", doc);
        const list = await store.listWorkflows();
        // Binary order: upper case before lower case, "a" before "a-1".
        expect(list.map((w) => [w.name, w.version])).toEqual([
          ["B", 1],
          ["a", 2],
          ["a-1", 1],
          ["b", 1],
        ]);
        expect(list[1]).toEqual(a2);
        expect(list[3]?.source).toBe("b.yaml");
      });

      it("lists a workflow's versions newest first, with a limit", async () => {
        expect(await store.listVersions("wf")).toEqual([]);
        const v1 = await store.saveWorkflow("wf", doc, "wf.yaml");
        const v2 = await store.saveWorkflow("wf", { ...doc, n: [9] });
        await store.saveWorkflow("other", doc);
        expect(await store.listVersions("wf")).toEqual([v2, v1]);
        expect(await store.listVersions("wf", 1)).toEqual([v2]);
        expect(await store.listVersions("wf", 0)).toEqual([]);
        await expect(store.listVersions("wf", -1)).rejects.toMatchObject({ code: "E_STORE" });
        await expect(store.listVersions("wf", 1.5)).rejects.toMatchObject({ code: "E_STORE" });
      });

      it("keeps each workflow's paused state, last write wins, across a reopen", async () => {
        expect(await store.listWorkflowStates()).toEqual([]);
        await store.setPaused("etl", true, "2024-01-01T00:00:00.000Z");
        await store.setPaused("Ab 'x'", false, "2024-01-01T00:00:01.000Z");
        await store.setPaused("etl", false, "2024-01-02T00:00:00.000Z");
        await store.setDeleted("gone", "2024-01-03T00:00:00.000Z");
        await store.setDeleted("etl", "2024-01-04T00:00:00.000Z");
        await store.setDeleted("etl", null);
        const expected = [
          {
            name: "Ab 'x'",
            paused: false,
            updatedAt: "2024-01-01T00:00:01.000Z",
            deletedAt: null,
            ownerId: null,
          },
          {
            name: "etl",
            paused: false,
            updatedAt: expect.any(String) as unknown,
            deletedAt: null,
            ownerId: null,
          },
          {
            name: "gone",
            paused: true,
            updatedAt: "2024-01-03T00:00:00.000Z",
            deletedAt: "2024-01-03T00:00:00.000Z",
            ownerId: null,
          },
        ];
        expect(await store.listWorkflowStates()).toEqual(expected);
        if (f.reopen) {
          await store.close();
          const again = await f.reopen();
          try {
            expect(await again.listWorkflowStates()).toEqual(expected);
          } finally {
            await again.close();
          }
        }
      });
    });

    describeOwnershipSuite(() => ({ store, fixture: f }));
    describeRecentRunsSuite(() => store);

    describe("runs and tasks", () => {
      const outputs: JsonObject = {
        nested: { deep: [1, { x: null, y: [true, false] }], empty: {} },
        unicode: "Grüße 🌍 \u2028",
        number: 0.1 + 0.2,
        negative: -42,
      };

      it("round-trips a run with its tasks, every field", async () => {
        const run = sampleRun("r1", {
          workflow: "iris",
          version: 3,
          state: "running",
          params: { test_size: 0.2, model: "logreg", list: [1, "two"], obj: { k: null } },
          logicalDate: "2024-05-01T12:00:00.000Z",
          trigger: "schedule",
          createdAt: "2024-05-01T12:00:01.000Z",
          startedAt: "2024-05-01T12:00:02.000Z",
          endedAt: null,
        });
        const tasks = [
          sampleTask("r1", "prepare", {
            state: "succeeded",
            attempts: 1,
            outputs,
            startedAt: "2024-05-01T12:00:03.000Z",
            endedAt: "2024-05-01T12:00:04.000Z",
          }),
          sampleTask("r1", "train", {
            state: "retrying",
            attempts: 2,
            error: { code: "E_TASK_FAILED", message: "exit 1" },
            retryAt: "2024-05-01T12:05:00.000Z",
          }),
        ];
        await store.createRun(run, tasks);
        expect(await store.getRun("r1")).toEqual({ ...run, tasks });
      });

      it("returns undefined for an unknown run and [] for unknown attempts", async () => {
        expect(await store.getRun("missing")).toBeUndefined();
        expect(await store.listAttempts("missing", "t")).toEqual([]);
      });

      it("refuses a duplicate run id and writes nothing of a failed createRun", async () => {
        await store.createRun(sampleRun("r1"), [sampleTask("r1", "a")]);
        await expect(
          store.createRun(sampleRun("r1", { workflow: "other" }), [sampleTask("r1", "b")]),
        ).rejects.toMatchObject({ code: "E_STORE" });
        await expect(
          store.createRun(sampleRun("r2"), [sampleTask("r2", "x"), sampleTask("r2", "x")]),
        ).rejects.toMatchObject({ code: "E_STORE" });
        const r1 = await store.getRun("r1");
        expect(r1?.workflow).toBe("wf");
        expect(r1?.tasks.map((t) => t.taskId)).toEqual(["a"]);
        expect(await store.getRun("r2")).toBeUndefined();
      });

      it("updateRun and updateTask change only the given fields", async () => {
        const run = sampleRun("r1", { params: { p: 1 } });
        const task = sampleTask("r1", "a", { outputs: { keep: 1 } });
        await store.createRun(run, [task, sampleTask("r1", "b")]);
        await store.updateRun("r1", { state: "running", startedAt: "2024-01-01T00:00:05.000Z" });
        await store.updateTask("r1", "a", {
          state: "failed",
          attempts: 1,
          error: { code: "E_TASK_FAILED", message: "boom" },
          endedAt: undefined, // undefined means "leave as is"
        });
        let got = await store.getRun("r1");
        expect(got).toMatchObject({
          ...run,
          state: "running",
          startedAt: "2024-01-01T00:00:05.000Z",
        });
        expect(got?.tasks[0]).toEqual({
          ...task,
          state: "failed",
          attempts: 1,
          error: { code: "E_TASK_FAILED", message: "boom" },
        });
        expect(got?.tasks[1]).toEqual(sampleTask("r1", "b"));
        // null clears a field; an empty patch changes nothing.
        await store.updateTask("r1", "a", { error: null, outputs: { n: 2 } });
        await store.updateRun("r1", {});
        got = await store.getRun("r1");
        expect(got?.tasks[0]).toMatchObject({ error: null, outputs: { n: 2 }, state: "failed" });
        expect(got?.state).toBe("running");
      });

      it("stores only code and message of an Error passed as a task error", async () => {
        await store.createRun(sampleRun("r1"), [sampleTask("r1", "a")]);
        const err = Object.assign(new Error("real message"), { code: "E_TASK_TIMEOUT" });
        await store.updateTask("r1", "a", { error: err });
        expect((await store.getRun("r1"))?.tasks[0]?.error).toEqual({
          code: "E_TASK_TIMEOUT",
          message: "real message",
        });
      });

      it("rejects updates of unknown runs and tasks with E_NOT_FOUND, without failing others", async () => {
        await store.createRun(sampleRun("r1"), [sampleTask("r1", "a")]);
        const results = await Promise.allSettled([
          store.updateTask("r1", "a", { state: "queued" }),
          store.updateTask("r1", "nope", { state: "queued" }),
          store.updateTask("r1", "nope", {}),
          store.updateRun("nope", { state: "failed" }),
          store.putAttempt(sampleAttempt(1, { taskId: "nope" })),
          store.updateRun("r1", { state: "running" }),
        ]);
        expect(results.map((r) => r.status)).toEqual([
          "fulfilled",
          "rejected",
          "rejected",
          "rejected",
          "rejected",
          "fulfilled",
        ]);
        for (const r of results)
          if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "E_NOT_FOUND" });
        const got = await store.getRun("r1");
        expect([got?.state, got?.tasks[0]?.state]).toEqual(["running", "queued"]);
      });
    });

    describe("attempts", () => {
      beforeEach(async () => {
        await store.createRun(sampleRun("r1"), [sampleTask("r1", "t1"), sampleTask("r1", "t2")]);
      });

      it("upserts attempts and lists them oldest first", async () => {
        await store.putAttempt(sampleAttempt(3));
        await store.putAttempt(sampleAttempt(1, { pid: 123, logPath: "runs/r1/t1/1/log.txt" }));
        await store.putAttempt(sampleAttempt(2));
        await store.putAttempt(sampleAttempt(1, { taskId: "t2" }));
        const done = sampleAttempt(1, {
          state: "failed",
          pid: 123,
          exitCode: 2,
          startedAt: "2024-01-01T00:00:01.000Z",
          endedAt: "2024-01-01T00:00:02.000Z",
          error: { code: "E_TASK_FAILED", message: "exit code 2" },
          logPath: "runs/r1/t1/1/log.txt",
        });
        await store.putAttempt(done);
        const list = await store.listAttempts("r1", "t1");
        expect(list.map((a) => a.attempt)).toEqual([1, 2, 3]);
        expect(list[0]).toEqual(done);
        expect(list[1]).toEqual(sampleAttempt(2));
        expect(await store.listAttempts("r1", "t2")).toEqual([sampleAttempt(1, { taskId: "t2" })]);
      });
    });

    describe("latestLogicalDate", () => {
      it("finds the newest logical date of a workflow's runs with a trigger", async () => {
        expect(await store.latestLogicalDate("wf", "schedule")).toBeUndefined();
        const at = (d: string, trigger: string, workflow = "wf") =>
          sampleRun(`${workflow}-${trigger}-${d}`, {
            workflow,
            trigger,
            logicalDate: `2024-01-${d}T00:00:00.000Z`,
          });
        // Created out of order: the newest logical date wins, not the newest row.
        for (const r of [
          at("03", "schedule"),
          at("05", "schedule"),
          at("04", "schedule"),
          at("09", "manual"),
          at("20", "schedule", "other"),
        ])
          await store.createRun(r, []);
        expect(await store.latestLogicalDate("wf", "schedule")).toBe("2024-01-05T00:00:00.000Z");
        expect(await store.latestLogicalDate("wf", "manual")).toBe("2024-01-09T00:00:00.000Z");
        expect(await store.latestLogicalDate("wf", "backfill")).toBeUndefined();
        expect(await store.latestLogicalDate("nope", "schedule")).toBeUndefined();
      });
    });

    describe("listRuns", () => {
      const states: RunState[] = ["queued", "running", "succeeded", "failed", "cancelled"];
      beforeEach(async () => {
        // Created out of order, so "newest first" cannot come from insertion order.
        for (const i of [3, 0, 4, 1, 5, 2]) {
          const created = `2024-01-0${i + 1}T00:00:00.000Z`;
          await store.createRun(
            sampleRun(`r${i}`, {
              workflow: i % 2 === 0 ? "even" : "odd",
              state: states[i % states.length]!,
              createdAt: created,
            }),
            [],
          );
        }
      });
      const ids = (runs: RunRecord[]) => runs.map((r) => r.id);

      it("lists all runs newest first", async () => {
        expect(ids(await store.listRuns())).toEqual(["r5", "r4", "r3", "r2", "r1", "r0"]);
        expect(ids(await store.listRuns({}))).toHaveLength(6);
      });

      it("filters by workflow and states, and limits", async () => {
        expect(ids(await store.listRuns({ workflow: "even" }))).toEqual(["r4", "r2", "r0"]);
        expect(ids(await store.listRuns({ states: ["queued", "failed"] }))).toEqual([
          "r5",
          "r3",
          "r0",
        ]);
        expect(
          ids(await store.listRuns({ workflow: "odd", states: ["queued", "failed"] })),
        ).toEqual(["r5", "r3"]);
        expect(ids(await store.listRuns({ limit: 2 }))).toEqual(["r5", "r4"]);
        expect(ids(await store.listRuns({ workflow: "even", limit: 1 }))).toEqual(["r4"]);
        expect(await store.listRuns({ limit: 0 })).toEqual([]);
        expect(await store.listRuns({ states: [] })).toEqual([]);
        expect(await store.listRuns({ workflow: "none" })).toEqual([]);
      });

      it("returns full records", async () => {
        const [r5] = await store.listRuns({ limit: 1 });
        expect(r5).toEqual(
          sampleRun("r5", {
            workflow: "odd",
            state: "queued",
            createdAt: "2024-01-06T00:00:00.000Z",
          }),
        );
      });
    });

    describe("batching and lifecycle", () => {
      it("lands 2,000 task updates issued in one turn", async () => {
        const n = 2000;
        const tasks = Array.from({ length: n }, (_, i) =>
          sampleTask("r1", `t${String(i).padStart(4, "0")}`),
        );
        await store.createRun(sampleRun("r1"), tasks);
        await Promise.all(
          tasks.map((t, i) =>
            store.updateTask("r1", t.taskId, { state: "succeeded", attempts: 1, outputs: { i } }),
          ),
        );
        const got = await store.getRun("r1");
        expect(got?.tasks).toHaveLength(n);
        expect(got?.tasks.every((t, i) => t.state === "succeeded" && t.outputs.i === i)).toBe(true);
      });

      it("reads see writes queued earlier in the same turn", async () => {
        const created = store.createRun(sampleRun("r1"), [sampleTask("r1", "a")]);
        const updated = store.updateTask("r1", "a", { state: "running" });
        const read = store.getRun("r1");
        await Promise.all([created, updated]);
        expect((await read)?.tasks[0]?.state).toBe("running");
      });

      it("keeps writes in call order and snapshots values at call time", async () => {
        await store.createRun(sampleRun("r1"), [sampleTask("r1", "a")]);
        const outputs: JsonObject = { v: 1 };
        const writes = [
          store.updateTask("r1", "a", { state: "queued", outputs }),
          store.updateTask("r1", "a", { state: "running" }),
        ];
        outputs.v = 2; // mutating after the call must not change what is stored
        await Promise.all(writes);
        expect((await store.getRun("r1"))?.tasks[0]).toMatchObject({
          state: "running",
          outputs: { v: 1 },
        });
      });

      it("close waits for pending writes", async (ctx) => {
        if (f.reopen === undefined) return ctx.skip();
        await store.createRun(sampleRun("r1"), [sampleTask("r1", "a")]);
        const pending = store.updateTask("r1", "a", { state: "succeeded", outputs: { ok: true } });
        const saved = store.saveWorkflow("wf", { a: 1 });
        await store.close();
        await expect(pending).resolves.toBeUndefined();
        await expect(saved).resolves.toMatchObject({ version: 1 });
        const again = await f.reopen();
        try {
          expect((await again.getRun("r1"))?.tasks[0]).toMatchObject({
            state: "succeeded",
            outputs: { ok: true },
          });
          expect((await again.getWorkflow("wf"))?.version).toBe(1);
        } finally {
          await again.close();
        }
      });

      it("rejects every operation after close, and close twice is fine", async () => {
        await store.close();
        await store.close();
        await expect(store.getRun("r1")).rejects.toMatchObject({ code: "E_STORE" });
        await expect(store.listRuns()).rejects.toMatchObject({ code: "E_STORE" });
        await expect(store.createRun(sampleRun("r1"), [])).rejects.toMatchObject({
          code: "E_STORE",
          message: expect.stringMatching(/closed/) as string,
        });
        await expect(store.updateTask("r1", "a", {})).rejects.toMatchObject({ code: "E_STORE" });
      });
    });

    describe("hostile values", () => {
      it.each(HOSTILE.map((s, i) => [i, s] as const))(
        "round-trips string #%i everywhere",
        async (_i, s) => {
          const runId = `run ${s}`;
          const taskId = `task ${s}`;
          const run = sampleRun(runId, { workflow: `wf ${s}`, params: { [s]: s }, trigger: s });
          const task = sampleTask(runId, taskId, {
            outputs: { [s]: [s, { s }] },
            error: { code: s, message: s },
          });
          await store.createRun(run, [task]);
          expect(await store.getRun(runId)).toEqual({ ...run, tasks: [task] });
          expect(await store.listRuns({ workflow: `wf ${s}` })).toEqual([run]);
          const attempt = sampleAttempt(1, {
            runId,
            taskId,
            logPath: s,
            error: { code: s, message: s },
          });
          await store.putAttempt(attempt);
          expect(await store.listAttempts(runId, taskId)).toEqual([attempt]);
          const wf = await store.saveWorkflow(`wf ${s}`, { [s]: s }, s);
          expect(await store.getWorkflow(`wf ${s}`)).toEqual(wf);
          expect(wf.source).toBe(s);
        },
      );

      it("round-trips 1 MB strings", async () => {
        const big = "x🚀\0'\"".repeat(200_000);
        const run = sampleRun("big", { params: { big } });
        const task = sampleTask("big", "t", {
          outputs: { big },
          error: { code: "E", message: big },
        });
        await store.createRun(run, [task]);
        await store.updateTask("big", "t", { outputs: { big, again: big } });
        const got = await store.getRun("big");
        expect(got?.params.big).toBe(big);
        expect(got?.tasks[0]?.outputs).toEqual({ big, again: big });
        expect(got?.tasks[0]?.error?.message).toBe(big);
      });
    });
  });
}
