/**
 * Where a task param's value comes from: the notebook's default (unset), a literal, a
 * workflow param, or an upstream task's output. Binding to an output of a task that is
 * not upstream yet adds the edge, and is refused when that edge would close a cycle.
 */
import { analyzeExpressions } from "../../../src/spec/expressions.js";
import { connectProblem, downstreamSet, upstreamSet } from "./graph.js";
import {
  accept,
  getOwn,
  isObject,
  refuse,
  taskOf,
  withKey,
  withTask,
  type DesignDoc,
  type JsonValue,
  type OpResult,
} from "./model.js";

/** The source of one param's value. */
export type Binding =
  | { kind: "unset" }
  | { kind: "literal"; value: JsonValue }
  | { kind: "param"; name: string }
  | { kind: "output"; task: string; output: string }
  /** A string mixing text and expressions, edited as text. */
  | { kind: "template"; text: string };

/** How the value `value` (absent: unset) of a param reads as a binding. */
export function bindingOf(value: JsonValue | undefined): Binding {
  if (value === undefined) return { kind: "unset" };
  if (typeof value !== "string" || !value.includes("{{")) return { kind: "literal", value };
  const { references, problems } = analyzeExpressions(value);
  const [only] = references;
  if (
    problems.length === 0 &&
    references.length === 1 &&
    only !== undefined &&
    only.expression === value.trim()
  ) {
    if (only.kind === "param" && only.path.length === 2) return { kind: "param", name: only.name };
    if (only.kind === "task_output" && only.path.length === 4) {
      return { kind: "output", task: only.task, output: only.output };
    }
  }
  return { kind: "template", text: value };
}

/** The value a binding writes into `params` (undefined: remove the param). */
export function bindingValue(binding: Binding): JsonValue | undefined {
  switch (binding.kind) {
    case "unset":
      return undefined;
    case "literal":
      return binding.value;
    case "param":
      return `{{ params.${binding.name} }}`;
    case "output":
      return `{{ tasks.${binding.task}.outputs.${binding.output} }}`;
    case "template":
      return binding.text;
  }
}

/** Something a param can be bound to, as the side panel lists it. */
export type BindingChoice =
  | { kind: "param"; name: string; type?: string }
  | { kind: "output"; task: string; output: string; upstream: boolean };

/**
 * What a param of task `id` can be bound to: every workflow param, and every declared
 * output of every task that would not close a cycle (itself and its downstream are
 * left out); `upstream` says whether choosing it needs a new edge.
 */
export function bindingChoices(doc: DesignDoc, id: string): BindingChoice[] {
  const out: BindingChoice[] = [];
  const params = getOwn(doc.top, "params");
  if (isObject(params)) {
    for (const name of Object.keys(params)) {
      const spec = params[name];
      const type = isObject(spec) && typeof spec["type"] === "string" ? spec["type"] : undefined;
      out.push(type === undefined ? { kind: "param", name } : { kind: "param", name, type });
    }
  }
  const up = upstreamSet(doc, id);
  const down = downstreamSet(doc, id);
  for (const [other, task] of Object.entries(doc.tasks)) {
    if (other === id || down.has(other)) continue;
    for (const output of task.outputs) {
      out.push({ kind: "output", task: other, output, upstream: up.has(other) });
    }
  }
  return out;
}

/**
 * Binds param `name` of task `id`. An output of a task not yet upstream adds the edge
 * (refused, naming the cycle, when it would close one); an output the source task does
 * not declare yet is added to its `outputs`.
 */
export function bindParam(doc: DesignDoc, id: string, name: string, binding: Binding): OpResult {
  const task = taskOf(doc, id);
  if (task === undefined) return refuse(`there is no task ${JSON.stringify(id)}`);
  let next = doc;
  if (binding.kind === "output") {
    const source = taskOf(doc, binding.task);
    if (source === undefined) return refuse(`there is no task ${JSON.stringify(binding.task)}`);
    if (!upstreamSet(doc, id).has(binding.task)) {
      const problem = connectProblem(doc, binding.task, id);
      if (problem !== undefined) return refuse(problem);
      next = withTask(next, id, { ...task, needs: [...task.needs, binding.task] });
    }
    if (!source.outputs.includes(binding.output)) {
      next = withTask(next, binding.task, {
        ...source,
        outputs: [...source.outputs, binding.output],
      });
    }
  }
  const current = taskOf(next, id)!;
  const params = withKey(current.params, name, bindingValue(binding));
  return accept(withTask(next, id, { ...current, params }));
}
