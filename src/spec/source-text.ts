/**
 * Turns the text of a YAML or JSON file into a plain value plus a lookup from field
 * paths to line:column, refusing hostile input with issues instead of crashing:
 * oversized text, control characters, alias bombs, deep nesting, duplicate keys.
 */
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";
import type { Document, Pair, YAMLMap, Node as YamlNode } from "yaml";
import type { ValidationIssue } from "./errors.js";
import { MAX_DEPTH } from "./json.js";
import { quote } from "./names.js";
import type { PathSegment, PositionLookup, SourcePosition } from "./path.js";

/** Largest workflow or params file accepted, in UTF-8 bytes. */
export const MAX_SOURCE_BYTES = 5 * 1024 * 1024;
/** Most alias expansions a document may make (YAML anchors stay usable for sharing). */
export const MAX_ALIAS_COUNT = 100;

/** What reading a source text produced. */
export interface SourceResult {
  /** The parsed value; absent when the text could not be read at all. */
  value?: unknown;
  /** Syntax and safety problems (E_PARSE-worthy). */
  issues: ValidationIssue[];
  /** Position of a field by path (nearest enclosing field when it is missing). */
  positionOf: PositionLookup;
}

const noPositions: PositionLookup = () => undefined;

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** True when the text should be read as JSON (by file name or first character). */
export function looksLikeJson(text: string, filename?: string): boolean {
  if (filename !== undefined) return filename.toLowerCase().endsWith(".json");
  return /^\s*[{[]/.test(text) && !/^\s*\{\{/.test(text);
}

function issueAt(message: string, pos?: SourcePosition): ValidationIssue {
  return pos === undefined ? { path: "", message } : { path: "", message, ...pos };
}

/** The first line of a yaml error message, without the ` at line L, column C` tail. */
function yamlMessage(message: string): string {
  const first = message.split("\n")[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * One iterative walk over the parsed tree: finds nesting deeper than MAX_DEPTH (so
 * yaml's recursive toJS never meets it) and duplicate keys, with a Set per mapping
 * (yaml's own uniqueKeys check is quadratic in the size of a mapping).
 */
function scanTree(doc: Document): { deep?: YamlNode; duplicates: YamlNode[] } {
  const duplicates: YamlNode[] = [];
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_DEPTH) return { deep: node, duplicates };
    const keys = isMap(node) ? new Set<string>() : undefined;
    for (const item of node.items) {
      if (isPair(item)) {
        const key = keyText(item.key);
        if (key !== undefined && keys !== undefined) {
          if (keys.has(key)) duplicates.push(item.key as YamlNode);
          keys.add(key);
        }
        stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return { duplicates };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function makeLookup(doc: Document, lines: LineCounter): PositionLookup {
  const toPos = (offset: number): SourcePosition => {
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  // Index each mapping's keys on first use: issues can be many, mappings large.
  const indexes = new WeakMap<object, Map<string, Pair>>();
  const pairOf = (map: YAMLMap, key: string): Pair | undefined => {
    let index = indexes.get(map);
    if (index === undefined) {
      index = new Map();
      for (const p of map.items) {
        const k = keyText(p.key);
        if (k !== undefined && !index.has(k)) index.set(k, p);
      }
      indexes.set(map, index);
    }
    return index.get(key);
  };
  return (path: readonly PathSegment[]) => {
    let node: unknown = doc.contents;
    let found: number | undefined = isMap(node) || isSeq(node) ? node.range?.[0] : undefined;
    for (const seg of path) {
      if (isAlias(node)) break;
      if (typeof seg === "string" && isMap(node)) {
        const pair = pairOf(node, seg);
        if (pair === undefined) break;
        const keyRange = (pair.key as YamlNode | null)?.range;
        if (keyRange) found = keyRange[0];
        node = pair.value;
      } else if (typeof seg === "number" && isSeq(node)) {
        const item = node.items[seg] as YamlNode | undefined;
        if (!item?.range) break;
        found = item.range[0];
        node = item;
      } else break;
    }
    return found === undefined ? undefined : toPos(found);
  };
}

/**
 * Parses YAML (JSON included) into a value. Problems come back as issues with line and
 * column: nothing here throws on bad input.
 */
export function readSourceText(text: string, filename?: string): SourceResult {
  const bytes = text.length * 3 > MAX_SOURCE_BYTES ? utf8Length(text) : text.length;
  if (bytes > MAX_SOURCE_BYTES) {
    const mb = (bytes / 1024 / 1024).toFixed(1);
    return {
      issues: [issueAt(`the file is ${mb} MB; the limit is 5 MB, so split it or shrink it`)],
      positionOf: noPositions,
    };
  }
  const source = text.startsWith("\ufeff") ? text.slice(1) : text;
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(source);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase();
    const what = code === "0000" ? "a NUL character (U+0000)" : `control character U+${code}`;
    return {
      issues: [
        issueAt(
          `the file contains ${what}; workflow files must be plain UTF-8 text`,
          positionAt(source, control.index),
        ),
      ],
      positionOf: noPositions,
    };
  }

  const json = looksLikeJson(source, filename);
  const lines = new LineCounter();
  const tooDeepMessage = `nesting is deeper than ${MAX_DEPTH} levels; a workflow needs far fewer`;
  let doc: Document;
  try {
    doc = parseDocument(source, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: false,
      merge: !json,
    });
  } catch (err) {
    if (err instanceof RangeError)
      return { issues: [issueAt(tooDeepMessage)], positionOf: noPositions };
    throw err;
  }
  const toPos = (offset: number): SourcePosition => {
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  // yaml recurses on nesting and reports its own stack overflow as a syntax error.
  const overflow = doc.errors.find((e) => /call stack/i.test(e.message));
  if (overflow !== undefined) {
    return { issues: [issueAt(tooDeepMessage, toPos(overflow.pos[0]))], positionOf: noPositions };
  }
  const kind = json ? "invalid JSON" : "invalid YAML";
  const syntax = doc.errors.map((err) =>
    issueAt(`${kind}: ${yamlMessage(err.message)}`, toPos(err.pos[0])),
  );
  if (syntax.length > 0 && json) {
    // JSON.parse words JSON mistakes (trailing commas, single quotes) in JSON terms, and
    // accepts the odd valid JSON that YAML refuses (keys over 1024 characters).
    try {
      return { value: JSON.parse(source) as unknown, issues: [], positionOf: noPositions };
    } catch (err) {
      if (err instanceof SyntaxError) {
        const at = /position (\d+)/.exec(err.message);
        const first = syntax[0];
        const pos =
          at?.[1] !== undefined
            ? positionAt(source, Number(at[1]))
            : first?.line !== undefined
              ? { line: first.line, column: first.column ?? 1 }
              : undefined;
        syntax.splice(0, syntax.length, issueAt(`invalid JSON: ${jsonMessage(err.message)}`, pos));
      }
    }
  }
  if (syntax.length > 0) return { issues: syntax, positionOf: noPositions };
  const { deep, duplicates: dupKeys } = scanTree(doc);
  if (dupKeys.length > 0 && deep === undefined) {
    return {
      issues: dupKeys.map((key) => {
        const text = keyText(key) ?? "";
        const shown = text.length > 0 && text.length <= 80 ? `${quote(text)} ` : "";
        return issueAt(
          `duplicate key ${shown}in a mapping: each key may appear only once`,
          key.range ? toPos(key.range[0]) : undefined,
        );
      }),
      positionOf: noPositions,
    };
  }
  if (deep !== undefined) {
    return {
      issues: [issueAt(tooDeepMessage, deep.range ? toPos(deep.range[0]) : undefined)],
      positionOf: noPositions,
    };
  }
  try {
    const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return { value, issues: [], positionOf: makeLookup(doc, lines) };
  } catch (err) {
    const message =
      err instanceof ReferenceError && /alias/i.test(err.message)
        ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}); YAML anchors that expand exponentially ("billion laughs") are refused`
        : `cannot read the document: ${err instanceof Error ? err.message : String(err)}`;
    return { issues: [issueAt(message)], positionOf: noPositions };
  }
}

function jsonMessage(message: string): string {
  return message
    .replace(/ in JSON at position \d+.*$/, "")
    .replace(/, "[\s\S]*" is not valid JSON$/, "");
}
