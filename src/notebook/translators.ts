/**
 * Parameter cells per kernel language, producing the text papermill 2.6 produces
 * (papermill/translators.py: `Translator.codify`, `PythonTranslator`, `RTranslator`,
 * `ScalaTranslator`, `JuliaTranslator`, `BashTranslator`; goldens ported from
 * papermill/tests/test_translators.py). Every value is rendered as a literal of the
 * target language, never pasted as code; names must be identifiers.
 *
 * Where papermill's text is not a valid literal of the target language we deviate (see
 * translate-strings.ts for strings): non-finite floats in R, Scala and Julia (papermill
 * prints Python's `nan`/`inf`, which are undefined names there), and integers beyond
 * Scala's Long. papermill also reformats Python cells with `black` when it happens to be
 * installed; we produce its output without black, the default install.
 */
import { ParamError } from "../spec/errors.js";
import { IDENTIFIER_RE } from "../spec/names.js";
import type { JsonValue } from "../spec/types.js";
import { type NotebookLanguage, NOTEBOOK_LANGUAGES, normalizeLanguage } from "./language.js";
import { isExactInteger, pythonFloatRepr, pythonNumberText } from "./translate-float.js";
import { bashWord, juliaString, pythonString, rString, scalaString } from "./translate-strings.js";

/**
 * Deepest nesting of lists/objects we render. CPython's parser refuses more than 200
 * nested brackets; 100 keeps every language comfortable and the renderer's recursion
 * shallow.
 */
export const MAX_VALUE_DEPTH = 100;

/** Python's hard keywords plus the constants that cannot be assigned. */
const PYTHON_RESERVED = new Set(
  (
    "False None True and as assert async await break class continue def del elif else except " +
    "finally for from global if import in is lambda nonlocal not or pass raise return try while " +
    "with yield __debug__"
  ).split(" "),
);
const R_RESERVED = new Set(
  (
    "if else repeat while function for next break TRUE FALSE NULL Inf NaN NA NA_integer_ " +
    "NA_real_ NA_character_ NA_complex_ in"
  ).split(" "),
);
const SCALA_RESERVED = new Set(
  (
    "abstract case catch class def do else enum export extends false final finally for forSome " +
    "given if implicit import lazy macro match new null object override package private " +
    "protected return sealed super then this throw trait true try type val var while with yield"
  ).split(" "),
);
const JULIA_RESERVED = new Set(
  (
    "baremodule begin break catch const continue do else elseif end export false finally for " +
    "function global if import let local macro module quote return struct true try using while"
  ).split(" "),
);

/** Per-language rules papermill's translator classes encode. */
interface LanguageRules {
  comment(text: string): string;
  assign(name: string, value: string): string;
  reserved: ReadonlySet<string>;
  str(s: string, where: string): string;
  none: string;
  bool(b: boolean): string;
  int(x: number): string;
  float(x: number): string;
  list(items: string[]): string;
  dict(entries: [string, string][]): string;
  /** Bash only: values that have no literal (objects, nested lists). */
  refuse?(value: JsonValue, depth: number): string | null;
}

/** Python's `str.strip()` whitespace, for papermill's `'# {}'.format(c).strip()`. */
// eslint-disable-next-line no-control-regex -- Python's whitespace includes \x1c-\x1f
const PY_SPACE = /[\s\x1c-\x1f\x85]+$/u;
const hashComment = (text: string): string => `# ${text}`.replace(PY_SPACE, "");

/** `float('nan')`-style spellings, or `pythonFloatRepr`, per language. */
function floatWith(nan: string, inf: string, negInf: string): (x: number) => string {
  return (x) =>
    Number.isNaN(x) ? nan : x === Infinity ? inf : x === -Infinity ? negInf : pythonFloatRepr(x);
}

const commaList = (items: string[]): string => items.join(", ");

