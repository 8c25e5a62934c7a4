/**
 * Converts between plain workflow documents (parsed YAML/JSON, the API's JSON) and
 * DesignDocs. Reading is lenient about everything the validator judges (unknown keys,
 * wrong value types) and strict only about the shapes a graph needs; writing puts keys
 * in one stable order so the YAML tab does not jump around as the user edits.
 */
import type { ValidationIssue } from "../../../src/spec/errors.js";
import { formatPath, type PathSegment } from "../../../src/spec/path.js";
import {
  cloneJson,
  getOwn,
  isObject,
  setOwn,
  type DesignDoc,
  type JsonObject,
  type JsonValue,
  type Position,
  type TaskDraft,
} from "./model.js";

/** Top-level keys in the order documents are written; unknown keys follow them. */
const TOP_ORDER = [
  "name",
  "description",
  "schedule",
  "timezone",
  "catchup",
  "maxActiveRuns",
  "params",
  "defaults",
] as const;
/** Keys of a workflow param, in order. */
const PARAM_ORDER = ["type", "default", "description", "enum", "minimum", "maximum"] as const;
/** Policy keys (tasks and `defaults`), in order. */
export const POLICY_ORDER = [
  "retries",
  "retryDelay",
  "retryBackoff",
  "retryMaxDelay",
  "timeout",
  "pool",
  "when",
  "resources",
  "image",
  "env",
] as const;
/** Type-specific task keys, in order. */
const TYPE_FIELD_ORDER = [
  "notebook",
  "kernel",
  "script",
  "code",
  "file",
  "format",
  "command",
  "application",
  "args",
  "conf",
  "replicas",
  "ps",
  "executors",
  "launch",
  "left",
  "op",
  "right",
] as const;

/** Where reading a document stopped: the issues say which shapes the graph cannot show. */
export type ReadResult = { ok: true; doc: DesignDoc } | { ok: false; issues: ValidationIssue[] };

function issue(path: PathSegment[], message: string): ValidationIssue {
  return { path: formatPath(path), message };
}

function stringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === "string");
}

function readTask(id: string, raw: unknown, issues: ValidationIssue[]): TaskDraft | undefined {
  const at: PathSegment[] = ["tasks", id];
  if (!isObject(raw)) {
    issues.push(issue(at, `task ${JSON.stringify(id)} must be a mapping with at least a type`));
    return undefined;
  }
  const type = getOwn(raw, "type");
  const needs = getOwn(raw, "needs") ?? [];
  const params = getOwn(raw, "params") ?? {};
  const outputs = getOwn(raw, "outputs") ?? [];
  let ok = true;
  if (typeof type !== "string") {
    issues.push(issue([...at, "type"], "a task needs a type (a string such as notebook)"));
    ok = false;
  }
  if (!stringList(needs)) {
    issues.push(issue([...at, "needs"], "needs must be a list of task ids"));
    ok = false;
  }
  if (!isObject(params)) {
    issues.push(issue([...at, "params"], "params must be a mapping of names to values"));
    ok = false;
  }
  if (!stringList(outputs)) {
    issues.push(issue([...at, "outputs"], "outputs must be a list of names"));
    ok = false;
  }
  if (!ok) return undefined;
  const task = cloneJson(raw as JsonObject) as TaskDraft;
  task.needs = [...(needs as string[])];
  task.params = cloneJson(params as JsonObject);
  task.outputs = [...(outputs as string[])];
  return task;
}

function readPositions(raw: unknown, issues: ValidationIssue[]): Record<string, Position> {
  const out: Record<string, Position> = {};
  if (raw === undefined) return out;
  if (!isObject(raw)) {
    issues.push(issue(["ui", "positions"], "ui.positions must map task ids to { x, y }"));
    return out;
  }
  for (const id of Object.keys(raw)) {
    const p = raw[id];
    const x = isObject(p) ? p["x"] : undefined;
    const y = isObject(p) ? p["y"] : undefined;
    if (typeof x === "number" && typeof y === "number" && Number.isFinite(x + y)) {
      setOwn(out, id, { x, y });
    } else {
      issues.push(issue(["ui", "positions", id], "a position is { x: number, y: number }"));
    }
  }
  return out;
}

/**
 * Reads a plain document into a DesignDoc. Refuses (with issues at their paths) only
 * what a graph cannot show: a non-mapping document, tasks or task, a task without a
 * string type, needs or outputs that are not lists of strings, params that are not a
 * mapping, positions that are not numbers. Everything else is kept for the validator.
 */
