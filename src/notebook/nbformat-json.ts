/**
 * JSON as nbformat reads and writes it, which is Python's `json` module rather than
 * JavaScript's: reading accepts `NaN`, `Infinity` and `-Infinity` (Python's
 * `json.loads` does, and papermill can write them into `metadata.papermill.parameters`);
 * writing sorts keys by code point, indents by one space, keeps non-ASCII text as is and
 * spells floats like Python (`nbformat.v4.nbjson.JSONWriter.writes`: `indent=1,
 * sort_keys=True, separators=(",", ": "), ensure_ascii=False`).
 *
 * `JSON.parse` is the fast path; {@link parseJsonFallback} runs only when it fails, to
 * accept Python's extra constants or to say where the syntax error is. Both paths and
 * the writer are bounded in nesting depth so hostile input cannot overflow the stack.
 */
import type { JsonValue } from "../spec/types.js";
import { pythonFloatRepr } from "./translate-float.js";

/** A JSON syntax problem at a character offset. */
export interface JsonSyntaxProblem {
  message: string;
  offset: number;
  line: number;
  column: number;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

type Frame = { arr: JsonValue[] } | { obj: { [key: string]: JsonValue }; key: string | null };

// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings
const STRING_RE = /"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD_RE = /true|false|null|NaN|Infinity|-Infinity/y;
const WORDS: Record<string, JsonValue> = {
  true: true,
  false: false,
  null: null,
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
};

/** Sets `obj[key]` as an own data property, even for `__proto__` (as JSON.parse does). */
function setKey(obj: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    obj[key] = value;
  }
}

/**
 * An iterative JSON parser with Python's extensions (`NaN`, `Infinity`, `-Infinity`)
 * that reports the first syntax error with its position.
 */
export function parseJsonFallback(
  text: string,
  maxDepth: number,
): { ok: true; value: JsonValue } | { ok: false; problem: JsonSyntaxProblem } {
  let pos = 0;
  const stack: Frame[] = [];
  const fail = (message: string, at = pos) => {
    const where = lineColumn(text, at);
    return { ok: false as const, problem: { message, offset: at, ...where } };
  };
  const skipWs = () => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      pos++;
    }
  };
  const match = (re: RegExp): string | null => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) return null;
    pos += m[0].length;
    return m[0];
  };
  let root: JsonValue | undefined;
  // Each turn reads one value (possibly opening a container), then closes containers
  // and consumes separators until another value is expected.
  for (;;) {
    skipWs();
    const top = stack[stack.length - 1];
    if (top !== undefined && "obj" in top) {
      if (text[pos] !== '"') return fail("Expected a double-quoted property name");
      const k = match(STRING_RE);
      if (k === null) return fail("Invalid string (unterminated, bad escape or control character)");
      top.key = JSON.parse(k) as string;
      skipWs();
      if (text[pos] !== ":") return fail("Expected ':' after property name");
      pos++;
      skipWs();
    }
    let value: JsonValue;
    const c = text[pos];
    if (c === "{" || c === "[") {
      if (stack.length >= maxDepth) return fail(`Nested deeper than ${maxDepth} levels`);
      pos++;
      skipWs();
      const empty = text[pos] === (c === "{" ? "}" : "]");
      if (!empty) {
        stack.push(c === "{" ? { obj: {}, key: null } : { arr: [] });
        continue;
      }
      pos++;
      value = c === "{" ? {} : [];
    } else if (c === '"') {
      const s = match(STRING_RE);
      if (s === null) return fail("Invalid string (unterminated, bad escape or control character)");
      value = JSON.parse(s) as string;
    } else {
      const w = match(WORD_RE) ?? match(NUMBER_RE);
      if (w === null) {
        return fail(
          pos >= text.length
            ? "Unexpected end of input"
            : `Unexpected character ${JSON.stringify(c)}`,
        );
      }
      value = w in WORDS ? (WORDS[w] as JsonValue) : Number(w);
    }
    // Attach the value, then pop every container it completes.
    for (;;) {
      const frame = stack[stack.length - 1];
      if (frame === undefined) {
        root = value;
        break;
      }
      if ("arr" in frame) frame.arr.push(value);
      else setKey(frame.obj, frame.key ?? "", value);
      skipWs();
      const close = "arr" in frame ? "]" : "}";
      if (text[pos] === ",") {
        pos++;
        break;
      }
      if (text[pos] !== close) {
        return fail(pos >= text.length ? "Unexpected end of input" : `Expected ',' or '${close}'`);
      }
      pos++;
      stack.pop();
      value = "arr" in frame ? frame.arr : frame.obj;
    }
    if (root !== undefined) break;
  }
  skipWs();
  if (pos < text.length) return fail("Unexpected text after the JSON value");
  return { ok: true, value: root };
}

/** True when `value` nests containers deeper than `maxDepth` (checked without recursion). */
export function deeperThan(value: JsonValue, maxDepth: number): boolean {
  const stack: [JsonValue, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [JsonValue, number];
    if (v === null || typeof v !== "object") continue;
    if (d + 1 > maxDepth) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === "object") stack.push([child, d + 1]);
    }
  }
  return false;
}

/** Compares strings by code point, as Python's `sorted` does (not by UTF-16 unit). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function numberText(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  // Integers print as digits (beyond 2^53 the exact decimal of the double, as Python
  // prints an int), everything else as Python's float repr.
  if (Number.isInteger(x)) return Object.is(x, -0) ? "0" : BigInt(x).toString();
  return pythonFloatRepr(x);
}

/**
 * Serializes like Python's `json.dumps(value, indent=1, sort_keys=True,
 * separators=(",", ": "), ensure_ascii=False)`.
 * @throws RangeError when nesting exceeds `maxDepth` (callers wrap it).
 */
export function dumpsPythonJson(value: JsonValue, maxDepth: number): string {
  const out: string[] = [];
  const write = (v: JsonValue, indent: string, depth: number): void => {
    if (v === null) out.push("null");
    else if (typeof v === "string") out.push(JSON.stringify(v));
    else if (typeof v === "number") out.push(numberText(v));
    else if (typeof v === "boolean") out.push(v ? "true" : "false");
    else {
      if (depth >= maxDepth) throw new RangeError(`nested deeper than ${maxDepth} levels`);
      const inner = `${indent} `;
      if (Array.isArray(v)) {
        if (v.length === 0) return void out.push("[]");
        out.push("[");
        v.forEach((item, i) => {
          out.push(i === 0 ? `\n${inner}` : `,\n${inner}`);
          write(item, inner, depth + 1);
        });
        out.push(`\n${indent}]`);
      } else {
        const keys = Object.keys(v).sort(compareCodePoints);
        if (keys.length === 0) return void out.push("{}");
        out.push("{");
        keys.forEach((k, i) => {
          out.push(`${i === 0 ? "\n" : ",\n"}${inner}${JSON.stringify(k)}: `);
          write(v[k] as JsonValue, inner, depth + 1);
        });
        out.push(`\n${indent}}`);
      }
    }
  };
  write(value, "", 0);
  return out.join("");
}
