import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseWorkflowText } from "../spec/parse.js";
import { SqliteStore } from "../store/sqlite-store.js";
import type { RunWithTasks, TaskRecord } from "../store/types.js";
import { isGone } from "../tasks/test-context.js";
import type { EngineEvent } from "./engine.js";
import { cleanupTestEngines, makeTestEngine } from "./test-engine.js";

afterEach(cleanupTestEngines);

function setup(limits: { parallelism?: number; pools?: Record<string, number> } = {}) {
  const { dir, dbPath, store, engine, run } = makeTestEngine("updraft-engine-", { limits });
  const events: EngineEvent[] = [];
  engine.subscribe((e) => events.push(e));
  return { dir, dbPath, store, engine, events, run };
}

function task(run: RunWithTasks, id: string): TaskRecord {
  const t = run.tasks.find((x) => x.taskId === id);
  if (!t) throw new Error(`no task ${id}`);
  return t;
}

function states(run: RunWithTasks): Record<string, string> {
  return Object.fromEntries(run.tasks.map((t) => [t.taskId, t.state]));
}

describe("Engine", () => {
  it("passes values between shell, python and condition tasks, typed", async () => {
    const { run } = setup();
    const r = await run(
      `
name: pass-values
params:
  n: { type: integer, default: 3 }
tasks:
  produce:
    type: shell
    command: 'echo "count=$UPDRAFT_PARAM_N" >> "$UPDRAFT_OUTPUTS"; echo ''{"items": [1, 2]}'' >> "$UPDRAFT_OUTPUTS"'
    params: { n: "{{ params.n }}" }
    outputs: [count, items]
  double:
    type: python
    needs: [produce]
    params: { count: "{{ tasks.produce.outputs.count }}", items: "{{ tasks.produce.outputs.items }}" }
    code: |
      import json, os
      p = json.load(open(os.environ["UPDRAFT_PARAMS"]))
      assert isinstance(p["count"], int) and p["items"] == [1, 2], p
      with open(os.environ["UPDRAFT_OUTPUTS"], "a") as f:
          f.write(json.dumps({"doubled": p["count"] * 2}) + "\\n")
    outputs: [doubled]
  gate:
    type: condition
    needs: [double]
    left: "{{ tasks.double.outputs.doubled }}"
    op: "=="
    right: 6
  after:
    type: shell
    needs: [gate]
    command: 'echo "msg=doubled is {{ tasks.double.outputs.doubled }}" >> "$UPDRAFT_OUTPUTS"'
`,
      { n: 3 },
    );
    expect(r.state).toBe("succeeded");
    expect(task(r, "produce").outputs).toEqual({ count: 3, items: [1, 2] });
    expect(task(r, "double").outputs).toEqual({ doubled: 6 });
    expect(task(r, "gate").outputs).toEqual({ result: true });
    expect(task(r, "after").outputs).toEqual({ msg: "doubled is 6" });
  });

  it("skips downstream of a false condition; skips propagate, all_done and none_failed joins run", async () => {
    const { run } = setup();
    const r = await run(`
name: skips
tasks:
  gate: { type: condition, left: 1, op: ">", right: 2 }
  a: { type: empty, needs: [gate] }
  b: { type: empty, needs: [a] }
  other: { type: empty }
  join_done: { type: empty, needs: [b, other], when: all_done }
  join_none_failed: { type: empty, needs: [b, other], when: none_failed }
  join_success: { type: empty, needs: [b, other] }
`);
    expect(states(r)).toEqual({
      gate: "succeeded",
      a: "skipped",
      b: "skipped",
      other: "succeeded",
      join_done: "succeeded",
      join_none_failed: "succeeded",
      join_success: "skipped",
    });
    expect(r.state).toBe("succeeded");
  });

  it("applies trigger rules after a failure, and a leaf failure fails the run", async () => {
    const { run } = setup();
    const r = await run(`
name: rules
tasks:
  ok: { type: shell, command: "true" }
  bad: { type: shell, command: "exit 3" }
  all_success: { type: empty, needs: [ok, bad] }
  downstream_of_failed: { type: empty, needs: [all_success] }
  all_failed: { type: empty, needs: [bad], when: all_failed }
  all_done: { type: empty, needs: [ok, bad], when: all_done }
  one_success: { type: empty, needs: [ok, bad], when: one_success }
  one_failed: { type: empty, needs: [ok, bad], when: one_failed }
  none_failed: { type: empty, needs: [ok, bad], when: none_failed }
  all_failed_skip: { type: empty, needs: [ok], when: all_failed }
`);
    expect(states(r)).toEqual({
      ok: "succeeded",
      bad: "failed",
      all_success: "upstream_failed",
      downstream_of_failed: "upstream_failed",
      all_failed: "succeeded",
      all_done: "succeeded",
      one_success: "succeeded",
      one_failed: "succeeded",
      none_failed: "upstream_failed",
      all_failed_skip: "skipped",
    });
    expect(task(r, "bad").error?.message).toMatch(/exit(ed)? .*3/);
    expect(r.state).toBe("failed");
  });

  it("retries with a delay and records every attempt with its log", async () => {
    const { run, store, dir } = setup();
    const r = await run(`
name: retries
tasks:
  flaky:
    type: shell
    retries: 2
    retryDelay: 100ms
    command: 'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; echo "attempt $n"; [ $n -ge 3 ]'
`);
    expect(r.state).toBe("succeeded");
    const flaky = task(r, "flaky");
    expect(flaky.attempts).toBe(3);
    const attempts = await store.listAttempts(r.id, "flaky");
    expect(attempts.map((a) => a.state)).toEqual(["failed", "failed", "succeeded"]);
    const gap = Date.parse(attempts[1]!.startedAt!) - Date.parse(attempts[0]!.endedAt!);
    expect(gap).toBeGreaterThanOrEqual(95);
    for (const a of attempts) {
      expect(readFileSync(join(dir, a.logPath!), "utf8")).toContain(`attempt ${a.attempt}`);
    }
  });

  it("fails after the last retry with exponential backoff", async () => {
    const { run, store } = setup();
    const r = await run(`
name: backoff
tasks:
  bad: { type: shell, command: "exit 1", retries: 2, retryDelay: 50ms, retryBackoff: exponential }
`);
    expect(r.state).toBe("failed");
    const attempts = await store.listAttempts(r.id, "bad");
    expect(attempts).toHaveLength(3);
    const gap2 = Date.parse(attempts[2]!.startedAt!) - Date.parse(attempts[1]!.endedAt!);
    expect(gap2).toBeGreaterThanOrEqual(95);
  });

  it("kills a task at its timeout, with its whole process tree", async () => {
    const { run, dir } = setup();
    const started = Date.now();
    const r = await run(`
name: timeouts
tasks:
  slow:
    type: shell
    timeout: 300ms
    command: 'sleep 30 & echo $! > child.pid; wait'
`);
    expect(Date.now() - started).toBeLessThan(5000);
    const slow = task(r, "slow");
    expect(slow.state).toBe("failed");
    expect(slow.error?.code).toBe("E_TASK_TIMEOUT");
    expect(slow.error?.message).toContain("300ms");
    const childPid = Number(readFileSync(join(dir, "child.pid"), "utf8"));
    expect(isGone(childPid)).toBe(true);
  });

  it("cancels a run: running tasks are interrupted, pending ones cancelled", async () => {
    const { engine, events, dir } = setup();
    const workflow = parseWorkflowText(`
name: cancel-me
tasks:
  long: { type: shell, command: "sleep 30" }
  after: { type: empty, needs: [long] }
`);
    const handle = await engine.startRun({ workflow, version: 1, params: {}, baseDir: dir });
    await waitFor(() =>
      events.some((e) => e.kind === "task" && e.taskId === "long" && e.state === "running"),
    );
    expect(await engine.cancelRun(handle.id)).toBe(true);
    const r = await handle.finished;
    expect(r.state).toBe("cancelled");
    expect(states(r)).toEqual({ long: "cancelled", after: "cancelled" });
    expect(await engine.cancelRun(handle.id)).toBe(false);
  });

  it("caps a named pool and global parallelism", async () => {
    const { run, events } = setup({ parallelism: 3, pools: { single: 1 } });
    const r = await run(`
name: pools
tasks:
  p1: { type: shell, command: "sleep 0.2", pool: single }
  p2: { type: shell, command: "sleep 0.2", pool: single }
  p3: { type: shell, command: "sleep 0.2", pool: single }
  d1: { type: shell, command: "sleep 0.2" }
  d2: { type: shell, command: "sleep 0.2" }
  d3: { type: shell, command: "sleep 0.2" }
  d4: { type: shell, command: "sleep 0.2" }
`);
    expect(r.state).toBe("succeeded");
    const maxConcurrent = (filter: (id: string) => boolean) => {
      let cur = 0;
      let max = 0;
      for (const e of events) {
        if (e.kind !== "task" || !filter(e.taskId)) continue;
        if (e.state === "running") max = Math.max(max, ++cur);
        if (e.state === "succeeded") cur--;
      }
      return max;
    };
    expect(maxConcurrent((id) => id.startsWith("p"))).toBe(1);
    expect(maxConcurrent(() => true)).toBe(3);
    expect(events.some((e) => e.kind === "task" && e.state === "queued")).toBe(true);
  });

  it("fails a task that names an undefined pool, with a sentence saying how to fix it", async () => {
    const { run } = setup();
    const r = await run(`
name: nopool
tasks:
  t: { type: shell, command: "true", pool: gpu }
`);
    expect(task(r, "t").state).toBe("failed");
    expect(task(r, "t").error?.message).toMatch(/pool `gpu` is not defined/);
  });

  it("persists every state to the SQLite file", async () => {
    const { run, dbPath } = setup();
    const r = await run(`
name: persisted
tasks:
  a: { type: shell, command: "echo x=1 >> $UPDRAFT_OUTPUTS", outputs: [x] }
  b: { type: empty, needs: [a] }
`);
    const other = SqliteStore.open(dbPath);
    try {
      const stored = await other.getRun(r.id);
      expect(stored?.state).toBe("succeeded");
      expect(stored && task(stored, "a").outputs).toEqual({ x: 1 });
      expect(stored && task(stored, "b").state).toBe("succeeded");
    } finally {
      await other.close();
    }
  });

  it("runs runs of one workflow one at a time with maxActiveRuns: 1", async () => {
    const { engine, events, dir } = setup();
    const workflow = parseWorkflowText(`
name: serial
maxActiveRuns: 1
tasks:
  t: { type: shell, command: "sleep 0.2" }
`);
    const h1 = await engine.startRun({ workflow, version: 1, params: {}, baseDir: dir });
    const h2 = await engine.startRun({ workflow, version: 1, params: {}, baseDir: dir });
    const [r1, r2] = await Promise.all([h1.finished, h2.finished]);
    expect(r1.state).toBe("succeeded");
    expect(r2.state).toBe("succeeded");
    expect(Date.parse(r2.startedAt!)).toBeGreaterThanOrEqual(Date.parse(r1.endedAt!));
    const runEvents = events
      .filter((e) => e.kind === "run")
      .map((e) => `${e.runId === h1.id ? 1 : 2}:${e.state}`);
    expect(runEvents.indexOf("2:running")).toBeGreaterThan(runEvents.indexOf("1:succeeded"));
  });

  it("fails a task whose expression cannot be resolved, without retrying it", async () => {
    const { run } = setup();
    const r = await run(`
name: badref
tasks:
  a: { type: shell, command: "true", outputs: [x] , retries: 3, retryDelay: 10ms}
  b:
    type: shell
    needs: [a]
    command: "echo {{ tasks.a.outputs.x }}"
`);
    // `a` declares x but never publishes it, so `a` itself fails with a clear message.
    expect(task(r, "a").state).toBe("failed");
    expect(task(r, "a").error?.message).toMatch(/x/);
    expect(task(r, "b").state).toBe("upstream_failed");
  });

  it("writes no artifacts for empty tasks and one log per process attempt", async () => {
    const { run, dir } = setup();
    const r = await run(`
name: artifacts
tasks:
  e: { type: empty }
  s: { type: shell, command: "echo hello", needs: [e] }
`);
    expect(existsSync(join(dir, "runs", r.id, "e"))).toBe(false);
    expect(readFileSync(join(dir, "runs", r.id, "s", "1", "log.txt"), "utf8")).toBe("hello\n");
  });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
