/**
 * Reading and writing `.ipynb` files (nbformat 4) the way nbformat does: reading rejoins
 * multi-line strings and drops transient fields (`nbformat.v4.nbjson.JSONReader`,
 * `rwbase.rejoin_lines`, `rwbase.strip_transient`); writing splits them into lines
 * again (`rwbase.split_lines`) and serializes with nbformat's JSON settings (see
 * nbformat-json.ts) plus the trailing newline `nbformat.write` adds. Unknown fields,
 * including all metadata, are kept as they are.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { JsonObject, JsonValue } from "../spec/types.js";
import { type CellIdFactory, isValidCellId, randomCellId, uniqueCellId } from "./cell-id.js";
import { deeperThan, dumpsPythonJson, parseJsonFallback } from "./nbformat-json.js";
import type { Cell, MultilineString, Notebook } from "./types.js";

/** Largest notebook text {@link parseNotebook} accepts by default (100 MiB of characters). */
export const MAX_NOTEBOOK_CHARS = 100 * 1024 * 1024;

/**
 * Deepest JSON nesting accepted. Python's `json` (and so nbformat and papermill) fails
 * near 1000 levels on its recursion limit; we stop at the same depth.
 */
export const MAX_NOTEBOOK_DEPTH = 1000;

/** Options of {@link parseNotebook}. */
export interface ParseNotebookOptions {
  /** Maximum length of `text` in characters; default {@link MAX_NOTEBOOK_CHARS}. */
  maxChars?: number;
}

const UPGRADE_HINT =
  "upgrade it with `jupyter nbconvert --to notebook --nbformat 4 --inplace FILE`";

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Joins a multi-line string field (a list of lines) into one string. */
export function sourceText(cell: { source: MultilineString }): string {
  return typeof cell.source === "string" ? cell.source : cell.source.join("");
}

/** Python's `str.splitlines` line boundaries. */
// eslint-disable-next-line no-control-regex -- Python's splitlines breaks on these control characters
const LINE_END = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;

/**
 * Splits text into lines as nbformat stores it, Python's `text.splitlines(True)`: every
 * line keeps its line ending; `""` gives `[]`. Joining the result gives `text` back.
 */
