import { describe, expect, test } from "vitest";
import type { LiveEvent } from "../api/live.js";
import type { RunView, TaskView } from "../api/types.js";
import {
  applyEvent,
  errorText,
  formatDuration,
  ganttBars,
  runActions,
  runGrid,
  stateLabel,
} from "./run-model.js";

function task(over: Partial<TaskView> = {}): TaskView {
  return {
    state: "pending",
    attempts: 0,
    outputs: {},
    startedAt: null,
    endedAt: null,
    error: null,
    ...over,
  };
}

function run(over: Partial<RunView> = {}): RunView {
  return {
    id: "r1",
    workflow: "wf",
    version: 1,
    state: "running",
    params: {},
    logicalDate: "2026-01-01T00:00:00.000Z",
    trigger: "manual",
    startedAt: "2026-01-01T00:00:00.000Z",
    endedAt: null,
    tasks: { a: task(), b: task() },
    ...over,
  };
}

const taskEvent = (over: Partial<Extract<LiveEvent, { kind: "task" }>>): LiveEvent => ({
  kind: "task",
  runId: "r1",
  workflow: "wf",
  taskId: "a",
  state: "running",
  attempt: 1,
  at: "2026-01-01T00:00:05.000Z",
  error: null,
  ...over,
});

describe("applyEvent", () => {
  test("a task starts, fails with an error, is retried and succeeds", () => {
    let r = applyEvent(run(), taskEvent({}));
    expect(r.tasks["a"]).toMatchObject({
      state: "running",
      attempts: 1,
      startedAt: "2026-01-01T00:00:05.000Z",
      endedAt: null,
    });
    r = applyEvent(
      r,
      taskEvent({
        state: "retrying",
        at: "2026-01-01T00:00:09.000Z",
        error: { code: "E_EXIT", message: "exit 1" },
      }),
    );
    expect(r.tasks["a"]?.error).toEqual({ code: "E_EXIT", message: "exit 1" });
    r = applyEvent(r, taskEvent({ state: "running", attempt: 2, at: "2026-01-01T00:00:20.000Z" }));
    expect(r.tasks["a"]).toMatchObject({
      attempts: 2,
      startedAt: "2026-01-01T00:00:20.000Z",
      error: null,
    });
    r = applyEvent(
      r,
      taskEvent({ state: "succeeded", attempt: 2, at: "2026-01-01T00:00:30.000Z" }),
    );
    expect(r.tasks["a"]).toMatchObject({ state: "succeeded", endedAt: "2026-01-01T00:00:30.000Z" });
    expect(r.tasks["b"]).toEqual(task());
  });

  test("a repair sends tasks back to pending, which clears their times", () => {
    const done = run({
      state: "failed",
      tasks: { a: task({ state: "failed", attempts: 1, startedAt: "x", endedAt: "y" }) },
    });
    const r = applyEvent(done, taskEvent({ state: "pending" }));
    expect(r.tasks["a"]).toMatchObject({ state: "pending", startedAt: null, endedAt: null });
  });

  test("events of another run change nothing; a run event sets state and end", () => {
    const r = run();
    expect(applyEvent(r, taskEvent({ runId: "other" }))).toBe(r);
    const ended = applyEvent(r, {
      kind: "run",
      runId: "r1",
      workflow: "wf",
      state: "succeeded",
      at: "2026-01-01T00:01:00.000Z",
    });
    expect(ended).toMatchObject({ state: "succeeded", endedAt: "2026-01-01T00:01:00.000Z" });
  });

  test("a task the run did not list is added", () => {
    const r = applyEvent(run(), taskEvent({ taskId: "late" }));
    expect(r.tasks["late"]?.state).toBe("running");
  });
});

describe("runActions", () => {
  test("cancel while running; repair only with a failed task once ended; re-run once ended", () => {
    expect(runActions(run())).toEqual({ cancel: true, repair: false, rerun: false });
    expect(
      runActions(run({ state: "succeeded", tasks: { a: task({ state: "succeeded" }) } })),
    ).toEqual({
      cancel: false,
      repair: false,
      rerun: true,
    });
    expect(
      runActions(run({ state: "failed", tasks: { a: task({ state: "upstream_failed" }) } })).repair,
    ).toBe(true);
  });
});

describe("formatting", () => {
  test("durations and states in words", () => {
    expect(
      [undefined, 850, 42_000, 185_000, 7_620_000, 200 * 3_600_000].map(formatDuration),
    ).toEqual(["—", "850 ms", "42 s", "3 min 05 s", "2 h 07 min", "8 d 8 h"]);
    expect(stateLabel("upstream_failed")).toBe("upstream failed");
    expect(stateLabel("new_state")).toBe("new_state");
    expect(errorText({ code: "E_X", message: "boom" })).toBe("E_X: boom");
    expect(errorText("plain")).toBe("plain");
    expect(errorText(null)).toBe("");
  });
});

describe("runGrid", () => {
  test("oldest left, at most the limit, the current run always in, rows from the current run then others", () => {
    const runs = Array.from({ length: 30 }, (_, i) =>
      run({
        id: `r${i}`,
        logicalDate: `2026-01-${String(i + 1).padStart(2, "0")}T00:00:00.000Z`,
        tasks: i === 0 ? { a: task(), old: task() } : { a: task(), b: task() },
      }),
    ).reverse(); // newest first, as listed
    const current = runs[29]!; // the oldest
    const g = runGrid(runs, current, 10);
    expect(g.runs).toHaveLength(10);
    expect(g.runs[0]?.id).toBe("r0"); // kept though the oldest, leftmost
    expect(g.runs[1]?.id).toBe("r21");
    expect(g.runs.at(-1)?.id).toBe("r29");
    expect(g.tasks).toEqual(["a", "old", "b"]);
    const g2 = runGrid(runs, runs[0]!, 5);
    expect(g2.runs.map((r) => r.id)).toEqual(["r25", "r26", "r27", "r28", "r29"]);
  });
});

describe("ganttBars", () => {
  test("bars as fractions of the run's span; a running task grows with now", () => {
    const r = run({
      tasks: {
        a: task({
          state: "succeeded",
          startedAt: "2026-01-01T00:00:00.000Z",
          endedAt: "2026-01-01T00:00:10.000Z",
        }),
        b: task({ state: "running", startedAt: "2026-01-01T00:00:10.000Z" }),
        c: task(),
      },
    });
    const at20 = ganttBars(r, Date.parse("2026-01-01T00:00:20.000Z"));
    expect(at20.spanMs).toBe(20_000);
    expect(at20.bars.map((b) => [b.task, b.left, b.width, b.running])).toEqual([
      ["a", 0, 0.5, false],
      ["b", 0.5, 0.5, true],
      ["c", undefined, undefined, false],
    ]);
    const at40 = ganttBars(r, Date.parse("2026-01-01T00:00:40.000Z"));
    expect(at40.bars[1]).toMatchObject({ left: 0.25, width: 0.75, durationMs: 30_000 });
  });

  test("unreadable times give no bars rather than NaN widths", () => {
    const r = run({
      startedAt: null,
      tasks: { a: task({ state: "running", startedAt: "garbage" }) },
    });
    const g = ganttBars(r, 0);
    expect(g.bars[0]?.left).toBeUndefined();
  });
});
