import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { cleanupTestEngines, makeTestEngine } from "../engine/test-engine.js";
import { parseWorkflowText } from "../spec/parse.js";
import { Metrics } from "./metrics.js";
import { samples } from "./test-metrics.js";

afterEach(cleanupTestEngines);

function setup() {
  const { engine, run, beforeShutdown } = makeTestEngine("updraft-metrics-");
  const metrics = new Metrics({ processMetrics: false });
  beforeShutdown(metrics.attach(engine));
  return { engine, metrics, run: (yaml: string) => run(yaml) };
}

async function scrape(metrics: Metrics): Promise<Map<string, number>> {
  return samples((await metrics.render()).body);
}

const FLAKY = `
name: metrics-demo
tasks:
  first: { type: shell, command: "true" }
  flaky:
    type: shell
    needs: [first]
    retries: 1
    retryDelay: 0
    command: 'test -f marker || { touch marker; exit 3; }'
  broken: { type: shell, needs: [first], command: "exit 1" }
  after: { type: shell, needs: [broken], command: "true" }
`;

describe("Metrics fed by a real engine", () => {
  it("counts runs, tasks and attempts by workflow and state, and times them", async () => {
    const { metrics, run } = setup();
    const r = await run(FLAKY);
    expect(r.state).toBe("failed");
    const s = await scrape(metrics);
    expect(s.get('updraft_runs_total{workflow="metrics-demo",state="failed"}')).toBe(1);
    expect(s.get('updraft_tasks_total{workflow="metrics-demo",state="succeeded"}')).toBe(2);
    expect(s.get('updraft_tasks_total{workflow="metrics-demo",state="failed"}')).toBe(1);
    expect(s.get('updraft_tasks_total{workflow="metrics-demo",state="upstream_failed"}')).toBe(1);
    // first + flaky's second attempt succeeded; flaky's first attempt and broken failed.
    expect(s.get('updraft_task_attempts_total{workflow="metrics-demo",outcome="succeeded"}')).toBe(
      2,
    );
    expect(s.get('updraft_task_attempts_total{workflow="metrics-demo",outcome="failed"}')).toBe(2);
    expect(
      s.get(
        'updraft_task_attempt_duration_seconds_count{workflow="metrics-demo",outcome="failed"}',
      ),
    ).toBe(2);
    expect(
      s.get('updraft_run_duration_seconds_count{workflow="metrics-demo",state="failed"}'),
    ).toBe(1);
    // One observation per first attempt: first, flaky, broken (after never started).
    expect(s.get('updraft_task_start_delay_seconds_count{workflow="metrics-demo"}')).toBe(3);
    // Nothing is active any more: the gauges have no series left.
    expect([...s.keys()].filter((k) => k.startsWith("updraft_tasks_running{"))).toEqual([]);
    expect([...s.keys()].filter((k) => k.startsWith("updraft_runs_active{"))).toEqual([]);
    // Task ids never become labels.
    expect([...s.keys()].some((k) => k.includes("flaky") || k.includes("broken"))).toBe(false);
  });

  it("shows the running task and the active run while a run is in flight", async () => {
    const { engine, metrics } = setup();
    const handle = await engine.startRun({
      workflow: parseWorkflowText(
        "name: sleepy\ntasks:\n  nap: { type: shell, command: sleep 30 }\n",
      ),
      version: 1,
      params: {},
      baseDir: tmpdir(),
    });
    // Wait for the state change itself, not for time.
    await new Promise<void>((resolve) => {
      const off = engine.subscribe((e) => {
        if (e.kind === "task" && e.state === "running") {
          off();
          resolve();
        }
      });
    });
    const during = await scrape(metrics);
    expect(during.get('updraft_tasks_running{workflow="sleepy"}')).toBe(1);
    expect(during.get('updraft_runs_active{workflow="sleepy"}')).toBe(1);
    await engine.cancelRun(handle.id);
    await handle.finished;
    const after = await scrape(metrics);
    expect(after.get('updraft_runs_total{workflow="sleepy",state="cancelled"}')).toBe(1);
    expect(after.get('updraft_task_attempts_total{workflow="sleepy",outcome="cancelled"}')).toBe(1);
    expect(after.has('updraft_tasks_running{workflow="sleepy"}')).toBe(false);
  });

  it("keeps separate counts per instance (no shared default registry)", async () => {
    const { metrics, run } = setup();
    const other = new Metrics({ processMetrics: false });
    await run("name: solo\ntasks:\n  a: { type: empty }\n");
    expect(
      (await scrape(metrics)).get('updraft_runs_total{workflow="solo",state="succeeded"}'),
    ).toBe(1);
    expect((await scrape(other)).has('updraft_runs_total{workflow="solo",state="succeeded"}')).toBe(
      false,
    );
  });
});

describe("Metrics process metrics", () => {
  it("exports the default process metrics with the updraft_ prefix", async () => {
    const metrics = new Metrics();
    const { body, contentType } = await metrics.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toMatch(/^updraft_process_cpu_user_seconds_total \d/m);
    expect(body).toMatch(/^updraft_nodejs_heap_size_total_bytes \d/m);
  });
});

describe("Metrics events of runs it never saw start", () => {
  it("counts the end of a resumed run without inventing a duration", async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.onEvent({ kind: "run", runId: "r1", workflow: "w", state: "succeeded", at: 5 });
    metrics.onEvent({
      kind: "task",
      runId: "r1",
      workflow: "w",
      taskId: "t",
      state: "succeeded",
      attempt: 2,
      at: 5,
      error: null,
    });
    const s = await scrape(metrics);
    expect(s.get('updraft_runs_total{workflow="w",state="succeeded"}')).toBe(1);
    expect(s.get('updraft_tasks_total{workflow="w",state="succeeded"}')).toBe(1);
    expect(s.has('updraft_run_duration_seconds_count{workflow="w",state="succeeded"}')).toBe(false);
    expect(s.has('updraft_task_attempts_total{workflow="w",outcome="succeeded"}')).toBe(false);
  });
});
