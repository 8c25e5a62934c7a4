/**
 * The YAML tab's text: a DesignDoc written as YAML in a stable key order, and YAML text
 * read back into a DesignDoc with problems at line and column. Reading uses the
 * server's own reader (src/spec/source-text), so size limits, alias bombs, nesting and
 * duplicate keys are refused here exactly as the server refuses them.
 */
import { Document, isMap, isScalar, isSeq, visit } from "yaml";
import type { ValidationIssue } from "../../../src/spec/errors.js";
import type { PositionLookup } from "../../../src/spec/path.js";
import { readSourceText } from "../../../src/spec/source-text.js";
import { readDocument, writeDocument } from "./document-io.js";
import type { DesignDoc } from "./model.js";

/** Keys whose values read best as one-line flow collections. */
const FLOW_KEYS = new Set(["needs", "outputs", "resources", "args", "enum"]);

/** A mapping or list short enough, and holding only scalars, to write on one line. */
function isSmallFlat(node: unknown): boolean {
  if (!isMap(node) && !isSeq(node)) return false;
  if (node.items.length > 8) return false;
  return node.items.every((item) => {
    const value: unknown = isMap(node) ? (item as { value: unknown }).value : item;
    return isScalar(value) && !(typeof value.value === "string" && value.value.includes("\n"));
  });
}

/** The YAML text of a document: stable key order, small collections on one line. */
export function toYaml(doc: DesignDoc): string {
  const yaml = new Document(writeDocument(doc));
  visit(yaml, {
    Pair(_, pair, path) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      const parent = path[path.length - 2];
      const parentKey = parent !== undefined && isScalar((parent as { key?: unknown }).key);
      const inPositions =
        parentKey && String((parent as { key: { value: unknown } }).key.value) === "positions";
      const inParams =
        parentKey && String((parent as { key: { value: unknown } }).key.value) === "params";
      const value = pair.value;
      if (!isMap(value) && !isSeq(value)) return;
      const isTopParam = inParams && path.length === 4; // doc > pair(params) > map > pair(name)
      if ((FLOW_KEYS.has(key) || inPositions || isTopParam) && isSmallFlat(value)) {
        value.flow = true;
      }
    },
  });
  return yaml.toString({ lineWidth: 0, indent: 2 });
}

/** The result of reading the YAML tab's text. */
export type YamlRead =
  | { ok: true; doc: DesignDoc; value: unknown; positionOf: PositionLookup }
  | { ok: false; issues: ValidationIssue[] };

/**
 * Reads YAML (or JSON) text into a DesignDoc. Syntax and safety problems, and shapes a
 * graph cannot show, come back as issues with line and column; nothing throws on bad
 * input, and the caller keeps the user's text as it is.
 */
export function parseYaml(text: string): YamlRead {
  const source = readSourceText(text);
  if (source.issues.length > 0 || source.value === undefined) {
    return {
      ok: false,
      issues:
        source.issues.length > 0 ? source.issues : [{ path: "", message: "the text is empty" }],
    };
  }
  const read = readDocument(source.value);
  if (!read.ok) {
    return {
      ok: false,
      issues: read.issues.map((i) => {
        const pos = source.positionOf(i.path === "" ? [] : splitPath(i.path));
        return pos === undefined ? i : { ...i, ...pos };
      }),
    };
  }
  return { ok: true, doc: read.doc, value: source.value, positionOf: source.positionOf };
}

/** `tasks.a.needs[0]` back to segments; task ids hold no dots, so splitting is safe. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split(".")) {
    const m = /^(.*?)((?:\[\d+\])*)$/.exec(part);
    const name = m?.[1] ?? part;
    if (name !== "") out.push(name);
    for (const idx of (m?.[2] ?? "").matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}
