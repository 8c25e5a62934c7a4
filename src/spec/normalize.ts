/**
 * Builds the normalized Workflow from a document that passed validation: optional
 * lists and maps present (`needs`, `params`, `outputs`, `args`, `conf` empty;
 * `catchup` false; `defaults` {}), durations given as numbers turned into `"<n>s"`,
 * env and conf values turned into strings, keys in one fixed order, values deep-copied
 * with `__proto__` kept as plain data. `when` and `connections` stay absent unless
 * written (the engine reads absent `when` as `all_success`).
 */
import { cloneJson, getOwn, isObject, setOwn } from "./json.js";
import type { JsonObject, JsonValue, ParamSpec, Task, Workflow } from "./types.js";

type Raw = Record<string, unknown>;

/** Copies the fields of `raw` that are set, in the order of `keys`. */
function pick(raw: Raw, keys: readonly string[], into: Raw = {}): Raw {
  for (const key of keys) {
    const v = getOwn(raw, key);
    if (v !== undefined) into[key] = cloneJson(v as JsonValue);
  }
  return into;
}

function strings(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(raw)) {
    for (const key of Object.keys(raw)) setOwn(out, key, String(raw[key] as string | number));
  }
  return out;
}

function duration(v: unknown): string | undefined {
  if (typeof v === "number") return `${v}s`;
  return typeof v === "string" ? v : undefined;
}

/** The policy fields (shared by `defaults` and tasks) of a raw object, normalized. */
function normalizePolicy(raw: Raw, into: Raw): Raw {
  pick(raw, ["retries"], into);
  const delay = duration(getOwn(raw, "retryDelay"));
  if (delay !== undefined) into["retryDelay"] = delay;
  pick(raw, ["retryBackoff"], into);
  const maxDelay = duration(getOwn(raw, "retryMaxDelay"));
  if (maxDelay !== undefined) into["retryMaxDelay"] = maxDelay;
  const timeout = duration(getOwn(raw, "timeout"));
  if (timeout !== undefined) into["timeout"] = timeout;
  pick(raw, ["pool", "when"], into);
  const resources = getOwn(raw, "resources");
  if (isObject(resources)) into["resources"] = pick(resources, ["cpu", "memory", "gpu"]);
  pick(raw, ["image"], into);
  const env = getOwn(raw, "env");
  if (env !== undefined) into["env"] = strings(env);
  return into;
}

const TYPE_FIELDS: Record<Task["type"], readonly string[]> = {
  notebook: ["notebook", "kernel"],
  python: ["script", "code", "args"],
  r: ["script", "code", "args"],
  rmarkdown: ["file", "format"],
  shell: ["command"],
  torch: ["script", "args", "replicas", "launch"],
  tensorflow: ["script", "args", "replicas", "ps", "launch"],
  dask: ["script", "args", "replicas", "launch"],
  spark: ["application", "args", "conf", "executors", "launch"],
  condition: ["left", "op", "right"],
  empty: [],
};

function normalizeTask(raw: Raw): Task {
  const type = raw["type"] as Task["type"];
  const task: Raw = { type };
  pick(raw, ["description"], task);
  task["needs"] = cloneJson((getOwn(raw, "needs") as JsonValue | undefined) ?? []);
  const params: JsonObject = {};
  const rawParams = getOwn(raw, "params");
  if (isObject(rawParams)) {
    for (const key of Object.keys(rawParams))
      setOwn(params, key, cloneJson(rawParams[key] as JsonValue));
  }
  task["params"] = params;
  task["outputs"] = cloneJson((getOwn(raw, "outputs") as JsonValue | undefined) ?? []);
  // Absent stays absent, so documents written before connections existed keep their form.
  pick(raw, ["connections"], task);
  for (const field of TYPE_FIELDS[type]) {
    const v = getOwn(raw, field);
    if (field === "args") task[field] = cloneJson((v as JsonValue | undefined) ?? []);
    else if (field === "conf") task[field] = strings(v);
    else if (v !== undefined) task[field] = cloneJson(v as JsonValue);
  }
  normalizePolicy(raw, task);
  return task as unknown as Task;
}

function normalizeParam(raw: Raw): ParamSpec {
  return pick(raw, [
    "type",
    "default",
    "description",
    "enum",
    "minimum",
    "maximum",
  ]) as unknown as ParamSpec;
}

/** The normalized Workflow of a valid document (see the module comment for the rules). */
export function normalizeWorkflow(doc: Raw): Workflow {
  const wf: Raw = { name: doc["name"] };
  pick(doc, ["description", "schedule", "timezone"], wf);
  wf["catchup"] = getOwn(doc, "catchup") ?? false;
  pick(doc, ["maxActiveRuns"], wf);
  const params: Record<string, ParamSpec> = {};
  const rawParams = getOwn(doc, "params");
  if (isObject(rawParams)) {
    for (const name of Object.keys(rawParams))
      setOwn(params, name, normalizeParam(rawParams[name] as Raw));
  }
  wf["params"] = params;
  const defaults = getOwn(doc, "defaults");
  wf["defaults"] = normalizePolicy(isObject(defaults) ? defaults : {}, {});
  const tasks: Record<string, Task> = {};
  const rawTasks = getOwn(doc, "tasks") as Raw;
  for (const id of Object.keys(rawTasks)) setOwn(tasks, id, normalizeTask(rawTasks[id] as Raw));
  wf["tasks"] = tasks;
  const ui = getOwn(doc, "ui");
  if (isObject(ui)) wf["ui"] = cloneJson(ui as JsonObject);
  return wf as unknown as Workflow;
}
