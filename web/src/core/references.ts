/**
 * Rewrites `{{ tasks.X... }}` and `{{ params.X... }}` references inside a document's
 * strings when a task or a workflow param is renamed. Only text inside an expression
 * changes: `\{{` (a literal brace pair) and plain text that happens to say `tasks.x`
 * are left alone.
 */
import { setOwn, type JsonObject, type JsonValue, type TaskDraft } from "./model.js";

/**
 * A function rewriting `{{ ROOT.ID` to `{{ ROOT.NEW` for every ID in `renames`, in one
 * pass (so swapping renames cannot collide); an ID must be a whole segment
 * (`tasks.prep` never matches `tasks.prepare`).
 */
function rewriter(
  root: "tasks" | "params",
  renames: ReadonlyMap<string, string>,
): (s: string) => string {
  const re = new RegExp(
    `(^|[^\\\\])\\{\\{(\\s*)${root}\\.([A-Za-z_][A-Za-z0-9_-]*)(?=\\s*\\}\\}|\\.)`,
    "g",
  );
  return (s) =>
    s.includes("{{")
      ? s.replace(re, (m, pre: string, ws: string, id: string) => {
          const to = renames.get(id);
          return to === undefined ? m : `${pre}{{${ws}${root}.${to}`;
        })
      : s;
}

/** `value` with `fn` applied to every string inside it (keys untouched); same object when nothing changed. */
export function mapStrings(value: JsonValue, fn: (s: string) => string): JsonValue {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const w = mapStrings(v, fn);
      if (w !== v) changed = true;
      return w;
    });
    return changed ? out : value;
  }
  if (value !== null && typeof value === "object") {
    let changed = false;
    const out: JsonObject = {};
    for (const key of Object.keys(value)) {
      const v = value[key] as JsonValue;
      const w = mapStrings(v, fn);
      if (w !== v) changed = true;
      setOwn(out, key, w);
    }
    return changed ? out : value;
  }
  return value;
}

/**
 * The task with `fn` applied to every string of every field except `needs`, `type` and
 * inline `code` (which the engine does not template: Python f-strings use `{{`).
 */
function mapTaskStrings(task: TaskDraft, fn: (s: string) => string): TaskDraft {
  let changed = false;
  const out = {} as TaskDraft;
  for (const key of Object.keys(task)) {
    const v = task[key] as JsonValue;
    const w = key === "needs" || key === "type" || key === "code" ? v : mapStrings(v, fn);
    if (w !== v) changed = true;
    setOwn(out as Record<string, JsonValue>, key, w);
  }
  return changed ? out : task;
}

/** The task with references to task `from` rewritten to `to`. */
export function renameTaskReferences(task: TaskDraft, from: string, to: string): TaskDraft {
  return mapTaskStrings(task, rewriter("tasks", new Map([[from, to]])));
}

/** The task with references to every task in `renames` rewritten at once. */
export function renameTasksReferences(
  task: TaskDraft,
  renames: ReadonlyMap<string, string>,
): TaskDraft {
  return renames.size === 0 ? task : mapTaskStrings(task, rewriter("tasks", renames));
}

/** The task with references to workflow param `from` rewritten to `to`. */
export function renameParamReferences(task: TaskDraft, from: string, to: string): TaskDraft {
  return mapTaskStrings(task, rewriter("params", new Map([[from, to]])));
}

/** A JSON value (e.g. `defaults`) with references to workflow param `from` rewritten to `to`. */
export function renameParamReferencesIn(value: JsonValue, from: string, to: string): JsonValue {
  return mapStrings(value, rewriter("params", new Map([[from, to]])));
}
