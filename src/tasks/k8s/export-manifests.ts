/**
 * `updraft export k8s`: the Kubernetes manifests of every task of a workflow that has a
 * Kubernetes form, with the run's params resolved. Expressions that need a run (task
 * outputs, run.id) cannot be known ahead and stay as written.
 */
import { effectiveTask } from "../../spec/effective-task.js";
import { resolveValue, type ExpressionContext } from "../../spec/expressions.js";
import type { JsonObject, JsonValue, Task, Workflow } from "../../spec/types.js";
import { TEMPLATED_TASK_FIELDS } from "../../spec/validate.js";
import { KUBE_TASK_TYPES, taskManifests } from "./job-manifests.js";
import { resourceName, type KubeLayout, type KubeObject } from "./pod-template.js";

/** Options of {@link exportManifests}. */
export interface ExportManifestsOptions {
  /** The workflow's params (defaults and given values, already checked). */
  params: JsonObject;
  namespace?: string;
  layout?: Partial<KubeLayout>;
}

/** What the export produced: the objects, and a note for each task left out. */
export interface ExportedManifests {
  objects: KubeObject[];
  skipped: { task: string; reason: string }[];
}

/** Resolves what can be resolved before a run; leaves an expression that cannot as written. */
function resolveLeniently(value: JsonValue, ctx: ExpressionContext): JsonValue {
  try {
    return resolveValue(value, ctx);
  } catch {
    if (Array.isArray(value)) return value.map((v) => resolveLeniently(v, ctx));
    if (value !== null && typeof value === "object") {
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(value)) out[k] = resolveLeniently(v, ctx);
      return out;
    }
    return value;
  }
}

/** The manifests of every task of `workflow` that runs on Kubernetes, in task order. */
export function exportManifests(
  workflow: Workflow,
  opts: ExportManifestsOptions,
): ExportedManifests {
  const ctx: ExpressionContext = {
    params: opts.params,
    tasks: {},
    // Absent on purpose: lookups of run fields fail and stay as written.
    run: undefined as unknown as ExpressionContext["run"],
    workflow: { name: workflow.name },
  };
  const objects: KubeObject[] = [];
  const skipped: ExportedManifests["skipped"] = [];
  for (const id of Object.keys(workflow.tasks)) {
    const task = effectiveTask(workflow, id);
    if (!(KUBE_TASK_TYPES as readonly string[]).includes(task.type)) {
      skipped.push({ task: id, reason: `${task.type} tasks have no Kubernetes form` });
      continue;
    }
    const resolved = { ...task } as unknown as Record<string, JsonValue>;
    for (const field of TEMPLATED_TASK_FIELDS) {
      const v = resolved[field];
      if (v !== undefined) resolved[field] = resolveLeniently(v, ctx);
    }
    const final = resolved as unknown as Task;
    if (final.image === undefined) {
      skipped.push({ task: id, reason: "it has no image (set image on the task or in defaults)" });
      continue;
    }
    objects.push(
      ...taskManifests({
        workflow: workflow.name,
        taskId: id,
        task: final,
        params: { ...opts.params, ...final.params },
        name: resourceName([workflow.name, id]),
        ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
        ...(opts.layout !== undefined ? { layout: opts.layout } : {}),
      }),
    );
  }
  return { objects, skipped };
}