export function toMultiline(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (const m of text.matchAll(LINE_END)) {
    const end = (m.index ?? 0) + m[0].length;
    lines.push(text.slice(start, end));
    start = end;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

const isTextSplitMime = (mime: string) =>
  mime.startsWith("text/") || mime === "application/javascript" || mime === "image/svg+xml";
const isJsonMime = (mime: string) =>
  mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"));

/** rwbase._rejoin_mimebundle: joins line lists of non-JSON MIME types. */
function rejoinBundle(bundle: JsonValue | undefined): void {
  if (!isObject(bundle)) return;
  for (const [mime, v] of Object.entries(bundle)) {
    if (!isJsonMime(mime) && Array.isArray(v) && v.every((l) => typeof l === "string")) {
      bundle[mime] = v.join("");
    }
  }
}

/** rwbase._split_mimebundle: a copy with text-like MIME values split into lines. */
function splitBundle(bundle: JsonValue | undefined): JsonValue | undefined {
  if (!isObject(bundle)) return bundle;
  const out: JsonObject = { ...bundle };
  for (const [mime, v] of Object.entries(bundle)) {
    if (typeof v === "string" && isTextSplitMime(mime)) out[mime] = toMultiline(v);
  }
  return out;
}

function fail(where: string, message: string, details?: unknown): never {
  throw new UpdraftError(ErrorCodes.NOTEBOOK, `${where}: ${message}`, { details });
}

const OUTPUT_TYPES = new Set(["stream", "display_data", "execute_result", "error"]);

/** Checks one cell in place (after JSON parsing) and rejoins its multi-line fields. */
function checkCell(cell: JsonValue, i: number, where: string): Cell {
  const bad: (message: string) => never = (message) => fail(where, `cell ${i} ${message}`);
  if (!isObject(cell)) bad("is not a JSON object");
  const type = cell.cell_type;
  if (type !== "code" && type !== "markdown" && type !== "raw") {
    bad(`has cell_type ${JSON.stringify(type ?? null)}; expected "code", "markdown" or "raw"`);
  }
  const src = cell.source;
  if (Array.isArray(src) && src.every((l) => typeof l === "string")) cell.source = src.join("");
  else if (typeof src !== "string") bad("has no source (a string or a list of strings)");
  if (cell.metadata === undefined) cell.metadata = {};
  else if (!isObject(cell.metadata)) bad("has metadata that is not an object");
  if (cell.id !== undefined && typeof cell.id !== "string") bad("has an id that is not a string");
  if (isObject(cell.attachments)) Object.values(cell.attachments).forEach(rejoinBundle);
  if (type !== "code") return cell as unknown as Cell;
  if (cell.execution_count === undefined) cell.execution_count = null;
  else if (cell.execution_count !== null && !Number.isInteger(cell.execution_count)) {
    bad("has an execution_count that is neither an integer nor null");
  }
  if (cell.outputs === undefined) cell.outputs = [];
  if (!Array.isArray(cell.outputs)) bad("has outputs that are not a list");
  cell.outputs.forEach((out, j) => {
    if (
      !isObject(out) ||
      typeof out.output_type !== "string" ||
      !OUTPUT_TYPES.has(out.output_type)
    ) {
      bad(`output ${j} is not an output (stream, display_data, execute_result or error)`);
    }
    if (out.output_type === "stream" && Array.isArray(out.text)) {
      out.text = out.text.map(String).join("");
    } else if (out.output_type === "display_data" || out.output_type === "execute_result") {
      rejoinBundle(out.data);
    }
  });
  return cell as unknown as Cell;
}

/** rwbase.strip_transient: fields nbformat drops on read and on write. */
function stripTransient(metadata: JsonObject): JsonObject {
  const { orig_nbformat: _a, orig_nbformat_minor: _b, signature: _c, ...rest } = metadata;
  return rest;
}

/**
 * Parses `.ipynb` text into a {@link Notebook}: multi-line fields are joined into
 * strings, transient fields dropped, everything else kept.
 * @param source the file name, for messages.
 * @throws UpdraftError E_NOTEBOOK when the text is too large, not JSON (with line and
 * column), nested too deep, not nbformat 4 (v3 and older: how to upgrade), or has
 * malformed cells or outputs.
 */
export function parseNotebook(
  text: string,
  source?: string,
  options: ParseNotebookOptions = {},
): Notebook {
  const where = source ?? "notebook";
  const maxChars = options.maxChars ?? MAX_NOTEBOOK_CHARS;
  if (text.length > maxChars) {
    fail(where, `is ${text.length} characters long; notebooks are limited to ${maxChars}`);
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let doc: JsonValue;
  try {
    doc = JSON.parse(body) as JsonValue;
    if (deeperThan(doc, MAX_NOTEBOOK_DEPTH)) {
      fail(where, `is nested deeper than ${MAX_NOTEBOOK_DEPTH} levels`);
    }
  } catch (err) {
    if (err instanceof UpdraftError) throw err;
    const parsed = parseJsonFallback(body, MAX_NOTEBOOK_DEPTH);
    if (!parsed.ok) {
      const p = parsed.problem;
      fail(where, `is not valid JSON: ${p.message} (line ${p.line}, column ${p.column})`, {
        line: p.line,
        column: p.column,
      });
    }
    doc = parsed.value;
  }
  if (!isObject(doc)) fail(where, "is not a notebook: the JSON document is not an object");
  const major = doc.nbformat;
  if (typeof major !== "number" || !Number.isInteger(major)) {
    fail(where, "is not a notebook: it has no integer nbformat field");
  }
  if (major < 4) {
    fail(where, `is an nbformat ${major} notebook; Updraft reads nbformat 4: ${UPGRADE_HINT}`);
  }
  if (major > 4) fail(where, `is an nbformat ${major} notebook; Updraft reads nbformat 4`);
  const minor = doc.nbformat_minor ?? 0;
  if (typeof minor !== "number" || !Number.isInteger(minor) || minor < 0) {
    fail(where, "has an nbformat_minor that is not a non-negative integer");
  }
  doc.nbformat_minor = minor;
  if (doc.metadata === undefined) doc.metadata = {};
  if (!isObject(doc.metadata)) fail(where, "has metadata that is not an object");
  doc.metadata = stripTransient(doc.metadata);
  if (!Array.isArray(doc.cells)) {
    fail(where, doc.cells === undefined ? "has no cells list" : "has cells that are not a list");
  }
  const cells = doc.cells.map((c, i) => checkCell(c, i, where));
  for (const cell of cells) {
    const { trusted: _t, ...metadata } = cell.metadata;
    cell.metadata = metadata;
  }
  return doc as unknown as Notebook;
}

/** The on-disk form of one cell: multi-line fields split into lines, `trusted` dropped. */
function diskCell(cell: Cell): JsonObject {
  const { trusted: _t, ...metadata } = cell.metadata;
  const out: JsonObject = { ...(cell as unknown as JsonObject), metadata };
  out.source = typeof cell.source === "string" ? toMultiline(cell.source) : cell.source;
  const attachments = (cell as unknown as JsonObject).attachments;
  if (isObject(attachments)) {
    const att: JsonObject = {};
    for (const [k, v] of Object.entries(attachments)) att[k] = splitBundle(v) ?? null;
    out.attachments = att;
  }
  if (cell.cell_type === "code") {
    out.outputs = cell.outputs.map((o) => {
      const copy: JsonObject = { ...o };
      if (o.output_type === "stream" && typeof o.text === "string") copy.text = toMultiline(o.text);
      if (o.output_type === "display_data" || o.output_type === "execute_result") {
        const data = splitBundle(o.data);
        if (data !== undefined) copy.data = data;
      }
      return copy;
    });
  }
  return out;
}

/**
 * Serializes a notebook as nbformat writes it (`nbformat.write`): multi-line fields
 * split into lists of lines, transient fields dropped, JSON with one-space indent,
 * sorted keys, non-ASCII kept, Python float spelling, and a trailing newline.
 * The notebook is not modified.
 * @throws UpdraftError E_NOTEBOOK when it nests deeper than {@link MAX_NOTEBOOK_DEPTH}.
 */
export function serializeNotebook(nb: Notebook): string {
  const doc: JsonObject = {
    ...(nb as unknown as JsonObject),
    metadata: stripTransient(nb.metadata),
    cells: nb.cells.map(diskCell),
  };
  try {
    return `${dumpsPythonJson(doc, MAX_NOTEBOOK_DEPTH)}\n`;
  } catch (err) {
    if (err instanceof RangeError) fail("notebook", `cannot be written: ${err.message}`);
    throw err;
  }
}

/** Options of {@link upgradeTo45}. */
export interface UpgradeOptions {
  /** Where new cell ids come from; default {@link randomCellId}. */
  newCellId?: CellIdFactory;
}

/**
 * Gives every cell a valid, unique `id` in place: valid ids are kept (the first of
 * duplicates keeps its id), missing, invalid or repeated ones are replaced.
 * @returns the set of ids now in use.
 */
export function assignCellIds(cells: Cell[], newCellId: CellIdFactory = randomCellId): Set<string> {
  const taken = new Set<string>();
  const needIds: Cell[] = [];
  for (const cell of cells) {
    if (isValidCellId(cell.id) && !taken.has(cell.id)) taken.add(cell.id);
    else needIds.push(cell);
  }
  for (const cell of needIds) cell.id = uniqueCellId(taken, newCellId);
  return taken;
}

/**
 * Upgrades a 4.x notebook to nbformat 4.5, as `nbformat.v4.upgrade` does: sets
 * `nbformat_minor` to 5 (keeps a higher minor) and gives every cell a valid, unique id
 * (keeping valid ids; nbformat would also replace duplicates, via `validator.normalize`).
 * Returns a new notebook with new cell objects; nested values are shared with `nb`,
 * which is not modified.
 */
export function upgradeTo45(nb: Notebook, options: UpgradeOptions = {}): Notebook {
  const cells = nb.cells.map((c) => ({ ...c }));
  assignCellIds(cells, options.newCellId);
  return { ...nb, nbformat: 4, nbformat_minor: Math.max(nb.nbformat_minor, 5), cells };
}
