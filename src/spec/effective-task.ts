/** A task with the workflow's `defaults` applied. */
import { ErrorCodes, UpdraftError } from "./errors.js";
import { cloneJson } from "./json.js";
import { quote } from "./names.js";
import type { JsonObject, Task, TaskPolicy, Workflow } from "./types.js";

const POLICY_FIELDS = [
  "retries",
  "retryDelay",
  "retryBackoff",
  "retryMaxDelay",
  "timeout",
  "pool",
  "when",
  "image",
] as const satisfies readonly (keyof TaskPolicy)[];

/**
 * The task `taskId` with `workflow.defaults` under its own fields: a field the task
 * sets wins; `env` and `resources` are merged key by key (the task's keys win). `when`
 * stays undefined when neither sets it (meaning `all_success`). Returns a copy. Throws
 * UpdraftError E_NOT_FOUND for an unknown task id.
 */
export function effectiveTask(workflow: Workflow, taskId: string): Task {
  if (!Object.hasOwn(workflow.tasks, taskId)) {
    throw new UpdraftError(
      ErrorCodes.NOT_FOUND,
      `workflow ${quote(workflow.name)} has no task ${quote(taskId)}`,
    );
  }
  const task = cloneJson(workflow.tasks[taskId] as unknown as JsonObject) as unknown as Task;
  const defaults = workflow.defaults;
  const out = task as unknown as Record<string, unknown>;
  for (const field of POLICY_FIELDS) {
    if (out[field] === undefined && defaults[field] !== undefined) out[field] = defaults[field];
  }
  if (defaults.env !== undefined || task.env !== undefined) {
    task.env = { ...defaults.env, ...task.env };
  }
  if (defaults.resources !== undefined || task.resources !== undefined) {
    task.resources = { ...defaults.resources, ...task.resources };
  }
  return task;
}
