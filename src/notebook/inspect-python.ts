/**
 * Reads a Python parameters cell like papermill 2.6's `PythonTranslator.inspect`
 * (papermill/translators.py): one parameter per simple assignment `name = value` or
 * `name: annotation = value`, values may span lines (flattened as papermill does:
 * comments dropped, lines stripped and joined), the comment on the statement's last line
 * is the help, and a leading `type: T` in it is a type comment. Statements inside
 * `def`/`class` bodies, tuple or chained assignments, attribute/item targets and IPython
 * magics (`%`, `!`, `?`) are skipped, as papermill's AST-based reader does.
 *
 * papermill's type is the annotation, else the type comment, else unknown. We fall back
 * to the type of the default when it is a literal (`int`, `float`, `str`, …), which is
 * what a form needs.
 */
import type { ParameterInfo } from "./inspect-types.js";
import {
  bracketInside,
  findTopLevel,
  flattenCode,
  scanStatements,
  splitTopLevel,
} from "./inspect-scan.js";

const TARGET = /^([A-Za-z_][A-Za-z0-9_]*)\s*/;
const HELP = /^#\s*(?:type:\s*(\S*)\s*)?(.*)$/;
const BLOCK_START = /^(?:async\s+def|def|class)\b/;

/** The `=` of an assignment: not part of `==`, `<=`, `>=`, `!=`, `:=`, or `+=`-style ops. */
function isAssignEq(code: string, i: number): boolean {
  if (code.charAt(i) !== "=" || code.charAt(i + 1) === "=") return false;
  const prev = i > 0 ? code.charAt(i - 1) : "";
  return prev === "" || !"=<>!:+-*/%&|^@".includes(prev);
}

/** Removes one pair of matching quotes around an annotation (`"int"` → `int`). */
function unquote(text: string): string {
  const m = /^(['"])(.*)\1$/s.exec(text);
  return m?.[2] ?? text;
}

const INT = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*)$/;
const FLOAT =
  /^[+-]?(?:\d[\d_]*\.[\d_]*(?:[eE][+-]?\d+)?|\.\d[\d_]*(?:[eE][+-]?\d+)?|\d[\d_]*[eE][+-]?\d+)$/;
const FLOAT_CALL = /^float\(\s*(['"])[+-]?(?:nan|inf|infinity)\1\s*\)$/i;
const COMPLEX = /^[+-]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]$/;
const STRING_PIECE = /^([rRuUfFbB]{0,2})('''|"""|'|")/;

/** True when `text` is one or more adjacent string literals; says whether bytes. */
function stringKind(text: string): "str" | "bytes" | null {
  let rest = text.trim();
  let kind: "str" | "bytes" | null = null;
  while (rest !== "") {
    const m = STRING_PIECE.exec(rest);
    if (m === null) return null;
    const prefix = m[1] ?? "";
    const quote = m[2] ?? "";
    // Find the closing quote, honouring backslash escapes.
    let i = prefix.length + quote.length;
    for (; i < rest.length; i++) {
      if (rest.charAt(i) === "\\") i++;
      else if (rest.startsWith(quote, i)) break;
    }
    if (i >= rest.length) return null;
    const pieceKind = /[bB]/.test(prefix) ? "bytes" : "str";
    if (kind !== null && kind !== pieceKind) return null;
    kind = pieceKind;
    rest = rest.slice(i + quote.length).trim();
  }
  return kind;
}

/**
 * The Python type name of a literal default (`int`, `float`, `complex`, `str`, `bytes`,
 * `bool`, `NoneType`, `list`, `tuple`, `dict`, `set`), or null when the default is an
 * expression we do not evaluate.
 */
export function inferPythonType(value: string): string | null {
  const v = value.trim();
  if (v === "True" || v === "False") return "bool";
  if (v === "None") return "NoneType";
  if (INT.test(v)) return "int";
  if (FLOAT.test(v) || FLOAT_CALL.test(v)) return "float";
  if (COMPLEX.test(v)) return "complex";
  const s = stringKind(v);
  if (s !== null) return s;
  if (bracketInside(v, "[", "]") !== null) return "list";
  const braces = bracketInside(v, "{", "}");
  if (braces !== null) {
    if (braces.trim() === "") return "dict";
    return findTopLevel(braces, (c, i) => c.charAt(i) === ":") !== -1 ||
      braces.trim().startsWith("**")
      ? "dict"
      : "set";
  }
  const parens = bracketInside(v, "(", ")");
  if (parens !== null) {
    if (parens.trim() === "" || splitTopLevel(parens).length > 1) return "tuple";
    return inferPythonType(parens);
  }
  return null;
}

/** Reads the parameters of a Python cell's source. Never throws. */
export function inspectPythonSource(source: string): ParameterInfo[] {
  const params: ParameterInfo[] = [];
  let blockIndent = -1; // indentation of the def/class whose body we are skipping
  for (const st of scanStatements(source, { tripleQuotes: true, backslashContinuation: true })) {
    const first = st.lines[0]?.code.trim() ?? "";
    if (first === "") continue; // a comment-only line
    if (blockIndent >= 0) {
      if (st.indent > blockIndent) continue;
      blockIndent = -1;
    }
    if (BLOCK_START.test(first)) {
      blockIndent = st.indent;
      continue;
    }
    if (/^[%!?]/.test(first) || first.endsWith("?")) continue;
    const codes = st.lines.map((l) => l.code);
    // `a = 1; b = 2` on one line holds two statements; the comment belongs to the last.
    const pieces = codes.length === 1 ? splitTopLevel(codes[0] ?? "", ";") : [codes.join("\n")];
    const last = st.lines[st.lines.length - 1]?.comment ?? "";
    const help = HELP.exec(last);
    const typeComment = help?.[1] !== undefined && help[1] !== "" ? help[1] : null;
    pieces.forEach((piece, k) => {
      const parsed = parseAssignment(piece.split("\n"));
      if (parsed === null) return;
      const isLast = k === pieces.length - 1;
      params.push({
        name: parsed.name,
        inferredType:
          parsed.annotation ?? (isLast ? typeComment : null) ?? inferPythonType(parsed.value),
        default: parsed.value,
        help: isLast ? (help?.[2] ?? "").trim() : "",
      });
    });
  }
  return params;
}

/** Splits `name[: annotation] = value` spread over `lines`; null when it is not one. */
function parseAssignment(
  lines: string[],
): { name: string; annotation: string | null; value: string } | null {
  const joined = lines.join("\n");
  const code = joined.trimStart();
  const target = TARGET.exec(code);
  if (target === null) return null;
  const name = target[1] ?? "";
  let rest = code.slice(target[0].length);
  let annotation: string | null = null;
  if (rest.startsWith(":") && !rest.startsWith(":=")) {
    const eq = findTopLevel(rest, isAssignEq, 1);
    if (eq === -1) return null; // `x: int` declares without a value
    annotation = unquote(flattenCode(rest.slice(1, eq).split("\n"))) || null;
    rest = rest.slice(eq);
  }
  if (!isAssignEq(rest, 0)) return null;
  const valueText = rest.slice(1);
  // `a = b = 1` assigns twice; papermill's reader skips such statements.
  if (findTopLevel(valueText, isAssignEq) !== -1) return null;
  const value = flattenCode(valueText.split("\n"));
  if (value === "") return null;
  return { name, annotation, value };
}
