/** Repair and resumption of stored runs, on the real SQLite store and real processes. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { workflowToDocument } from "../spec/document.js";
import { parseWorkflowText } from "../spec/parse.js";
import { sampleTask as task } from "../store/store-suite.js";
import type { RunWithTasks, TaskRecord } from "../store/types.js";
import { storedWorkflowLoader } from "./stored-workflow.js";
import { cleanupTestEngines, makeTestEngine } from "./test-engine.js";

afterEach(cleanupTestEngines);

function setup() {
  const { dir, store, engine } = makeTestEngine("updraft-recovery-");
  const load = storedWorkflowLoader(store, () => dir);
  async function save(yaml: string) {
    const workflow = parseWorkflowText(yaml);
    const saved = await store.saveWorkflow(workflow.name, workflowToDocument(workflow));
    return { workflow, version: saved.version };
  }
  return { dir, store, engine, load, save };
}

const byId = (run: RunWithTasks, id: string): TaskRecord => {
  const t = run.tasks.find((x) => x.taskId === id);
  if (!t) throw new Error(`no task ${id}`);
  return t;
};
const states = (run: RunWithTasks) => Object.fromEntries(run.tasks.map((t) => [t.taskId, t.state]));

// `fix` fails until the file `fixed` exists in the base directory.
const PIPELINE = `
name: pipeline
tasks:
  extract:
    type: shell
    command: 'echo "rows=$RANDOM" >> "$UPDRAFT_OUTPUTS"'
    outputs: [rows]
  fix:
    type: shell
    needs: [extract]
    retries: 1
    retryDelay: 10ms
    params: { rows: "{{ tasks.extract.outputs.rows }}" }
    command: 'test -f fixed && echo "seen=$UPDRAFT_PARAM_ROWS" >> "$UPDRAFT_OUTPUTS"'
    outputs: [seen]
  side:
    type: empty
    needs: [extract]
  report:
    type: shell
    needs: [fix]
    params: { seen: "{{ tasks.fix.outputs.seen }}" }
    command: 'echo "got=$UPDRAFT_PARAM_SEEN" >> "$UPDRAFT_OUTPUTS"'
    outputs: [got]
`;

describe("Engine.repairRun", () => {
  it("re-runs only the failed task and its downstream, reusing upstream outputs", async () => {
    const { dir, engine, load, save } = setup();
    const { workflow, version } = await save(PIPELINE);
    const first = await (
      await engine.startRun({ workflow, version, params: {}, baseDir: dir })
    ).finished;
    expect(first.state).toBe("failed");
    expect(states(first)).toEqual({
      extract: "succeeded",
      fix: "failed",
      side: "succeeded",
      report: "upstream_failed",
    });
    expect(byId(first, "fix").attempts).toBe(2);
    const rows = byId(first, "extract").outputs["rows"];

    writeFileSync(join(dir, "fixed"), "");
    const repaired = await (await engine.repairRun(first.id, load)).finished;
    expect(repaired.id).toBe(first.id);
    expect(repaired.state).toBe("succeeded");
    expect(states(repaired)).toEqual({
      extract: "succeeded",
      fix: "succeeded",
      side: "succeeded",
      report: "succeeded",
    });
    // extract was not run again: same attempt, same (random) output, reused downstream.
    expect(byId(repaired, "extract").attempts).toBe(1);
    expect(byId(repaired, "extract").outputs["rows"]).toBe(rows);
    expect(byId(repaired, "fix").attempts).toBe(3);
    expect(byId(repaired, "report").outputs["got"]).toBe(rows);
  });

  it("gives a repaired task its retries afresh", async () => {
    const { dir, engine, load, save } = setup();
    const { workflow, version } = await save(PIPELINE);
    const first = await (
      await engine.startRun({ workflow, version, params: {}, baseDir: dir })
    ).finished;
    // Still broken: the repair makes two more attempts (one plus its retry), then fails.
    const again = await (await engine.repairRun(first.id, load)).finished;
    expect(again.state).toBe("failed");
    expect(byId(again, "fix").attempts).toBe(4);
    expect(byId(again, "report").state).toBe("upstream_failed");
  });

  it("refuses to repair a succeeded, an active or an unknown run", async () => {
    const { dir, engine, load, save } = setup();
    const ok = await save("name: ok\ntasks:\n  a: { type: empty }\n");
    const done = await (await engine.startRun({ ...ok, params: {}, baseDir: dir })).finished;
    await expect(engine.repairRun(done.id, load)).rejects.toMatchObject({
      code: "E_CONFLICT",
      message: expect.stringMatching(/succeeded; only failed or cancelled runs/) as unknown,
    });
    const slow = await save("name: slow\ntasks:\n  a: { type: shell, command: 'sleep 5' }\n");
    const active = await engine.startRun({ ...slow, params: {}, baseDir: dir });
    await expect(engine.repairRun(active.id, load)).rejects.toMatchObject({
      code: "E_CONFLICT",
      message: expect.stringMatching(/still active/) as unknown,
    });
    await engine.cancelRun(active.id);
    const cancelled = await active.finished;
    expect(cancelled.state).toBe("cancelled");
    await expect(engine.repairRun("no-such-run", load)).rejects.toMatchObject({
      code: "E_NOT_FOUND",
    });
    // A cancelled run can be repaired: the cancelled task runs again (and is cancelled again here).
    const repairing = await engine.repairRun(cancelled.id, load);
    await engine.cancelRun(repairing.id);
    expect((await repairing.finished).state).toBe("cancelled");
  });
});

describe("Engine.recover", () => {
  it("continues a run from its stored states: waits out a retry, then runs downstream", async () => {
    const { dir, store, engine, load, save } = setup();
    const { version } = await save(PIPELINE);
    writeFileSync(join(dir, "fixed"), "");
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    // What a server killed while `fix` waited for its retry leaves in the store.
    await store.createRun(
      {
        id: "r1",
        workflow: "pipeline",
        version,
        state: "running",
        params: {},
        logicalDate: iso(now),
        trigger: "manual",
        createdAt: iso(now - 1000),
        startedAt: iso(now - 1000),
        endedAt: null,
      },
      [
        task("r1", "extract", { state: "succeeded", attempts: 1, outputs: { rows: 42 } }),
        task("r1", "fix", { state: "retrying", attempts: 1, retryAt: iso(now + 300) }),
        task("r1", "side", { state: "succeeded", attempts: 1 }),
        task("r1", "report", {}),
      ],
    );
    // And a run that was still queued behind others.
    await store.createRun(
      {
        id: "r2",
        workflow: "pipeline",
        version,
        state: "queued",
        params: {},
        logicalDate: iso(now),
        trigger: "manual",
        createdAt: iso(now - 500),
        startedAt: null,
        endedAt: null,
      },
      ["extract", "fix", "side", "report"].map((id) => task("r2", id, {})),
    );
    const handles = await engine.recover(load);
    expect(handles.map((h) => h.id)).toEqual(["r1", "r2"]);
    const [r1, r2] = await Promise.all(handles.map((h) => h.finished));
    expect(r1?.state).toBe("succeeded");
    expect(byId(r1!, "fix").attempts).toBe(2);
    expect(Date.parse(byId(r1!, "fix").startedAt!)).toBeGreaterThanOrEqual(now + 300);
    expect(byId(r1!, "report").outputs["got"]).toBe(42);
    expect(byId(r1!, "extract").attempts).toBe(1);
    expect(r2?.state).toBe("succeeded");
    expect(await engine.recover(load)).toEqual([]);
  });

  it("fails an interrupted attempt, retries it by its policy, and ends runs it cannot load", async () => {
    const { store, engine, load, save } = setup();
    const { version } = await save(`
name: interrupted
tasks:
  once:
    type: shell
    command: 'true'
  twice:
    type: shell
    retries: 1
    retryDelay: 10ms
    command: 'true'
`);
    const now = new Date().toISOString();
    const base = {
      workflow: "interrupted",
      version,
      params: {},
      logicalDate: now,
      trigger: "manual",
      createdAt: now,
      startedAt: now,
      endedAt: null,
    };
    await store.createRun({ ...base, id: "r1", state: "running" }, [
      task("r1", "once", { state: "running", attempts: 1, startedAt: now }),
      task("r1", "twice", { state: "running", attempts: 1, startedAt: now }),
    ]);
    await store.createRun({ ...base, id: "gone", state: "running", version: 99 }, [
      task("gone", "once", { state: "running", attempts: 1, startedAt: now }),
    ]);
    const handles = await engine.recover(load);
    expect(handles.map((h) => h.id)).toEqual(["r1"]);
    const r1 = await handles[0]!.finished;
    expect(r1.state).toBe("failed");
    expect(byId(r1, "once")).toMatchObject({
      state: "failed",
      attempts: 1,
      error: { code: "E_TASK_INTERRUPTED" },
    });
    expect(byId(r1, "twice")).toMatchObject({ state: "succeeded", attempts: 2 });
    const attempts = await store.listAttempts("r1", "twice");
    expect(attempts.map((a) => [a.attempt, a.state, a.error?.code ?? null])).toEqual([
      [1, "failed", "E_TASK_INTERRUPTED"],
      [2, "succeeded", null],
    ]);
    const gone = await store.getRun("gone");
    expect(gone?.state).toBe("failed");
    expect(gone?.tasks[0]?.error?.message).toMatch(/no longer stored/);
  });
});
