/**
 * The upstream outputs a task reads, as the Jinja templates Airflow renders into the
 * operator's `refs` field. Only these generated templates ever reach Jinja: the
 * task's own values travel in a non-templated field and are resolved by the operator
 * with Updraft's expression rules, so a `{{`, `{%` or `{#` a user wrote is never
 * evaluated by Airflow.
 */
import { findReferences } from "../spec/expressions.js";
import { TEMPLATED_TASK_FIELDS } from "../spec/validate.js";
import type { JsonValue, Task } from "../spec/types.js";

/**
 * Marks a rendered ref. Under `render_template_as_native_obj=True` Jinja passes the
 * rendered text through `ast.literal_eval`, which would turn an output "123" into the
 * number 123 and "None" into None; text that starts with `json:` never parses as a
 * Python literal, so the operator receives the JSON exactly and decodes it itself.
 */
export const REF_PREFIX = "json:";

// Task ids and output names are validated identifiers; this guard keeps the Jinja
// string literals below well-formed even if that ever changed.
const SAFE_NAME = /^[A-Za-z0-9_-]+$/;

/** The key of a task-output ref in `refs`, as the operator looks it up. */
export function refKey(task: string, output: string): string {
  return `tasks.${task}.outputs.${output}`;
}

/** The Jinja template that renders one upstream output as prefixed JSON. */
export function xcomTemplate(task: string, output: string): string {
  if (!SAFE_NAME.test(task) || !SAFE_NAME.test(output)) {
    throw new Error(`unexpected characters in reference tasks.${task}.outputs.${output}`);
  }
  return `${REF_PREFIX}{{ ti.xcom_pull(task_ids='${task}', key='${output}') | tojson }}`;
}

/**
 * Every distinct upstream output the task's templated fields read, in document
 * order, as `[refKey, template]` pairs.
 */
export function taskXcomRefs(task: Task): [string, string][] {
  const seen = new Map<string, string>();
  const fields = task as unknown as Record<string, JsonValue | undefined>;
  for (const field of TEMPLATED_TASK_FIELDS) {
    const value = fields[field];
    if (value === undefined) continue;
    for (const ref of findReferences(value)) {
      if (ref.kind !== "task_output") continue;
      const key = refKey(ref.task, ref.output);
      if (!seen.has(key)) seen.set(key, xcomTemplate(ref.task, ref.output));
    }
  }
  return [...seen];
}
