/**
 * Expressions of the workflow format: `{{ path }}` lookups inside string values.
 * Never code: a path names a param, a task output, a run field or the workflow name,
 * and resolving it is a property lookup on own properties only.
 *
 * Syntax, for every templated string:
 * - `{{ params.NAME }}`, `{{ tasks.ID.outputs.NAME }}`, `{{ run.id }}`,
 *   `{{ run.logical_date }}`, `{{ run.ds }}`, `{{ workflow.name }}`; whitespace inside
 *   the braces is optional. Segments are identifiers, dashes allowed (task ids). Extra
 *   segments after a param or an output look inside an object value:
 *   `{{ params.cfg.lr }}`.
 * - A string that is exactly one expression keeps the value's JSON type; an expression
 *   inside a longer string is interpolated, non-strings rendered as JSON (`null` as
 *   `null`, objects and lists as compact JSON).
 * - `\{{` is a literal `{{` (in a YAML double-quoted string write `"\\{{"`). A `}}` on
 *   its own is literal text. There is no way to put a backslash right before an
 *   expression.
 * - `{{` that does not start a well-formed expression is an error (validation reports
 *   it at the field; `resolveValue` throws E_EXPRESSION).
 */
import { ErrorCodes, UpdraftError } from "./errors.js";
import { getOwn, setOwn } from "./json.js";
import { listNames, quote } from "./names.js";
import type { PathSegment } from "./path.js";
import type { JsonObject, JsonValue } from "./types.js";

/** Values an expression can look up while a run executes. */
export interface ExpressionContext {
  params: JsonObject;
  tasks: Record<string, { outputs: JsonObject }>;
  run: { id: string; logical_date: string; ds: string };
  workflow: { name: string };
}

/** Fields of `run` an expression may read. */
export const RUN_FIELDS = ["id", "logical_date", "ds"] as const;

interface ReferenceBase {
  /** The dotted path split into segments, e.g. `["tasks", "prep", "outputs", "n"]`. */
  path: string[];
  /** The expression as written, braces included. */
  expression: string;
  /** Where the string holding it sits inside the walked value (empty for the value). */
  at: PathSegment[];
}

/** A lookup found in a value: what it reads, and where it was written. */
export type Reference =
  | (ReferenceBase & { kind: "param"; name: string })
  | (ReferenceBase & { kind: "task_output"; task: string; output: string })
  | (ReferenceBase & { kind: "run"; field: (typeof RUN_FIELDS)[number] })
  | (ReferenceBase & { kind: "workflow"; field: "name" });

/** A malformed template or an expression that reads nothing known. */
export interface ExpressionProblem {
  at: PathSegment[];
  message: string;
}

type Part = string | { path: string[]; expression: string };

const SEGMENT = "[A-Za-z_][A-Za-z0-9_-]*";
const PATH_RE = new RegExp(`^${SEGMENT}(?:\\.${SEGMENT})*$`);
const KNOWN =
  "expressions read params.NAME, tasks.ID.outputs.NAME, run.id, run.logical_date, run.ds or workflow.name";

/** True when the string contains `{{` or `\{{`, i.e. needs template handling. */
export function hasTemplate(s: string): boolean {
  return s.includes("{{");
}

/** Splits a string into literal text and expressions, or explains what is malformed. */
function parseTemplate(s: string): { parts: Part[] } | { error: string } {
  const parts: Part[] = [];
  let text = "";
  let i = 0;
  for (;;) {
    const open = s.indexOf("{{", i);
    if (open < 0) break;
    if (open > 0 && s[open - 1] === "\\") {
      text += s.slice(i, open - 1) + "{{";
      i = open + 2;
      continue;
    }
    const close = s.indexOf("}}", open + 2);
    if (close < 0) {
      return {
        error: `${quote(s)} has "{{" without a closing "}}"; write \\{{ for a literal "{{"`,
      };
    }
    const inner = s.slice(open + 2, close).trim();
    const expression = s.slice(open, close + 2);
    if (!PATH_RE.test(inner)) {
      return {
        error: `${quote(expression)} is not a valid expression: write a dotted path such as {{ params.x }} (no code, no spaces inside the path), or \\{{ for a literal "{{"`,
      };
    }
    text += s.slice(i, open);
    if (text !== "") parts.push(text);
    text = "";
    parts.push({ path: inner.split("."), expression });
    i = close + 2;
  }
  text += s.slice(i);
  if (text !== "") parts.push(text);
  return { parts };
}

/** Classifies a path, or says why it is not a known lookup. */
function classify(
  path: string[],
  expression: string,
  at: PathSegment[],
): Reference | { error: string } {
  const [root, a, b, c] = path;
  const base = { path, expression, at };
  if (root === "params" && a !== undefined) return { ...base, kind: "param", name: a };
  if (root === "tasks") {
    if (a !== undefined && b === "outputs" && c !== undefined) {
      return { ...base, kind: "task_output", task: a, output: c };
    }
    return { error: `${quote(expression)}: a task output is written tasks.ID.outputs.NAME` };
  }
  if (root === "run" && path.length === 2) {
    const field = RUN_FIELDS.find((f) => f === a);
    if (field !== undefined) return { ...base, kind: "run", field };
  }
  if (root === "workflow" && path.length === 2 && a === "name") {
    return { ...base, kind: "workflow", field: "name" };
  }
  return { error: `${quote(expression)} reads nothing known: ${KNOWN}` };
}

