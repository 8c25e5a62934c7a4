/**
 * The run trigger's form, framework-free: one field per declared workflow param (its
 * input kind, starting text and help), and reading what was typed into the JSON params
 * of `POST /workflows/{name}/runs`, with a message per field the server would refuse.
 * Checks values with the server's own `paramValueProblems`.
 */
import { paramValueProblems, showValue } from "../../../src/spec/param-value.js";
import type { JsonObject, JsonValue, ParamSpec } from "../../../src/spec/types.js";

/** How a field is typed in. */
export type RunFieldKind = "string" | "integer" | "number" | "boolean" | "enum" | "json";

/** One field of the trigger form. */
export interface RunField {
  name: string;
  kind: RunFieldKind;
  spec: ParamSpec;
  /** The text the field starts with (the default, shown in the field's own syntax). */
  initial: string;
  /** No default: the run needs a value. */
  required: boolean;
  /** For enums: the choices, each as its text and value. */
  choices: { text: string; value: JsonValue }[];
  /** Type, bounds and description in words. */
  hint: string;
}

function textOf(kind: RunFieldKind, value: JsonValue | undefined): string {
  if (value === undefined) return "";
  if (kind === "string" && typeof value === "string") return value;
  if (kind === "json") return JSON.stringify(value, null, 2);
  if (kind === "boolean") return value === true ? "true" : "false";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function kindOf(spec: ParamSpec): RunFieldKind {
  if (spec.enum !== undefined && spec.enum.length > 0) return "enum";
  if (spec.type === "array" || spec.type === "object") return "json";
  return spec.type;
}

function hintOf(spec: ParamSpec, kind: RunFieldKind): string {
  const parts: string[] = [];
  if (kind === "json") parts.push(spec.type === "array" ? "a JSON list" : "a JSON object");
  else parts.push(spec.type);
  if (spec.minimum !== undefined) parts.push(`at least ${spec.minimum}`);
  if (spec.maximum !== undefined) parts.push(`at most ${spec.maximum}`);
  if (spec.default === undefined) parts.push("required");
  const head = parts.join(", ");
  return spec.description !== undefined && spec.description !== ""
    ? `${head} — ${spec.description}`
    : head;
}

/** The fields of a workflow's declared params, in declaration order. */
export function runFields(specs: Readonly<Record<string, ParamSpec>>): RunField[] {
  return Object.entries(specs).map(([name, spec]) => {
    const kind = kindOf(spec);
    const choices = (spec.enum ?? []).map((value) => ({
      text: typeof value === "string" ? value : JSON.stringify(value),
      value,
    }));
    let initial = textOf(kind, spec.default);
    if (kind === "enum") {
      const i = choices.findIndex((c) => JSON.stringify(c.value) === JSON.stringify(spec.default));
      initial = i >= 0 ? String(i) : "";
    }
    if (kind === "boolean" && initial === "") initial = "false";
    return {
      name,
      kind,
      spec,
      initial,
      required: spec.default === undefined,
      choices,
      hint: hintOf(spec, kind),
    };
  });
}

/** The value of one field's text, or what is wrong with it. */
export function readField(field: RunField, text: string): { value: JsonValue } | { error: string } {
  const t = text.trim();
  let value: JsonValue;
  switch (field.kind) {
    case "string":
      value = text;
      break;
    case "boolean":
      value = t === "true";
      break;
    case "integer":
      if (!/^[+-]?\d+$/.test(t) || !Number.isSafeInteger(Number(t)))
        return {
          error: t === "" ? "enter a whole number" : `${showValue(t)} is not a whole number`,
        };
      value = Number(t);
      break;
    case "number":
      if (t === "" || !Number.isFinite(Number(t)))
        return { error: t === "" ? "enter a number" : `${showValue(t)} is not a number` };
      value = Number(t);
      break;
    case "enum": {
      const choice = field.choices[Number(t)];
      if (t === "" || choice === undefined) return { error: "choose one of the values" };
      value = choice.value;
      break;
    }
    case "json":
      try {
        value = JSON.parse(t) as JsonValue;
      } catch (err) {
        return { error: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
      }
      break;
  }
  const problems = paramValueProblems(field.spec, value);
  return problems.length > 0 ? { error: problems.join("; ") } : { value };
}

function define<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** The params of a run from the form's texts, or the message of each field that is wrong. */
export function readRunForm(
  fields: readonly RunField[],
  texts: Readonly<Record<string, string>>,
): { ok: true; params: JsonObject } | { ok: false; errors: Record<string, string> } {
  const params: JsonObject = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const text = Object.hasOwn(texts, field.name) ? texts[field.name]! : field.initial;
    // An optional field left empty takes the workflow's default on the server.
    if (text.trim() === "" && !field.required && field.kind !== "string") continue;
    const read = readField(field, text);
    // defineProperty: a param named __proto__ must stay a plain key.
    if ("error" in read) define(errors, field.name, read.error);
    else define(params, field.name, read.value);
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, params };
}
