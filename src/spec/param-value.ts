/** Checking and coercing a value against a declared param (type, enum, bounds). */
import { describeType, isObject, jsonEqual } from "./json.js";
import type { JsonValue, ParamSpec } from "./types.js";

const TYPE_NAMES: Record<ParamSpec["type"], string> = {
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
};

function hasType(type: ParamSpec["type"], v: unknown): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "integer":
      return typeof v === "number" && Number.isSafeInteger(v);
    case "boolean":
      return typeof v === "boolean";
    case "array":
      return Array.isArray(v);
    case "object":
      return isObject(v);
  }
}

/** Renders a value briefly for a message. */
export function showValue(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/**
 * What is wrong with `v` as a value of a param declared by `spec` (empty when it fits):
 * its type, then enum membership, then minimum and maximum.
 */
export function paramValueProblems(spec: ParamSpec, v: unknown): string[] {
  if (!hasType(spec.type, v)) {
    return [`must be ${TYPE_NAMES[spec.type]}, not ${describeType(v)} ${showValue(v)}`];
  }
  const out: string[] = [];
  if (spec.enum !== undefined && !spec.enum.some((e) => jsonEqual(e, v as JsonValue))) {
    out.push(
      `${showValue(v)} is not one of the allowed values: ${spec.enum.map(showValue).join(", ")}`,
    );
  }
  if (typeof v === "number") {
    if (spec.minimum !== undefined && v < spec.minimum) {
      out.push(`${v} is below the minimum ${spec.minimum}`);
    }
    if (spec.maximum !== undefined && v > spec.maximum) {
      out.push(`${v} is above the maximum ${spec.maximum}`);
    }
  }
  return out;
}

const INT_RE = /^[+-]?\d+$/;
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Converts a value given as text (command line, form field) to the declared type, so
 * `-p n 3` and `n: 3` in a params file mean the same; scalars given for a string param
 * become their text. Other values are returned unchanged for `paramValueProblems`.
 */
export function coerceParamValue(spec: ParamSpec, v: JsonValue): JsonValue {
  if (spec.type === "string") {
    return typeof v === "number" || typeof v === "boolean" ? String(v) : v;
  }
  if (typeof v !== "string") return v;
  const text = v.trim();
  switch (spec.type) {
    case "number":
      return NUMBER_RE.test(text) ? Number(text) : v;
    case "integer":
      if (INT_RE.test(text)) return Number(text);
      // "3.0" is a whole number too, as in a YAML file.
      return NUMBER_RE.test(text) && Number.isInteger(Number(text)) ? Number(text) : v;
    case "boolean":
      if (/^true$/i.test(text)) return true;
      if (/^false$/i.test(text)) return false;
      return v;
    case "array":
    case "object":
      try {
        const parsed = JSON.parse(text) as JsonValue;
        return hasType(spec.type, parsed) ? parsed : v;
      } catch {
        return v;
      }
  }
}
