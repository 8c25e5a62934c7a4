import { describe, expect, test } from "vitest";
import type { LiveEvent, LogStreamEvent } from "./live.js";
import { DEMO_NOTEBOOKS, DEMO_WORKFLOW, MemoryApiClient } from "./memory-client.js";
import { MemoryRuns, withMemoryRuns } from "./memory-runs.js";

async function setup() {
  const base = new MemoryApiClient(DEMO_NOTEBOOKS, () => new Date("2026-01-01T00:00:00Z"));
  await base.createWorkflow(DEMO_WORKFLOW);
  const runs = new MemoryRuns(base, () => new Date("2026-01-01T00:00:00Z"));
  return { base, runs, client: withMemoryRuns(base, runs) };
}

describe("MemoryRuns through withMemoryRuns", () => {
  test("a triggered run has every task pending; other methods reach the base client", async () => {
    const { client } = await setup();
    const run = await client.triggerRun("iris-demo", { test_size: 0.3 });
    expect(Object.keys(run.tasks)).toEqual(["prepare", "train", "report"]);
    expect(Object.values(run.tasks).every((t) => t.state === "pending")).toBe(true);
    expect((await client.listWorkflows()).map((w) => w.name)).toEqual(["iris-demo"]);
    expect((await client.listRuns("iris-demo")).map((r) => r.id)).toEqual([run.id]);
    await expect(client.getRun("nope")).rejects.toMatchObject({ status: 404 });
  });

  test("changes reach event watchers filtered by run; repair resets failed and downstream tasks", async () => {
    const { client, runs } = await setup();
    const run = await client.triggerRun("iris-demo", {});
    const ac = new AbortController();
    const got: LiveEvent[] = [];
    const watching = client.watchEvents(
      { run: run.id },
      { onEvent: (e) => got.push(e) },
      ac.signal,
    );
    runs.updateRun(run.id, "running");
    runs.updateTask(run.id, "prepare", { state: "succeeded", attempts: 1 });
    runs.updateTask(run.id, "train", {
      state: "failed",
      attempts: 1,
      error: { code: "E_NOTEBOOK", message: "cell 3" },
    });
    runs.updateTask(run.id, "report", { state: "upstream_failed" });
    runs.updateRun(run.id, "failed");
    const other = await client.triggerRun("iris-demo", {});
    runs.updateRun(other.id, "running"); // filtered out
    const repaired = await client.repairRun(run.id);
    expect(
      Object.fromEntries(Object.entries(repaired.tasks).map(([k, t]) => [k, t.state])),
    ).toEqual({
      prepare: "succeeded",
      train: "pending",
      report: "pending",
    });
    ac.abort();
    await watching;
    expect(runs.openEventStreams()).toBe(0);
    expect(got.every((e) => e.runId === run.id)).toBe(true);
    expect(
      got.map((e) => (e.kind === "task" ? `${e.taskId}:${e.state}` : `run:${e.state}`)),
    ).toEqual([
      "run:running",
      "prepare:succeeded",
      "train:failed",
      "report:upstream_failed",
      "run:failed",
      "train:pending",
      "report:pending",
      "run:running",
    ]);
  });

  test("a followed log replays what was written, streams appends and ends with the task", async () => {
    const { client, runs } = await setup();
    const run = await client.triggerRun("iris-demo", {});
    await expect(
      client.followTaskLog(
        run.id,
        "prepare",
        { onEvent: () => undefined },
        new AbortController().signal,
      ),
    ).rejects.toMatchObject({ status: 404 });
    runs.updateTask(run.id, "prepare", { state: "running", attempts: 1 });
    runs.appendLog(run.id, "prepare", "one\n");
    const got: LogStreamEvent[] = [];
    const following = client.followTaskLog(
      run.id,
      "prepare",
      { onEvent: (e) => got.push(e) },
      new AbortController().signal,
    );
    runs.appendLog(run.id, "prepare", "two\n");
    runs.updateTask(run.id, "prepare", { state: "succeeded" });
    await following;
    expect(runs.openLogStreams()).toBe(0);
    expect(got).toEqual([
      { kind: "attempt", attempt: 1 },
      { kind: "log", attempt: 1, text: "one\n" },
      { kind: "log", attempt: 1, text: "two\n" },
      { kind: "end", state: "succeeded", attempt: 1 },
    ]);
    expect(await client.taskLog(run.id, "prepare")).toBe("one\ntwo\n");
  });

  test("cancel ends every unfinished task; notebooks are stored per task", async () => {
    const { client, runs } = await setup();
    const run = await client.triggerRun("iris-demo", {});
    runs.updateTask(run.id, "prepare", { state: "running", attempts: 1 });
    const cancelled = await client.cancelRun(run.id);
    expect(cancelled.state).toBe("cancelled");
    expect(Object.values(cancelled.tasks).map((t) => t.state)).toEqual([
      "cancelled",
      "cancelled",
      "cancelled",
    ]);
    await expect(client.taskNotebook(run.id, "prepare")).rejects.toMatchObject({ status: 404 });
    runs.setNotebook(run.id, "prepare", { cells: [] });
    expect(await client.taskNotebook(run.id, "prepare")).toEqual({ cells: [] });
  });
});