/**
 * Every reference and every problem in the strings of `value` (walked recursively;
 * object keys are not templated).
 */
export function analyzeExpressions(value: JsonValue): {
  references: Reference[];
  problems: ExpressionProblem[];
} {
  const references: Reference[] = [];
  const problems: ExpressionProblem[] = [];
  const walk = (v: JsonValue, at: PathSegment[]): void => {
    if (typeof v === "string") {
      if (!hasTemplate(v)) return;
      const parsed = parseTemplate(v);
      if ("error" in parsed) {
        problems.push({ at, message: parsed.error });
        return;
      }
      for (const part of parsed.parts) {
        if (typeof part === "string") continue;
        const ref = classify(part.path, part.expression, at);
        if ("error" in ref) problems.push({ at, message: ref.error });
        else references.push(ref);
      }
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, [...at, i]));
    } else if (v !== null && typeof v === "object") {
      for (const key of Object.keys(v)) walk(v[key] as JsonValue, [...at, key]);
    }
  };
  walk(value, []);
  return { references, problems };
}

/** Every well-formed reference in the strings of `value`, in document order. */
export function findReferences(value: JsonValue): Reference[] {
  return analyzeExpressions(value).references;
}

function expressionError(message: string): never {
  throw new UpdraftError(ErrorCodes.EXPRESSION, message);
}

/** Follows `rest` into object values; says which segment is missing otherwise. */
function dig(value: JsonValue, rest: string[], ref: Reference): JsonValue {
  let cur = value;
  for (const seg of rest) {
    const next =
      cur !== null && typeof cur === "object" && !Array.isArray(cur) ? getOwn(cur, seg) : undefined;
    if (next === undefined) {
      expressionError(`${quote(ref.expression)}: the value has no field ${quote(seg)}`);
    }
    cur = next as JsonValue;
  }
  return cur;
}

/** Looks up one reference in the context, throwing E_EXPRESSION when it is absent. */
function lookup(ref: Reference, ctx: ExpressionContext): JsonValue {
  switch (ref.kind) {
    case "param": {
      const v = getOwn(ctx.params, ref.name);
      if (v === undefined) {
        expressionError(
          `${quote(ref.expression)}: this run has no param ${quote(ref.name)} (params: ${listNames(Object.keys(ctx.params))})`,
        );
      }
      return dig(v as JsonValue, ref.path.slice(2), ref);
    }
    case "task_output": {
      const task = getOwn(ctx.tasks, ref.task) as { outputs: JsonObject } | undefined;
      if (task === undefined) {
        expressionError(
          `${quote(ref.expression)}: task ${quote(ref.task)} has no outputs in this run (has it run?)`,
        );
      }
      const v = getOwn(task.outputs, ref.output);
      if (v === undefined) {
        expressionError(
          `${quote(ref.expression)}: task ${quote(ref.task)} did not publish output ${quote(ref.output)} (it published: ${listNames(Object.keys(task.outputs))})`,
        );
      }
      return dig(v as JsonValue, ref.path.slice(4), ref);
    }
    case "run":
      return ctx.run[ref.field];
    case "workflow":
      return ctx.workflow.name;
  }
}

/** Renders a value inside a longer string: strings as they are, the rest as JSON. */
function render(v: JsonValue): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function resolveString(s: string, ctx: ExpressionContext): JsonValue {
  if (!hasTemplate(s)) return s;
  const parsed = parseTemplate(s);
  if ("error" in parsed) expressionError(parsed.error);
  const refs = parsed.parts.map((part) => {
    if (typeof part === "string") return part;
    const ref = classify(part.path, part.expression, []);
    if ("error" in ref) expressionError(ref.error);
    return ref;
  });
  const [only] = refs;
  if (refs.length === 1 && only !== undefined && typeof only !== "string") {
    return lookup(only, ctx);
  }
  return refs.map((r) => (typeof r === "string" ? r : render(lookup(r, ctx)))).join("");
}

/**
 * Resolves every expression in `value` (strings inside arrays and objects too; keys
 * are kept as written). A string that is exactly one `{{ expression }}` becomes the
 * referenced value with its type; otherwise expressions are interpolated (non-strings
 * as JSON) and `\{{` becomes `{{`. Throws UpdraftError E_EXPRESSION for a malformed
 * template or a reference absent from `ctx`.
 */
export function resolveValue(value: JsonValue, ctx: ExpressionContext): JsonValue {
  if (typeof value === "string") return resolveString(value, ctx);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, ctx));
  if (value !== null && typeof value === "object") {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) {
      setOwn(out, key, resolveValue(value[key] as JsonValue, ctx));
    }
    return out;
  }
  return value;
}
