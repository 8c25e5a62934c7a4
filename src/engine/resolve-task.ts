/**
 * Resolves the `{{ ... }}` expressions of a task just before an attempt starts, when
 * the upstream outputs it refers to exist.
 */
import { resolveValue, type ExpressionContext } from "../spec/expressions.js";
import { TEMPLATED_TASK_FIELDS } from "../spec/validate.js";
import type { JsonValue, Task } from "../spec/types.js";

/** Returns a copy of the task with every templated field resolved against `ctx`. */
export function resolveTask(task: Task, ctx: ExpressionContext): Task {
  const out: Record<string, unknown> = { ...task };
  // Inline `code` is not templated: f-strings and glue use `{{`; code gets values via params.
  for (const field of TEMPLATED_TASK_FIELDS) {
    const value = (task as unknown as Record<string, JsonValue | undefined>)[field];
    if (value !== undefined) out[field] = resolveValue(value, ctx);
  }
  if (out["env"] !== undefined) out["env"] = stringifyEnv(out["env"] as Record<string, JsonValue>);
  return out as unknown as Task;
}

// Environment values must be strings; a typed expression (a number, a list) becomes JSON.
function stringifyEnv(env: Record<string, JsonValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  return out;
}
