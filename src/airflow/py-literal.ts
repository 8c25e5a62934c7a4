/**
 * Python literals for generated code. Every user-supplied value enters a DAG file
 * through these functions, so no name, param or value can end a string early or
 * introduce a token of its own.
 */
import type { JsonValue } from "../spec/types.js";

// Code points written as escapes rather than raw characters: C0/C1 controls and DEL
// (invisible, and NUL is not even allowed in Python source), line and paragraph
// separators and NEL (some tools treat them as line breaks), the BOM, and the bidi
// controls that can make source read differently than it parses ("Trojan Source").
function mustEscape(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0xfeff ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    (cp >= 0xd800 && cp <= 0xdfff) ||
    cp === 0xfffe ||
    cp === 0xffff
  );
}

const SHORT_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function hex(cp: number, digits: number): string {
  return cp.toString(16).padStart(digits, "0");
}

/**
 * A Python string literal for `s` (double-quoted unless single quotes need fewer escapes). Quotes, backslashes and every
 * control, separator or invisible formatting character are escaped; other non-ASCII
 * text stays readable. A lone UTF-16 surrogate becomes `\udXXX` (Python strings can
 * hold those), so the output is always valid UTF-8.
 */
export function pyString(s: string): string {
  // Black's choice: double quotes, unless single quotes need fewer escapes.
  const q = count(s, '"') > count(s, "'") ? "'" : '"';
  let out = q;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    // A well-formed surrogate pair is one astral code point, written raw.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s.slice(i, i + 2);
        i++;
        continue;
      }
    }
    const ch = s[i] ?? "";
    const short = ch === "'" || ch === '"' ? (ch === q ? `\\${ch}` : ch) : SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (!mustEscape(unit)) out += ch;
    else if (unit <= 0xff) out += `\\x${hex(unit, 2)}`;
    else out += `\\u${hex(unit, 4)}`;
  }
  return out + q;
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}

/**
 * A Python literal for a number: integers and decimals as JavaScript prints them
 * (Python reads `1e+21` and `5e-7` too); NaN and the infinities, which have no
 * literal, as `float("nan")`, `float("inf")` and `-float("inf")`.
 */
export function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'float("nan")';
  if (n === Infinity) return 'float("inf")';
  if (n === -Infinity) return '-float("inf")';
  return String(n);
}

/** True for values `pyAtom` writes on one line without nesting. */
export function isScalar(v: JsonValue): v is string | number | boolean | null {
  return v === null || typeof v !== "object";
}

/** A Python literal for a scalar JSON value. */
export function pyAtom(v: string | number | boolean | null): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return pyNumber(v);
  return pyString(v);
}

/**
 * The whole value as a one-line Python literal: dicts with string keys in insertion
 * order, lists, and scalars via {@link pyAtom}. The layout engine (`py-layout.ts`)
 * explodes long collections; this flat form is for short values and for tests.
 */
export function pyLiteral(v: JsonValue): string {
  if (isScalar(v)) return pyAtom(v);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(", ")}]`;
  const entries = Object.keys(v).map((k) => `${pyString(k)}: ${pyLiteral(v[k] as JsonValue)}`);
  return `{${entries.join(", ")}}`;
}

const PY_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A Python variable name derived from `id` that is unique among `taken` (which it is
 * added to): characters outside `[A-Za-z0-9_]` become `_`, and a `t_` prefix keeps it
 * clear of keywords, builtins and the names the generated module imports.
 */
export function uniqueVariable(id: string, taken: Set<string>): string {
  const cleaned = id.replace(/[^A-Za-z0-9_]/g, "_");
  let name = `t_${cleaned}`;
  if (!PY_IDENTIFIER.test(name)) name = "t_";
  for (let n = 2; taken.has(name); n++) name = `t_${cleaned}_${n}`;
  taken.add(name);
  return name;
}