export function readDocument(value: unknown): ReadResult {
  if (!isObject(value)) {
    return {
      ok: false,
      issues: [issue([], "a workflow document must be a mapping with at least name and tasks")],
    };
  }
  const issues: ValidationIssue[] = [];
  const top: JsonObject = {};
  for (const key of Object.keys(value)) {
    if (key !== "tasks" && key !== "ui") setOwn(top, key, cloneJson(value[key] as JsonValue));
  }
  const rawTasks = getOwn(value, "tasks") ?? {};
  const tasks: Record<string, TaskDraft> = {};
  if (!isObject(rawTasks)) issues.push(issue(["tasks"], "tasks must map task ids to tasks"));
  else {
    for (const id of Object.keys(rawTasks)) {
      const task = readTask(id, rawTasks[id], issues);
      if (task !== undefined) setOwn(tasks, id, task);
    }
  }
  const rawUi = getOwn(value, "ui");
  const ui: JsonObject = {};
  let positions: Record<string, Position> = {};
  if (rawUi !== undefined && !isObject(rawUi)) {
    issues.push(issue(["ui"], "ui must be a mapping (it holds the designer's layout)"));
  } else if (rawUi !== undefined) {
    positions = readPositions(getOwn(rawUi, "positions"), issues);
    for (const key of Object.keys(rawUi)) {
      if (key !== "positions") setOwn(ui, key, cloneJson(rawUi[key] as JsonValue));
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, doc: { top, tasks, positions, ui } };
}

/** Copies `keys` of `src` that are set, in order, then every other key in its order. */
function ordered(src: Readonly<Record<string, JsonValue>>, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of keys) {
    const v = getOwn(src, k);
    if (v !== undefined) setOwn(out, k, v);
  }
  for (const k of Object.keys(src)) {
    if (!Object.hasOwn(out, k)) setOwn(out, k, src[k] as JsonValue);
  }
  return out;
}

function writeTask(task: TaskDraft): JsonObject {
  const out: JsonObject = {};
  const put = (k: string, v: JsonValue | undefined): void => {
    if (v !== undefined) setOwn(out, k, v);
  };
  put("type", task.type);
  put("description", getOwn(task, "description"));
  if (task.needs.length > 0) put("needs", task.needs);
  for (const k of TYPE_FIELD_ORDER) put(k, getOwn(task, k));
  if (Object.keys(task.params).length > 0) put("params", task.params);
  if (task.outputs.length > 0) put("outputs", task.outputs);
  for (const k of POLICY_ORDER) put(k, getOwn(task, k));
  for (const k of Object.keys(task)) {
    if (["needs", "params", "outputs"].includes(k) || Object.hasOwn(out, k)) continue;
    put(k, task[k]);
  }
  return out;
}

function writeParams(params: JsonValue): JsonValue {
  if (!isObject(params)) return params;
  const out: JsonObject = {};
  for (const name of Object.keys(params)) {
    const spec = params[name] as JsonValue;
    setOwn(out, name, isObject(spec) ? ordered(spec, PARAM_ORDER) : spec);
  }
  return out;
}

/**
 * The plain document of a DesignDoc, keys in a stable order: workflow fields, params,
 * defaults, unknown top-level keys, tasks (type, description, needs, type fields,
 * params, outputs, policy, unknown), then `ui` with positions in task order. Empty
 * needs, params and outputs are left out; positions of tasks that no longer exist too.
 */
export function writeDocument(doc: DesignDoc): JsonObject {
  const out = ordered(doc.top, TOP_ORDER);
  const params = getOwn(out, "params");
  if (params !== undefined) setOwn(out, "params", writeParams(params));
  const defaults = getOwn(out, "defaults");
  if (isObject(defaults)) setOwn(out, "defaults", ordered(defaults, POLICY_ORDER));
  const tasks: JsonObject = {};
  for (const id of Object.keys(doc.tasks)) setOwn(tasks, id, writeTask(doc.tasks[id]!));
  setOwn(out, "tasks", tasks);
  const positions: JsonObject = {};
  for (const id of Object.keys(doc.tasks)) {
    const p = getOwn(doc.positions, id);
    if (p !== undefined) setOwn(positions, id, { x: Math.round(p.x), y: Math.round(p.y) });
  }
  const ui: JsonObject = {};
  if (Object.keys(positions).length > 0) setOwn(ui, "positions", positions);
  for (const k of Object.keys(doc.ui)) setOwn(ui, k, doc.ui[k] as JsonValue);
  if (Object.keys(ui).length > 0) setOwn(out, "ui", ui);
  return out;
}
