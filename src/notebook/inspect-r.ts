/**
 * Reads an R parameters cell. papermill 2.6 has no R inspection (`RTranslator` does not
 * implement `inspect`, so papermill warns and reports nothing); we read it the way the
 * Python reader works: one parameter per top-level `name = value` or `name <- value`
 * (backquoted names too), values spanning lines while brackets are open or a line ends
 * with an operator, the comment on the statement's last line as help, and the type of a
 * literal default in R's terms (`numeric`, `integer`, `character`, `logical`, `complex`,
 * `NULL`, `list`, or the common type of a `c(...)` of literals).
 */
import type { ParameterInfo } from "./inspect-types.js";
import { bracketInside, flattenCode, scanStatements, splitTopLevel } from "./inspect-scan.js";

/** A line ending in a binary operator or comma continues on the next line in R. */
const TRAILING_OPERATOR = /(?:[-+*/^&|~,=<>!]|<-|%[^%]*%)\s*$/;
const ASSIGNMENT =
  /^(?:`([^`\\]+)`|([A-Za-z][A-Za-z0-9._]*|\.[A-Za-z_.][A-Za-z0-9._]*))\s*(<-|=(?!=))/;

const NUMERIC = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|Inf|NaN)$/;
const INTEGER = /^[+-]?(?:\d+(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)L$/;
const COMPLEX = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?i$/;
const STRING = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')$/s;

/** R's atomic types from weakest to strongest, for the type of `c(...)`. */
const COERCION = ["NULL", "logical", "integer", "numeric", "complex", "character"];

/**
 * The R type of a literal default (`class()`-style names; `numeric` for doubles), or
 * null when it is an expression we do not evaluate.
 */
export function inferRType(value: string): string | null {
  const v = value.trim();
  if (v === "NULL") return "NULL";
  if (["TRUE", "FALSE", "T", "F", "NA"].includes(v)) return "logical";
  if (v === "NA_integer_") return "integer";
  if (v === "NA_real_") return "numeric";
  if (v === "NA_character_") return "character";
  if (v === "NA_complex_") return "complex";
  if (INTEGER.test(v)) return "integer";
  if (NUMERIC.test(v)) return "numeric";
  if (COMPLEX.test(v)) return "complex";
  if (STRING.test(v)) return "character";
  if (v.startsWith("list") && bracketInside(v.slice(4).trim(), "(", ")") !== null) return "list";
  if (v.startsWith("c") && bracketInside(v.slice(1).trim(), "(", ")") !== null) {
    const inside = bracketInside(v.slice(1).trim(), "(", ")") ?? "";
    if (inside.trim() === "") return "NULL";
    let strongest = 0;
    for (const item of splitTopLevel(inside)) {
      // `c(a = 1)` names its elements; the value decides the type.
      const named = /^\s*(?:`[^`]*`|[A-Za-z.][A-Za-z0-9._]*|"[^"]*")\s*=(?!=)(.*)$/s.exec(item);
      const t = inferRType(named?.[1] ?? item);
      const rank = t === null ? -1 : COERCION.indexOf(t);
      if (rank < 0) return null;
      strongest = Math.max(strongest, rank);
    }
    return COERCION[strongest] ?? null;
  }
  return null;
}

/** Reads the parameters of an R cell's source. Never throws. */
export function inspectRSource(source: string): ParameterInfo[] {
  const params: ParameterInfo[] = [];
  const statements = scanStatements(source, {
    tripleQuotes: false,
    backslashContinuation: false,
    continues: (code) => TRAILING_OPERATOR.test(code),
  });
  for (const st of statements) {
    const code = st.lines.map((l) => l.code).join("\n");
    const m = ASSIGNMENT.exec(code.trimStart());
    if (m === null) continue;
    const name = m[1] ?? m[2] ?? "";
    const valueText = code.trimStart().slice(m[0].length);
    const value = flattenCode(valueText.split("\n"));
    // A function definition is code, not a parameter.
    if (value === "" || /^function\b|^\\\(/.test(value)) continue;
    const comment = st.lines[st.lines.length - 1]?.comment ?? "";
    params.push({
      name,
      inferredType: inferRType(value),
      default: value,
      help: comment.replace(/^#+'?/, "").trim(),
    });
  }
  return params;
}
