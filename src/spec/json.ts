/** Safe handling of untrusted JSON-like values: guards, own-key writes, clones. */
import type { PathSegment, Problem } from "./path.js";
import type { JsonObject, JsonValue } from "./types.js";

/** Deepest nesting accepted in a document (the format needs about 6 levels). */
export const MAX_DEPTH = 64;

/** True for a non-null, non-array object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The own property `key` of `obj`, never one inherited from Object.prototype. */
export function getOwn(obj: object, key: string): unknown {
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

/** Sets an own enumerable property; a `__proto__` key stays data, never a prototype. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A deep copy of a JSON value whose `__proto__` keys are plain own data. */
export function cloneJson(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (value !== null && typeof value === "object") {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) setOwn(out, key, cloneJson(value[key] as JsonValue));
    return out;
  }
  return value;
}

/** Structural equality of JSON values (key order ignored). */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]!));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k]!, b[k] as JsonValue));
  }
  return false;
}

/**
 * Checks that `value` is plain JSON a workflow may hold: nesting at most
 * {@link MAX_DEPTH}, finite numbers, no NUL characters in keys or strings, no
 * non-JSON objects. Iterative, so hostile nesting cannot overflow the stack.
 * Returns at most `limit` problems.
 */
export function inspectJson(value: unknown, limit = 100): Problem[] {
  const problems: Problem[] = [];
  const stack: { v: unknown; path: PathSegment[] }[] = [{ v: value, path: [] }];
  while (stack.length > 0 && problems.length < limit) {
    const { v, path } = stack.pop()!;
    if (typeof v === "string") {
      if (v.includes("\u0000")) problems.push({ path, message: "contains a NUL character" });
    } else if (typeof v === "number") {
      if (!Number.isFinite(v)) {
        problems.push({ path, message: `${v} is not a JSON number; use a finite number` });
      }
    } else if (v === null || typeof v === "boolean") {
      // fine
    } else if (path.length >= MAX_DEPTH) {
      problems.push({
        path: path.slice(0, 8),
        message: `nesting is deeper than ${MAX_DEPTH} levels; flatten the value`,
      });
      return problems;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
    } else if (isObject(v) && isPlainPrototype(v)) {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        if (key.includes("\u0000")) {
          problems.push({ path, message: "a key contains a NUL character" });
        }
        stack.push({ v: v[key], path: [...path, key] });
      }
    } else {
      problems.push({ path, message: `is not a JSON value (${describeType(v)})` });
    }
  }
  return problems;
}

function isPlainPrototype(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Names the JSON type of a value for messages: `a string`, `a list`, ... */
export function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  switch (typeof v) {
    case "string":
      return "a string";
    case "number":
      return Number.isInteger(v) ? "an integer" : "a number";
    case "boolean":
      return "a boolean";
    case "object":
      return isPlainPrototype(v) ? "a mapping" : "an object that is not plain JSON";
    default:
      return typeof v;
  }
}
