/** The public JSON shape of a run (DESIGN.md §7), shared by `updraft run --json` and the API. */
import type { JsonObject, JsonValue } from "../spec/types.js";
import type { RunState, RunWithTasks, TaskErrorInfo, TaskState } from "../store/types.js";

/** One task of a run as users see it. */
export interface TaskView {
  state: TaskState;
  attempts: number;
  outputs: { [key: string]: JsonValue };
  startedAt: string | null;
  endedAt: string | null;
  error: TaskErrorInfo | null;
}

/** A run as users see it. */
export interface RunView {
  id: string;
  workflow: string;
  version: number;
  state: RunState;
  params: JsonObject;
  logicalDate: string;
  trigger: string;
  startedAt: string | null;
  endedAt: string | null;
  tasks: Record<string, TaskView>;
}

/** Converts a stored run into its public JSON shape, tasks in the given order. */
export function toRunView(run: RunWithTasks, order?: readonly string[]): RunView {
  const byId = new Map(run.tasks.map((t) => [t.taskId, t]));
  const ids = order ?? run.tasks.map((t) => t.taskId);
  const tasks: Record<string, TaskView> = {};
  for (const id of ids) {
    const t = byId.get(id);
    if (!t) continue;
    tasks[id] = {
      state: t.state,
      attempts: t.attempts,
      outputs: t.outputs,
      startedAt: t.startedAt,
      endedAt: t.endedAt,
      error: t.error,
    };
  }
  return {
    id: run.id,
    workflow: run.workflow,
    version: run.version,
    state: run.state,
    params: run.params,
    logicalDate: run.logicalDate,
    trigger: run.trigger,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    tasks,
  };
}
