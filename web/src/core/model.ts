/**
 * The designer's document: a workflow (DESIGN.md §2) as the canvas edits it. Nodes are
 * tasks with positions (`ui.positions`), edges are `needs`. Documents are immutable:
 * every operation returns a new document sharing the parts it did not change, so undo
 * is a list of snapshots and React can compare by reference.
 */
import type { JsonObject, JsonValue } from "../../../src/spec/types.js";

export type { JsonObject, JsonValue };

/** A node's place on the canvas (top-left corner, canvas units). */
export interface Position {
  x: number;
  y: number;
}

/**
 * A task as written, with `needs`, `params` and `outputs` always present. Every other
 * field stays as the user wrote it, unknown ones included, so the server's validator
 * reports a typo instead of the designer silently dropping it.
 */
export interface TaskDraft {
  type: string;
  needs: string[];
  params: JsonObject;
  outputs: string[];
  [field: string]: JsonValue;
}

/** A workflow being designed. */
export interface DesignDoc {
  /**
   * Top-level fields other than `tasks` and `ui` (name, description, schedule,
   * timezone, catchup, maxActiveRuns, params, defaults, and any unknown key).
   */
  top: JsonObject;
  /** Tasks by id; key order is declaration order. */
  tasks: Record<string, TaskDraft>;
  /** Canvas positions by task id (`ui.positions`). */
  positions: Record<string, Position>;
  /** Fields of `ui` other than `positions`, kept as written. */
  ui: JsonObject;
}

/** What an operation that may be refused returns. */
export type OpResult = { ok: true; doc: DesignDoc } | { ok: false; message: string };

/** A refused operation with a message the user can act on. */
export function refuse(message: string): OpResult {
  return { ok: false, message };
}

/** An accepted operation. */
export function accept(doc: DesignDoc): OpResult {
  return { ok: true, doc };
}

/** A new, empty workflow named `name`. */
export function emptyDoc(name = "untitled"): DesignDoc {
  return { top: { name }, tasks: {}, positions: {}, ui: {} };
}

/** True for a non-null, non-array object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * A copy of `obj` with `key` set to `value` (removed when `value` is undefined), in
 * place when the key exists, last otherwise. A `__proto__` key stays plain data.
 */
export function withKey<T>(
  obj: Readonly<Record<string, T>>,
  key: string,
  value: T | undefined,
): Record<string, T> {
  const out: Record<string, T> = {};
  let seen = false;
  for (const k of Object.keys(obj)) {
    if (k === key) {
      seen = true;
      if (value !== undefined) setOwn(out, k, value);
    } else setOwn(out, k, obj[k] as T);
  }
  if (!seen && value !== undefined) setOwn(out, key, value);
  return out;
}

/** A copy of `obj` with `from` renamed to `to` in the same place. */
export function renameKey<T>(
  obj: Readonly<Record<string, T>>,
  from: string,
  to: string,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(obj)) setOwn(out, k === from ? to : k, obj[k] as T);
  return out;
}

/** Sets an own enumerable property; a `__proto__` key stays data, never a prototype. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The own property `key` of `obj`, never one inherited from Object.prototype. */
export function getOwn<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** The task `id` of `doc`, or undefined (own keys only). */
export function taskOf(doc: DesignDoc, id: string): TaskDraft | undefined {
  return getOwn(doc.tasks, id);
}

/** A copy of `doc` with task `id` replaced by `task`. */
export function withTask(doc: DesignDoc, id: string, task: TaskDraft): DesignDoc {
  return { ...doc, tasks: withKey(doc.tasks, id, task) };
}

/** A deep copy of a JSON value whose `__proto__` keys are plain own data. */
export function cloneJson<T extends JsonValue>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => cloneJson(v)) as T;
  if (value !== null && typeof value === "object") {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) setOwn(out, key, cloneJson(value[key] as JsonValue));
    return out as T;
  }
  return value;
}
