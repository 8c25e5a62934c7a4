/**
 * Copy and paste of a selection of tasks. Pasted tasks whose ids clash are renamed
 * (`train` -> `train_2`), edges inside the selection are kept, and references between
 * pasted tasks follow the renames.
 */
import { uniqueId } from "./ids.js";
import {
  cloneJson,
  getOwn,
  isObject,
  setOwn,
  taskOf,
  withKey,
  type DesignDoc,
  type JsonValue,
  type Position,
  type TaskDraft,
} from "./model.js";
import { renameTasksReferences } from "./references.js";

/** A copied selection: tasks (in declaration order) and their positions. */
export interface Clipboard {
  kind: "updraft-tasks";
  tasks: Record<string, TaskDraft>;
  positions: Record<string, Position>;
}

/** Copies the tasks `ids` of `doc` (unknown ids are ignored), in declaration order. */
export function copyTasks(doc: DesignDoc, ids: Iterable<string>): Clipboard {
  const wanted = new Set(ids);
  const tasks: Record<string, TaskDraft> = {};
  const positions: Record<string, Position> = {};
  for (const [id, task] of Object.entries(doc.tasks)) {
    if (!wanted.has(id)) continue;
    setOwn(tasks, id, cloneJson(task));
    const p = getOwn(doc.positions, id);
    if (p !== undefined) setOwn(positions, id, { ...p });
  }
  return { kind: "updraft-tasks", tasks, positions };
}

/** The result of a paste: the document and the ids of the new tasks (to select them). */
export interface PasteResult {
  doc: DesignDoc;
  ids: string[];
}

/**
 * Pastes a clipboard into `doc`, offset by `offset`. Needs pointing inside the
 * clipboard are rewired to the pasted copies; needs of tasks outside it are kept when
 * that task exists in `doc` (a copy only adds downstream edges, so no cycle can form)
 * and dropped otherwise.
 */
export function pasteTasks(
  doc: DesignDoc,
  clip: Clipboard,
  offset: Position = { x: 40, y: 40 },
): PasteResult {
  const rename = new Map<string, string>();
  const taken = (id: string): boolean =>
    taskOf(doc, id) !== undefined || [...rename.values()].includes(id);
  for (const id of Object.keys(clip.tasks)) rename.set(id, uniqueId(id, taken));
  const moved = new Map([...rename].filter(([from, to]) => from !== to));
  let tasks = doc.tasks;
  let positions = doc.positions;
  const ids: string[] = [];
  for (const [oldId, original] of Object.entries(clip.tasks)) {
    const id = rename.get(oldId)!;
    let task: TaskDraft = cloneJson(original);
    const needs: string[] = [];
    for (const n of task.needs) {
      const target = rename.get(n) ?? (taskOf(doc, n) !== undefined ? n : undefined);
      if (target !== undefined && !needs.includes(target)) needs.push(target);
    }
    task.needs = needs;
    task = renameTasksReferences(task, moved);
    tasks = withKey(tasks, id, task);
    const p = getOwn(clip.positions, oldId);
    if (p !== undefined)
      positions = withKey(positions, id, { x: p.x + offset.x, y: p.y + offset.y });
    ids.push(id);
  }
  return { doc: { ...doc, tasks, positions }, ids };
}

/** Reads a clipboard back from its JSON text (the system clipboard), or undefined when it is not one. */
export function parseClipboard(text: string): Clipboard | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
  if (!isObject(value) || value["kind"] !== "updraft-tasks") return undefined;
  const tasks = value["tasks"];
  const positions = value["positions"];
  if (!isObject(tasks) || !isObject(positions)) return undefined;
  const out: Clipboard = { kind: "updraft-tasks", tasks: {}, positions: {} };
  for (const id of Object.keys(tasks)) {
    const t = tasks[id];
    if (!isObject(t) || typeof t["type"] !== "string") return undefined;
    const needs = Array.isArray(t["needs"])
      ? t["needs"].filter((n): n is string => typeof n === "string")
      : [];
    const outputs = Array.isArray(t["outputs"])
      ? t["outputs"].filter((n): n is string => typeof n === "string")
      : [];
    const params = isObject(t["params"])
      ? (cloneJson(t["params"] as JsonValue) as TaskDraft["params"])
      : {};
    setOwn(out.tasks, id, { ...(cloneJson(t as JsonValue) as TaskDraft), needs, outputs, params });
    const p = positions[id];
    if (isObject(p) && typeof p["x"] === "number" && typeof p["y"] === "number") {
      setOwn(out.positions, id, { x: p["x"], y: p["y"] });
    }
  }
  return out;
}
