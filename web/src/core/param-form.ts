/**
 * The typed form of a notebook task's params: one field per parameter the notebook
 * declares (name, type inferred from the kernel language's type name, default, help),
 * plus any param the task sets that the notebook does not declare. Also parses what a
 * user types into a field into a JSON value of the field's type.
 */
import type { ParameterInfo } from "../../../src/notebook/inspect-types.js";
import { bindingOf, type Binding } from "./bindings.js";
import { getOwn, type JsonObject, type JsonValue } from "./model.js";

export type { ParameterInfo };

/** The input a field gets. */
export type FieldKind = "string" | "number" | "integer" | "boolean" | "array" | "object" | "any";

/** One field of the form. */
export interface ParamField {
  name: string;
  kind: FieldKind;
  /** The type as the notebook declared or inferred it (`int`, `character`, …), or null. */
  declaredType: string | null;
  /** The notebook's default as source text ("" when the notebook does not declare it). */
  defaultText: string;
  /** The default as a JSON value, when it is a plain literal. */
  defaultValue?: JsonValue;
  help: string;
  /** True when the notebook declares this parameter. */
  declared: boolean;
  /** Where the task's value comes from (unset: the notebook's default applies). */
  binding: Binding;
}

// Python (papermill) and R type names as parameter inspection reports them.
const KINDS: Record<string, FieldKind> = {
  int: "integer",
  integer: "integer",
  float: "number",
  numeric: "number",
  double: "number",
  str: "string",
  character: "string",
  bool: "boolean",
  logical: "boolean",
  list: "array",
  tuple: "array",
  dict: "object",
};

/** The field kind of a declared or inferred type name. */
export function kindOf(declaredType: string | null): FieldKind {
  if (declaredType === null) return "any";
  const base = declaredType.trim().replace(/\[.*$/, "").toLowerCase();
  return KINDS[base] ?? "any";
}

/** A notebook default's source text as JSON, when it is a plain Python or R literal. */
export function literalValue(text: string): JsonValue | undefined {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (/^-?\d+L$/.test(t)) return Number(t.slice(0, -1));
  if (t === "True" || t === "TRUE") return true;
  if (t === "False" || t === "FALSE") return false;
  if (t === "None" || t === "NULL") return null;
  const q = /^(['"])((?:(?!\1)[^\\])*)\1$/.exec(t);
  if (q) return q[2] ?? "";
  return undefined;
}

/** The form of a notebook task whose notebook declares `declared` and whose params are `params`. */
export function notebookParamForm(
  declared: readonly ParameterInfo[],
  params: JsonObject,
): ParamField[] {
  const fields: ParamField[] = declared.map((p) => {
    const value = getOwn(params, p.name);
    const defaultValue = literalValue(p.default);
    const field: ParamField = {
      name: p.name,
      kind: kindOf(p.inferredType),
      declaredType: p.inferredType,
      defaultText: p.default,
      help: p.help,
      declared: true,
      binding: bindingOf(value),
    };
    if (defaultValue !== undefined) field.defaultValue = defaultValue;
    return field;
  });
  const known = new Set(declared.map((p) => p.name));
  for (const name of Object.keys(params)) {
    if (known.has(name)) continue;
    const value = params[name] as JsonValue;
    fields.push({
      name,
      kind: kindOfValue(value),
      declaredType: null,
      defaultText: "",
      help: "",
      declared: false,
      binding: bindingOf(value),
    });
  }
  return fields;
}

/** The field kind a literal value suggests. */
export function kindOfValue(value: JsonValue): FieldKind {
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (Array.isArray(value)) return "array";
  if (value !== null && typeof value === "object") return "object";
  return "any";
}

/** What a user typed into a field, parsed for its kind, or a message saying what is expected. */
export function parseFieldInput(
  kind: FieldKind,
  text: string,
): { value: JsonValue } | { error: string } {
  const t = text.trim();
  switch (kind) {
    case "string":
      return { value: text };
    case "integer":
      return /^-?\d+$/.test(t) && Number.isSafeInteger(Number(t))
        ? { value: Number(t) }
        : { error: "a whole number, such as 42" };
    case "number":
      return t !== "" && Number.isFinite(Number(t))
        ? { value: Number(t) }
        : { error: "a number, such as 0.5" };
    case "boolean":
      if (t === "true" || t === "false") return { value: t === "true" };
      return { error: "true or false" };
    case "array":
    case "object":
    case "any": {
      try {
        const value = JSON.parse(t) as JsonValue;
        if (kind === "array" && !Array.isArray(value))
          return { error: "a JSON list, such as [1, 2]" };
        if (
          kind === "object" &&
          (value === null || typeof value !== "object" || Array.isArray(value))
        ) {
          return { error: 'a JSON object, such as {"k": 1}' };
        }
        return { value };
      } catch {
        if (kind === "any") return { value: text };
        return {
          error:
            kind === "array" ? "a JSON list, such as [1, 2]" : 'a JSON object, such as {"k": 1}',
        };
      }
    }
  }
}
