/**
 * A tiny black-like layout engine for the expressions a DAG file contains: calls,
 * dicts and lists of already-escaped atoms. It follows black's choices so a generated
 * file is stable under `black`: a value stays on one line when it fits in 88
 * columns; otherwise its contents move to one indented line when that fits; otherwise
 * one element per line with a trailing comma.
 */
import { isScalar, pyAtom, pyString } from "./py-literal.js";
import type { JsonValue } from "../spec/types.js";

/** Black's default line length. */
export const LINE_LENGTH = 88;
const INDENT = "    ";

/** Python source text known to be safe (an escaped literal, a name, `a.b(...)`). */
export interface PyRaw {
  kind: "raw";
  text: string;
}
/** A call `callee(arg, name=value, ...)`; `callee` must be generated text, never user text. */
export interface PyCall {
  kind: "call";
  callee: string;
  args: PyArg[];
}
/** A dict display. */
export interface PyDict {
  kind: "dict";
  entries: [PyNode, PyNode][];
}
/** A list display. */
export interface PyList {
  kind: "list";
  items: PyNode[];
}
/** An expression the layout engine can place. */
export type PyNode = PyRaw | PyCall | PyDict | PyList;
/** A positional (`name` undefined) or keyword argument. */
export interface PyArg {
  name?: string;
  value: PyNode;
}

/** Safe text as a node. */
export const raw = (text: string): PyRaw => ({ kind: "raw", text });
/** A call node. */
export const call = (callee: string, args: PyArg[]): PyCall => ({ kind: "call", callee, args });
/** A keyword argument; `name` must be a generated identifier. */
export const kw = (name: string, value: PyNode): PyArg => ({ name, value });

/** A JSON value as nodes: strings escaped by `pyString`, keys too. */
export function jsonNode(v: JsonValue): PyNode {
  if (isScalar(v)) return raw(pyAtom(v));
  if (Array.isArray(v)) return { kind: "list", items: v.map(jsonNode) };
  return {
    kind: "dict",
    entries: Object.keys(v).map((k) => [raw(pyString(k)), jsonNode(v[k] as JsonValue)]),
  };
}

/** A dict node from `[key, node]` pairs with string keys. */
export function dictNode(entries: [string, PyNode][]): PyDict {
  return { kind: "dict", entries: entries.map(([k, v]) => [raw(pyString(k)), v]) };
}

interface Parts {
  open: string;
  close: string;
  /** Each element: the text before it (`name=`, `"key": `) and its node. */
  items: { lead: string; node: PyNode }[];
}

function parts(node: PyCall | PyDict | PyList): Parts {
  switch (node.kind) {
    case "call":
      return {
        open: `${node.callee}(`,
        close: ")",
        items: node.args.map((a) => ({
          lead: a.name === undefined ? "" : `${a.name}=`,
          node: a.value,
        })),
      };
    case "dict":
      return {
        open: "{",
        close: "}",
        items: node.entries.map(([k, v]) => ({ lead: `${flat(k)}: `, node: v })),
      };
    case "list":
      return { open: "[", close: "]", items: node.items.map((v) => ({ lead: "", node: v })) };
  }
}

// Layout asks for the flat form of a node once per enclosing level; caching it keeps
// the export linear in the size of the file (1,000 workflows well under a second).
const flatCache = new WeakMap<PyNode, string>();

/** The node on one line. */
export function flat(node: PyNode): string {
  if (node.kind === "raw") return node.text;
  let text = flatCache.get(node);
  if (text === undefined) {
    const p = parts(node);
    text = `${p.open}${p.items.map((i) => i.lead + flat(i.node)).join(", ")}${p.close}`;
    flatCache.set(node, text);
  }
  return text;
}

/**
 * Lays out `node` after `lead` on a line indented `depth` levels, followed by
 * `trail`; returns the lines (without newlines).
 */
export function layout(node: PyNode, depth: number, lead = "", trail = ""): string[] {
  const indent = INDENT.repeat(depth);
  const one = `${indent}${lead}${flat(node)}${trail}`;
  if (node.kind === "raw" || one.length <= LINE_LENGTH) return [one];
  const p = parts(node);
  if (p.items.length === 0) return [one];
  const head = `${indent}${lead}${p.open}`;
  const tail = `${indent}${p.close}${trail}`;
  const body = `${INDENT.repeat(depth + 1)}${p.items.map((i) => i.lead + flat(i.node)).join(", ")}`;
  // Black's right-hand split puts a call's arguments on one line of their own when
  // they fit; a dict or list that does not fit is always one element per line.
  if (node.kind === "call" && body.length <= LINE_LENGTH) {
    return [head, body, tail];
  }
  const lines = [head];
  for (const item of p.items) lines.push(...layout(item.node, depth + 1, item.lead, ","));
  lines.push(tail);
  return lines;
}