const RULES: Record<NotebookLanguage, LanguageRules> = {
  python: {
    comment: hashComment,
    assign: (n, v) => `${n} = ${v}`,
    reserved: PYTHON_RESERVED,
    str: pythonString,
    none: "None",
    bool: (b) => (b ? "True" : "False"),
    int: pythonNumberText,
    // PythonTranslator.translate_float (papermill 2.6).
    float: floatWith("float('nan')", "float('inf')", "float('-inf')"),
    list: (items) => `[${commaList(items)}]`,
    dict: (entries) => `{${commaList(entries.map(([k, v]) => `${k}: ${v}`))}}`,
  },
  R: {
    comment: hashComment,
    // RTranslator.assign drops leading underscores: `_x` is not a legal R name.
    assign: (n, v) => `${n.replace(/^_+/, "")} = ${v}`,
    reserved: R_RESERVED,
    str: rString,
    none: "NULL",
    bool: (b) => (b ? "TRUE" : "FALSE"),
    int: pythonNumberText,
    float: floatWith("NaN", "Inf", "-Inf"),
    list: (items) => `list(${commaList(items)})`,
    dict: (entries) => `list(${commaList(entries.map(([k, v]) => `${k} = ${v}`))})`,
  },
  scala: {
    comment: (text) => `// ${text}`.replace(PY_SPACE, ""),
    assign: (n, v) => `val ${n} = ${v}`,
    reserved: SCALA_RESERVED,
    str: scalaString,
    // Translator.translate_none is str(None); `None` is Scala's empty Option.
    none: "None",
    bool: (b) => (b ? "true" : "false"),
    // ScalaTranslator.translate_int: `L` past int32. (Integers past 2^53, and so past
    // any exact Long, arrive as floats: see `render`.)
    int: (x) => {
      const text = pythonNumberText(x);
      return x > 2147483647 || x < -2147483648 ? `${text}L` : text;
    },
    float: floatWith("Double.NaN", "Double.PositiveInfinity", "Double.NegativeInfinity"),
    list: (items) => `Seq(${commaList(items)})`,
    dict: (entries) => `Map(${commaList(entries.map(([k, v]) => `${k} -> ${v}`))})`,
  },
  julia: {
    comment: hashComment,
    assign: (n, v) => `${n} = ${v}`,
    reserved: JULIA_RESERVED,
    str: juliaString,
    none: "nothing",
    bool: (b) => (b ? "true" : "false"),
    int: pythonNumberText,
    float: floatWith("NaN", "Inf", "-Inf"),
    list: (items) => `[${commaList(items)}]`,
    dict: (entries) => `Dict(${commaList(entries.map(([k, v]) => `${k} => ${v}`))})`,
  },
  bash: {
    comment: hashComment,
    assign: (n, v) => `${n}=${v}`,
    reserved: new Set(),
    str: bashWord,
    // BashTranslator.translate_none: empty, so `x=` sets an empty variable.
    none: "",
    bool: (b) => (b ? "true" : "false"),
    int: pythonNumberText,
    // Translator.translate_float is str(val): Python spells these nan/inf/-inf.
    float: floatWith("nan", "inf", "-inf"),
    // BashTranslator.translate_list: a bash array `(a b c)`.
    list: (items) => `(${items.join(" ")})`,
    dict: () => "",
    refuse: (value, depth) => {
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        return "bash has no literal for objects (papermill raises NotImplementedError); pass a JSON string instead";
      }
      if (Array.isArray(value) && depth > 0) {
        return "bash arrays cannot nest; pass a JSON string instead";
      }
      return null;
    },
  },
};

/** Resolves a language name to its rules, or throws E_PARAM. */
function rulesFor(language: string): { lang: NotebookLanguage; rules: LanguageRules } {
  const lang = normalizeLanguage(language);
  if (lang === null) {
    throw new ParamError(
      `No parameter translator for language '${language}': Updraft renders parameters for ` +
        `${NOTEBOOK_LANGUAGES.join(", ")}`,
    );
  }
  return { lang, rules: RULES[lang] };
}

