/**
 * Runs of the demo workflow for `?demo` (no server): one that succeeded, one whose
 * `train` notebook failed (with its executed notebook and log), and one still running,
 * so the run page, its grid and Gantt have something to show.
 */
import type { JsonObject } from "../core/model.js";
import type { MemoryRuns } from "./memory-runs.js";
import type { RunState, RunView, TaskView } from "./types.js";

const TASKS = ["prepare", "train", "report"] as const;

function at(base: number, seconds: number): string {
  return new Date(base + seconds * 1000).toISOString();
}

function task(
  state: TaskView["state"],
  start: string | null,
  end: string | null,
  over: Partial<TaskView> = {},
): TaskView {
  return {
    state,
    attempts: start === null ? 0 : 1,
    outputs: {},
    startedAt: start,
    endedAt: end,
    error: null,
    ...over,
  };
}

function run(
  id: string,
  state: RunState,
  t0: number,
  tasks: Record<string, TaskView>,
  ended: boolean,
): RunView {
  return {
    id,
    workflow: "iris-demo",
    version: 1,
    state,
    params: { test_size: 0.2 },
    logicalDate: at(t0, 0),
    trigger: "schedule",
    startedAt: at(t0, 0),
    endedAt: ended ? at(t0, 95) : null,
    tasks,
  };
}

/** The executed notebook of the failed `train` task: parameters, injected cell, the error. */
export const DEMO_FAILED_NOTEBOOK: JsonObject = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { language_info: { name: "python" }, papermill: { exception: true } },
  cells: [
    {
      cell_type: "markdown",
      metadata: {},
      source: "# Train\nFits the model on the prepared rows.",
    },
    {
      cell_type: "code",
      metadata: { tags: ["parameters"] },
      execution_count: 1,
      source: "train_path = 'data/train.csv'\nmodel = 'logreg'\nepochs = 10",
      outputs: [],
    },
    {
      cell_type: "code",
      metadata: { tags: ["injected-parameters"] },
      execution_count: 2,
      source: '# Parameters\ntrain_path = "data/run/train.csv"\n',
      outputs: [],
    },
    {
      cell_type: "code",
      metadata: { papermill: { exception: true, status: "failed", duration: 0.4 } },
      execution_count: 3,
      source: "rows = load(train_path)\nassert len(rows) > 100, 'too few rows'",
      outputs: [
        { output_type: "stream", name: "stdout", text: ["loaded 42 rows\n"] },
        {
          output_type: "error",
          ename: "AssertionError",
          evalue: "too few rows",
          traceback: [
            "\u001b[0;31mAssertionError\u001b[0m                            Traceback (most recent call last)",
            "Cell \u001b[0;32mIn[3], line 2\u001b[0m\n----> 2 assert len(rows) > 100, 'too few rows'",
            "\u001b[0;31mAssertionError\u001b[0m: too few rows",
          ],
        },
      ],
    },
  ],
};

/** Adds the demo runs (ids `demo-ok`, `demo-failed`, `demo-running`) relative to `now`. */
export function seedDemoRuns(runs: MemoryRuns, now: Date): void {
  const t = now.getTime();
  const day = 86_400_000;
  runs.addRun(
    run(
      "demo-ok",
      "succeeded",
      t - 2 * day,
      Object.fromEntries(
        TASKS.map((id, i) => [
          id,
          task("succeeded", at(t - 2 * day, i * 30), at(t - 2 * day, i * 30 + 28)),
        ]),
      ),
      true,
    ),
  );
  const f = t - day;
  runs.addRun(
    run(
      "demo-failed",
      "failed",
      f,
      {
        prepare: task("succeeded", at(f, 0), at(f, 20), {
          outputs: { train_path: "data/run/train.csv" },
        }),
        train: task("failed", at(f, 21), at(f, 95), {
          error: { code: "E_NOTEBOOK_FAILED", message: "AssertionError: too few rows (In [3])" },
        }),
        report: task("upstream_failed", null, null),
      },
      true,
    ),
  );
  runs.setNotebook("demo-failed", "train", DEMO_FAILED_NOTEBOOK);
  runs.addRun(
    run(
      "demo-running",
      "running",
      t - 40_000,
      {
        prepare: task("running", at(t, -40), null),
        train: task("pending", null, null),
        report: task("pending", null, null),
      },
      false,
    ),
  );
  runs.appendLog("demo-failed", "train", "loaded 42 rows\nAssertionError: too few rows\n");
  runs.appendLog(
    "demo-running",
    "prepare",
    "reading data/iris.csv\nsplitting 150 rows (test_size=0.2)\n",
  );
}
