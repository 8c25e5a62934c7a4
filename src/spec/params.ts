/** Run params: command-line values, params files, and checking a run's params. */
import { ErrorCodes, ParamError, ValidationError } from "./errors.js";
import { cloneJson, describeType, inspectJson, isObject, setOwn } from "./json.js";
import { didYouMean, listNames, quote } from "./names.js";
import { coerceParamValue, paramValueProblems } from "./param-value.js";
import { formatPath } from "./path.js";
import { readSourceText } from "./source-text.js";
import type { JsonObject, JsonValue, ParamSpec } from "./types.js";

// Python's int() and float() syntax: optional sign and surrounding whitespace, single
// underscores between digits, and for float also inf, infinity and nan in any case.
const D = "\\d+(?:_\\d+)*";
const PY_INT_RE = new RegExp(`^\\s*[+-]?${D}\\s*$`);
const PY_FLOAT_RE = new RegExp(
  `^\\s*[+-]?(?:(?:${D}(?:\\.(?:${D})?)?|\\.${D})(?:[eE][+-]?${D})?|inf(?:inity)?|nan)\\s*$`,
  "i",
);

/**
 * Parses a `-p NAME VALUE` value as papermill does. papermill 2.6 `cli._resolve_type`:
 * "True" -> True, "False" -> False, "None" -> None, else int(value) if that works,
 * else float(value) if that works, else the string. Mirrored with Python's int/float
 * syntax (`1_000`, ` 7 `, `1e3`, `.5`, `inf`, `nan` give numbers, the last two not
 * JSON-representable). Differences: `true`, `false` and `null` are accepted too, as
 * DESIGN §7 promises; integers beyond 2^53 stay strings rather than losing digits.
 */
export function parseCliValue(s: string): JsonValue {
  if (s === "True" || s === "true") return true;
  if (s === "False" || s === "false") return false;
  if (s === "None" || s === "null") return null;
  const compact = s.trim().replace(/_/g, "");
  if (PY_INT_RE.test(s)) {
    const n = Number(compact);
    return Number.isSafeInteger(n) ? n : s;
  }
  if (PY_FLOAT_RE.test(s)) {
    const lower = compact.toLowerCase();
    if (lower.endsWith("nan")) return NaN;
    if (lower.endsWith("inf") || lower.endsWith("infinity")) {
      return lower.startsWith("-") ? -Infinity : Infinity;
    }
    return Number(compact);
  }
  return s;
}

/**
 * The params of a run: `given` checked against the workflow's declared `specs`,
 * defaults filled in, strings coerced to the declared number, integer, boolean, list
 * or mapping type (so `-p n 3` works), numbers and booleans given for a string param
 * turned into text. Throws ParamError listing every problem (unknown names, missing
 * required params, wrong types, enum, minimum, maximum); `details` holds the list.
 * Tip for callers: pass command-line values as raw strings when the workflow declares
 * the param, so a string param gets `1.10` rather than `1.1`.
 */
export function resolveRunParams(specs: Record<string, ParamSpec>, given: JsonObject): JsonObject {
  const problems: string[] = [];
  const declared = Object.keys(specs);
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(specs, name)) {
      problems.push(
        `unknown param ${quote(name)}${didYouMean(name, declared)}; the workflow declares: ${listNames(declared)}`,
      );
    }
  }
  const out: JsonObject = {};
  for (const name of declared) {
    const spec = specs[name]!;
    const value = Object.hasOwn(given, name) ? given[name] : spec.default;
    if (value === undefined) {
      problems.push(
        `missing param ${quote(name)} (${spec.type}, no default); pass it with -p ${name} VALUE or in a params file`,
      );
      continue;
    }
    const coerced = coerceParamValue(spec, value);
    const wrong = paramValueProblems(spec, coerced);
    if (wrong.length > 0) problems.push(...wrong.map((m) => `param ${quote(name)}: ${m}`));
    else setOwn(out, name, cloneJson(coerced));
  }
  if (problems.length > 0) {
    const message =
      problems.length === 1
        ? problems[0]!
        : `${problems.length} problems with the run params:\n${problems.map((p) => `- ${p}`).join("\n")}`;
    throw new ParamError(message, { details: problems });
  }
  return out;
}

/**
 * Reads a params file (`-f params.yaml`): a YAML or JSON mapping of name to value; an
 * empty file is `{}`. Throws ValidationError E_PARSE with line and column otherwise.
 */
export function parseParamsFile(text: string, filename?: string): JsonObject {
  const source = readSourceText(text, filename);
  if (source.issues.length > 0)
    throw new ValidationError(source.issues, { code: ErrorCodes.PARSE });
  const value = source.value;
  if (value === null || value === undefined) return {};
  if (!isObject(value)) {
    throw new ValidationError(
      [
        {
          path: "",
          message: `a params file must be a mapping of name: value, not ${describeType(value)}`,
        },
      ],
      { code: ErrorCodes.PARSE },
    );
  }
  const problems = inspectJson(value);
  if (problems.length > 0) {
    throw new ValidationError(
      problems.map((p) => {
        const pos = source.positionOf(p.path);
        return { path: formatPath(p.path), message: p.message, ...pos };
      }),
      { code: ErrorCodes.PARSE },
    );
  }
  return cloneJson(value as JsonObject) as JsonObject;
}
