/** Operations on tasks: add (from the palette or a notebook), update, move, delete, rename. */
import { taskIdProblem, uniqueId } from "./ids.js";
import {
  accept,
  cloneJson,
  getOwn,
  refuse,
  renameKey,
  setOwn,
  taskOf,
  withKey,
  withTask,
  type DesignDoc,
  type JsonValue,
  type OpResult,
  type Position,
  type TaskDraft,
} from "./model.js";
import { paletteEntry } from "./palette.js";
import { renameTaskReferences } from "./references.js";

/** A new task and the document holding it. */
export type AddResult = { ok: true; doc: DesignDoc; id: string } | { ok: false; message: string };

/** Adds `task` under a fresh id derived from `base` at `position`. */
function insert(doc: DesignDoc, base: string, task: TaskDraft, position: Position): AddResult {
  const id = uniqueId(base, (x) => taskOf(doc, x) !== undefined);
  return {
    ok: true,
    id,
    doc: {
      ...doc,
      tasks: withKey(doc.tasks, id, task),
      positions: withKey(doc.positions, id, { x: position.x, y: position.y }),
    },
  };
}

/** Adds a task of `type` from the palette with its defaults; the id is the type, made unique. */
export function addTask(doc: DesignDoc, type: string, position: Position, id?: string): AddResult {
  const entry = paletteEntry(type);
  if (entry === undefined)
    return { ok: false, message: `unknown task type ${JSON.stringify(type)}` };
  const task: TaskDraft = {
    type,
    needs: [],
    params: {},
    outputs: [],
    ...cloneJson(entry.defaults),
  };
  return insert(doc, id ?? type, task, position);
}

/** A notebook from the library, as the designer's palette lists it. */
export interface LibraryNotebook {
  /** Path in the library, e.g. `notebooks/train.ipynb`. */
  path: string;
  /** Output names the notebook is known to publish, when the library says. */
  outputs?: string[];
}

/**
 * Adds a notebook task for `notebook`, its id from the file name. Params start empty:
 * the notebook's own defaults apply until the user sets or binds one.
 */
export function addNotebookTask(
  doc: DesignDoc,
  notebook: LibraryNotebook,
  position: Position,
): AddResult {
  const file = notebook.path.split("/").pop() ?? notebook.path;
  const base = file.replace(/\.ipynb$/i, "");
  const task: TaskDraft = {
    type: "notebook",
    notebook: notebook.path,
    needs: [],
    params: {},
    outputs: [...(notebook.outputs ?? [])],
  };
  return insert(doc, base, task, position);
}

/**
 * Sets (or with undefined, removes) fields of task `id`: policy fields such as retries,
 * timeout, pool, resources and `when`, or type fields. `needs`, `params` and `outputs`
 * keep their list/mapping shape (use the dedicated operations to change edges).
 */
export function updateTask(
  doc: DesignDoc,
  id: string,
  patch: Record<string, JsonValue | undefined>,
): OpResult {
  const task = taskOf(doc, id);
  if (task === undefined) return refuse(`there is no task ${JSON.stringify(id)}`);
  let next: Record<string, JsonValue> = task;
  for (const [key, value] of Object.entries(patch)) {
    if (key === "needs") return refuse("change needs by connecting or disconnecting tasks");
    if (key === "type" && typeof value !== "string") return refuse("a task needs a type");
    if ((key === "params" || key === "outputs") && value === undefined) {
      next = withKey<JsonValue>(next, key, key === "params" ? {} : []);
    } else next = withKey(next, key, value);
  }
  return accept(withTask(doc, id, next as TaskDraft));
}

/** Moves tasks to new positions (unknown ids are ignored). */
export function moveTasks(doc: DesignDoc, moves: Readonly<Record<string, Position>>): DesignDoc {
  // One copy for all moves: an auto-layout moves every task, and a copy per move is O(n^2).
  let positions: Record<string, Position> | undefined;
  for (const [id, p] of Object.entries(moves)) {
    if (taskOf(doc, id) === undefined) continue;
    const old = getOwn(positions ?? doc.positions, id);
    if (old !== undefined && old.x === p.x && old.y === p.y) continue;
    if (positions === undefined) {
      positions = {};
      for (const k of Object.keys(doc.positions))
        setOwn(positions, k, doc.positions[k] as Position);
    }
    // Redefining an existing key keeps its place, so the order stays as it was.
    setOwn(positions, id, { x: p.x, y: p.y });
  }
  return positions === undefined ? doc : { ...doc, positions };
}

/**
 * Deletes tasks with their positions and their edges. References to their outputs in
 * other tasks stay, so the validator points at each one to fix.
 */
export function deleteTasks(doc: DesignDoc, ids: Iterable<string>): DesignDoc {
  const gone = new Set([...ids].filter((id) => taskOf(doc, id) !== undefined));
  if (gone.size === 0) return doc;
  const tasks: Record<string, TaskDraft> = {};
  for (const [id, task] of Object.entries(doc.tasks)) {
    if (gone.has(id)) continue;
    const needs = task.needs.filter((n) => !gone.has(n));
    setOwn(tasks, id, needs.length === task.needs.length ? task : { ...task, needs });
  }
  let positions = doc.positions;
  for (const id of gone) positions = withKey<Position>(positions, id, undefined);
  return { ...doc, tasks, positions };
}

/**
 * Renames task `from` to `to`, keeping its place in the declaration order and
 * rewriting every `needs` entry and every `{{ tasks.from... }}` reference.
 */
export function renameTask(doc: DesignDoc, from: string, to: string): OpResult {
  if (taskOf(doc, from) === undefined) return refuse(`there is no task ${JSON.stringify(from)}`);
  if (from === to) return accept(doc);
  const problem = taskIdProblem(to);
  if (problem !== undefined) return refuse(problem);
  if (taskOf(doc, to) !== undefined) return refuse(`there is already a task ${JSON.stringify(to)}`);
  const tasks: Record<string, TaskDraft> = {};
  for (const [id, task] of Object.entries(renameKey(doc.tasks, from, to))) {
    const needs = task.needs.includes(from)
      ? task.needs.map((n) => (n === from ? to : n))
      : task.needs;
    setOwn(
      tasks,
      id,
      renameTaskReferences(needs === task.needs ? task : { ...task, needs }, from, to),
    );
  }
  return accept({ ...doc, tasks, positions: renameKey(doc.positions, from, to) });
}
