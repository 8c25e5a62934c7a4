/**
 * Runs the JSON Schema over a document and words each failure as a sentence a user
 * can act on, at the path of the offending field.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { describeType, getOwn, isObject } from "./json.js";
import {
  CONNECTION_NAME_PATTERN,
  ENV_NAME_PATTERN,
  IDENTIFIER_PATTERN,
  TASK_ID_PATTERN,
  WORKFLOW_NAME_PATTERN,
  didYouMean,
  listNames,
  quote,
} from "./names.js";
import type { PathSegment, Problem } from "./path.js";
import { workflowJsonSchema } from "./schema.js";
import { TASK_TYPES } from "./types.js";

let compiled: ValidateFunction | undefined;

// Compiled on first use and kept: compiling costs milliseconds, validating microseconds.
function validator(): ValidateFunction {
  compiled ??= new Ajv({
    allErrors: true,
    verbose: true,
    allowUnionTypes: true,
    strict: true,
  }).compile(workflowJsonSchema);
  return compiled;
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping (key: value)",
  null: "null",
};

const PATTERN_RULES: Record<string, (what: string) => string> = {
  [WORKFLOW_NAME_PATTERN]: (v) =>
    `workflow name ${v} is not valid: use a lower-case ASCII letter, then lower-case letters, digits, "_" or "-" (63 characters at most)`,
  [TASK_ID_PATTERN]: (v) =>
    `task id ${v} is not valid: start with an ASCII letter, then use letters, digits, "_" or "-" (63 characters at most)`,
  [IDENTIFIER_PATTERN]: (v) =>
    `${v} is not a valid name: use ASCII letters, digits and "_", not starting with a digit (64 characters at most), because it becomes a variable and an environment variable name`,
  [ENV_NAME_PATTERN]: (v) =>
    `environment variable name ${v} is not valid: use ASCII letters, digits and "_", not starting with a digit`,
  [CONNECTION_NAME_PATTERN]: (v) =>
    `connection name ${v} is not valid: a connection is named by a lower-case ASCII letter, then lower-case letters, digits or "_" (63 characters at most), written as is (no expressions)`,
};

/** Turns an ajv instance path into segments, numbers where the data is a list. */
function segmentsOf(instancePath: string, doc: unknown): PathSegment[] {
  if (instancePath === "") return [];
  const out: PathSegment[] = [];
  let cur: unknown = doc;
  for (const raw of instancePath.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(cur)) {
      const i = Number(seg);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur = isObject(cur) ? getOwn(cur, seg) : undefined;
    }
  }
  return out;
}

/** Names the object a path points at, for messages: `a notebook task`, `defaults`, ... */
function describeObject(path: PathSegment[], doc: unknown): string {
  if (path.length === 0) return "a workflow";
  if (path.length === 2 && path[0] === "tasks") {
    const task =
      isObject(doc) && isObject(doc["tasks"]) ? getOwn(doc["tasks"], String(path[1])) : undefined;
    const type = isObject(task) ? task["type"] : undefined;
    if (typeof type !== "string") return "a task";
    return /^[aeiou]/.test(type) ? `an ${type} task` : `a ${type} task`;
  }
  if (path.length === 2 && path[0] === "params") return "a param";
  return `"${path.filter((s) => typeof s === "string").join(".")}"`;
}

function allowedFields(err: ErrorObject): string[] {
  const parent = err.parentSchema as { properties?: Record<string, unknown> } | undefined;
  return Object.keys(parent?.properties ?? {});
}

function translate(err: ErrorObject, doc: unknown): Problem | undefined {
  const path = segmentsOf(err.instancePath, doc);
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "if":
    case "propertyNames":
      return undefined; // the nested error says it better
    case "additionalProperties": {
      const field = String(params["additionalProperty"]);
      const allowed = allowedFields(err);
      return {
        path: [...path, field],
        message: `unknown field ${quote(field)} in ${describeObject(path, doc)}${didYouMean(field, allowed)}; allowed fields: ${listNames(allowed, 40)}`,
      };
    }
    case "required": {
      const field = String(params["missingProperty"]);
      return {
        path: [...path, field],
        message: `${describeObject(path, doc)} needs the field ${quote(field)}`,
      };
    }
    case "type": {
      const expected = String(params["type"])
        .split(",")
        .map((t) => TYPE_NAMES[t] ?? t);
      return { path, message: `must be ${expected.join(" or ")}, not ${describeType(err.data)}` };
    }
    case "enum": {
      const allowed = (params["allowedValues"] as unknown[]).map((v) => String(v));
      const got = typeof err.data === "string" ? quote(err.data) : JSON.stringify(err.data);
      if (path.length === 3 && path[0] === "tasks" && path[2] === "type") {
        return {
          path,
          message: `unknown task type ${got}${typeof err.data === "string" ? didYouMean(err.data, TASK_TYPES) : ""}; valid types: ${TASK_TYPES.join(", ")}`,
        };
      }
      const hint = typeof err.data === "string" ? didYouMean(err.data, allowed) : "";
      return {
        path,
        message: `${got} is not allowed here${hint}; use one of: ${allowed.join(", ")}`,
      };
    }
    case "pattern": {
      const pattern = String(params["pattern"]);
      const name = err.propertyName ?? (typeof err.data === "string" ? err.data : "");
      const rule = PATTERN_RULES[pattern];
      const target = err.propertyName === undefined ? path : [...path, err.propertyName];
      const what =
        pattern === IDENTIFIER_PATTERN
          ? `${target.includes("outputs") ? "output" : "param"} name ${quote(name)}`
          : quote(name);
      return { path: target, message: rule ? rule(what) : `${what} must match ${pattern}` };
    }
    case "minimum":
      return {
        path,
        message: `must be at least ${String(params["limit"])}, not ${String(err.data)}`,
      };
    case "maximum":
      return {
        path,
        message: `must be at most ${String(params["limit"])}, not ${String(err.data)}`,
      };
    case "minLength":
      return { path, message: "must not be empty" };
    case "maxLength":
      return { path, message: `must be at most ${String(params["limit"])} characters long` };
    case "minItems":
      return { path, message: "must not be an empty list" };
    case "maxItems": {
      const count = Array.isArray(err.data) ? ` (it has ${err.data.length})` : "";
      return {
        path,
        message: `must list at most ${String(params["limit"])} items${count}`,
      };
    }
    case "minProperties":
      return {
        path,
        message:
          path.length === 1 && path[0] === "tasks"
            ? "a workflow needs at least one task"
            : "must not be empty",
      };
    default:
      return { path, message: err.message ?? `fails the ${err.keyword} rule` };
  }
}

/** Every schema violation of `doc`, worded for a user; empty when the shape is right. */
export function checkSchema(doc: unknown): Problem[] {
  const validate = validator();
  if (validate(doc)) return [];
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const err of validate.errors ?? []) {
    const problem = translate(err, doc);
    if (problem === undefined) continue;
    const key = `${problem.path.join("\u0000")}\u0001${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(problem);
  }
  return out;
}