const describe = (v: unknown): string =>
  v === undefined
    ? "undefined"
    : typeof v === "object"
      ? "an object of an unsupported kind"
      : typeof v;

function render(rules: LanguageRules, value: JsonValue, where: string, depth: number): string {
  if (depth > MAX_VALUE_DEPTH) {
    throw new ParamError(`${where}: nested deeper than ${MAX_VALUE_DEPTH} levels`);
  }
  const refusal = rules.refuse?.(value, depth);
  if (refusal) throw new ParamError(`${where}: ${refusal}`);
  if (value === null) return rules.none;
  switch (typeof value) {
    case "string":
      return rules.str(value, where);
    case "boolean":
      return rules.bool(value);
    case "number":
      return Number.isFinite(value) && isExactInteger(value)
        ? rules.int(value)
        : rules.float(value);
    case "object":
      break;
    default:
      throw new ParamError(`${where}: ${describe(value)} is not a JSON value`);
  }
  if (Array.isArray(value)) {
    return rules.list(value.map((v, i) => render(rules, v, `${where}[${i}]`, depth + 1)));
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new ParamError(`${where}: ${describe(value)} is not a JSON value`);
  }
  return rules.dict(
    Object.entries(value).map(([k, v]) => [
      rules.str(k, `${where} (key ${JSON.stringify(k)})`),
      render(rules, v, `${where}.${k}`, depth + 1),
    ]),
  );
}

/**
 * Renders one value as a literal of `language` (papermill's `translate(val)`).
 * @throws ParamError (E_PARAM) for values with no literal in that language.
 */
export function renderValue(language: string, value: JsonValue, where = "value"): string {
  return render(rulesFor(language).rules, value, where, 0);
}

/**
 * Checks that `name` can be a variable in `language`: an ASCII identifier (the workflow
 * format's rule), not a reserved word, and for R still a name once papermill's leading
 * underscores are dropped.
 * @throws ParamError (E_PARAM) otherwise.
 */
export function checkParameterName(language: string, name: string): void {
  const { lang, rules } = rulesFor(language);
  if (!IDENTIFIER_RE.test(name) || name === "__proto__") {
    throw new ParamError(
      `Parameter name ${JSON.stringify(name)} is not an identifier (a letter or _, then letters, digits or _; 64 at most)`,
    );
  }
  const effective = lang === "R" ? name.replace(/^_+/, "") : name;
  if (lang === "R" && !/^[A-Za-z]/.test(effective)) {
    throw new ParamError(
      `Parameter name '${name}' is not usable in R: papermill drops leading underscores, leaving '${effective}'`,
    );
  }
  if (rules.reserved.has(effective)) {
    throw new ParamError(`Parameter name '${name}' is a reserved word in ${lang}`);
  }
}

/** Line-breaking characters of any of our languages or of Python's `splitlines`. */
// eslint-disable-next-line no-control-regex -- line breaks include \x1c-\x1e
const LINE_BREAKS = /[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/**
 * The text of an injected parameters cell, as papermill's `codify(parameters, comment)`:
 * the comment line (`# Parameters`, `// Parameters` for Scala), then one assignment per
 * parameter in insertion order, each line ending in `\n`.
 * @param comment papermill's `--inject-comment`-style text; one line.
 * @throws ParamError (E_PARAM) for an unknown language, a bad name, a value with no
 * literal, or a comment that spans lines (it would turn the rest into code).
 */
export function renderParameters(
  language: string,
  params: Record<string, JsonValue>,
  comment = "Parameters",
): string {
  const { rules } = rulesFor(language);
  if (LINE_BREAKS.test(comment)) {
    throw new ParamError("The injected-parameters comment must be a single line");
  }
  let content = `${rules.comment(comment)}\n`;
  for (const [name, value] of Object.entries(params)) {
    checkParameterName(language, name);
    content += `${rules.assign(name, render(rules, value, `Parameter '${name}'`, 0))}\n`;
  }
  return content;
}
