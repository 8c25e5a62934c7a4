/**
 * An executed notebook (nbformat 4, as our executor and papermill write it) read into
 * what the viewer shows, without React or the DOM. Nothing in a notebook is trusted: every
 * field is type-checked, texts are capped, images must be well-formed base64 of an image
 * type, HTML is passed on only to be sanitized, and the failing cell is found from the
 * error output or papermill's metadata rather than from the error banner's markup.
 */

/** Tag of the cell the executor injected the run's parameters into. */
export const INJECTED_TAG = "injected-parameters";
/** Tag of the notebook's own parameters cell (its defaults). */
export const PARAMETERS_TAG = "parameters";
/** Tag of papermill's error banner and anchor cells (replaced by the viewer's own banner). */
export const ERROR_MARKER_TAG = "papermill-error-cell-tag";

/** Most cells shown; a larger notebook shows a note instead of the rest. */
export const MAX_CELLS = 2000;
/** Longest text of one source or output kept, in characters. */
export const MAX_TEXT = 200_000;
/** Largest base64 image kept (about 7.5 MB of image). */
export const MAX_IMAGE_BASE64 = 10 * 1024 * 1024;

/** One output as the viewer draws it. */
export type OutputView =
  | { kind: "stream"; name: "stdout" | "stderr"; text: string }
  | { kind: "text"; text: string }
  | { kind: "image"; src: string; mime: string }
  | { kind: "html"; html: string }
  | { kind: "markdown"; markdown: string }
  | { kind: "json"; text: string }
  | { kind: "error"; ename: string; evalue: string; traceback: string }
  | { kind: "unsupported"; mimes: string[] };

/** One cell as the viewer draws it. */
export interface CellView {
  /** Position among the shown cells (marker cells removed). */
  index: number;
  type: "markdown" | "code" | "raw";
  source: string;
  executionCount: number | null;
  outputs: OutputView[];
  tags: string[];
  /** This cell raised the error that stopped the run. */
  failed: boolean;
  /** The executor's injected-parameters cell. */
  injected: boolean;
  /** The notebook's declared parameters cell. */
  parameters: boolean;
  /** papermill's status of the cell, when recorded. */
  status: string | null;
  /** Seconds the cell took, when recorded. */
  duration: number | null;
}

/** A notebook as the viewer draws it. */
export interface NotebookModel {
  cells: CellView[];
  /** Index (in `cells`) of the failing cell, or -1. */
  failingIndex: number;
  /** papermill says the run raised (`metadata.papermill.exception`). */
  exception: boolean;
  /** The kernel language (`python`, `R`, …), or "". */
  language: string;
  /** Cells left out past {@link MAX_CELLS}. */
  omittedCells: number;
  /** Why the document is not a notebook, when it is not. */
  problem: string | null;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function cap(text: string): string {
  return text.length > MAX_TEXT
    ? `${text.slice(0, MAX_TEXT)}\n… (${text.length - MAX_TEXT} more characters not shown)`
    : text;
}

/** nbformat's multiline string: a string or a list of strings; anything else is "". */
export function multiline(v: unknown): string {
  if (typeof v === "string") return cap(v);
  if (Array.isArray(v)) {
    let out = "";
    for (const part of v) {
      if (typeof part !== "string") continue;
      out += part;
      if (out.length > MAX_TEXT) break;
    }
    return cap(out);
  }
  return "";
}

// CSI sequences (colours, cursor moves), OSC sequences (titles, links), other escapes.
// eslint-disable-next-line no-control-regex
const ANSI_RE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;
// eslint-disable-next-line no-control-regex
const SGR_RE = /\x1b\[([0-9;]*)m/g;

/** `text` without ANSI escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_RE, "");
}

/** A run of text with one colour and weight. */
export interface AnsiSegment {
  text: string;
  /** A basic colour name (`red`, `bright-green`, …), or undefined for the default. */
  color: string | undefined;
  bold: boolean;
}

const COLORS = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

/**
 * Splits text with SGR colour codes into plain segments (drawn as spans with a class per
 * colour); every other escape sequence is removed. The text stays text.
 */
export function ansiSegments(text: string): AnsiSegment[] {
  const out: AnsiSegment[] = [];
  let color: string | undefined;
  let bold = false;
  let last = 0;
  const push = (raw: string) => {
    const t = stripAnsi(raw);
    if (t !== "") out.push({ text: t, color, bold });
  };
  for (const m of text.matchAll(SGR_RE)) {
    push(text.slice(last, m.index));
    last = m.index + m[0].length;
    const codes = (m[1] ?? "").split(";").map((c) => (c === "" ? 0 : Number(c)));
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i]!;
      if (c === 0) {
        color = undefined;
        bold = false;
      } else if (c === 1) bold = true;
      else if (c === 22) bold = false;
      else if (c === 39) color = undefined;
      else if (c >= 30 && c <= 37) color = COLORS[c - 30];
      else if (c >= 90 && c <= 97) color = `bright-${COLORS[c - 90]}`;
      else if (c === 38 || c === 48) i += codes[i + 1] === 5 ? 2 : 4; // 256/true colour: skipped
    }
  }
  push(text.slice(last));
  return out;
}

const IMAGE_MIMES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;
// A base64 payload: letters, digits, + and /, up to two = at the end (whitespace allowed, as nbformat wraps lines).
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

/** A `data:` URL for base64 image data, or undefined when the data is not clean base64 or too big. */
export function imageDataUrl(mime: string, data: unknown): string | undefined {
  if (!(IMAGE_MIMES as readonly string[]).includes(mime)) return undefined;
  const raw = multiline(data);
  if (raw.length === 0 || raw.length > MAX_IMAGE_BASE64) return undefined;
  const clean = raw.replace(/\s+/g, "");
  if (clean.length % 4 === 1 || !BASE64_RE.test(clean)) return undefined;
  return `data:${mime};base64,${clean}`;
}

/** An SVG output as an image URL: drawn by `<img>`, so scripts in it never run. */
export function svgDataUrl(data: unknown): string | undefined {
  const text = multiline(data);
  if (text === "" || text.length > MAX_IMAGE_BASE64) return undefined;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
}

function prettyJson(v: unknown): string {
  try {
    return cap(JSON.stringify(v, null, 2) ?? "null");
  } catch {
    return "(unreadable JSON)";
  }
}

// Richest first, as Jupyter picks; images before HTML so a plot never goes through the sanitizer.
function richOutput(data: Obj): OutputView {
  for (const mime of IMAGE_MIMES) {
    if (mime in data) {
      const src = imageDataUrl(mime, data[mime]);
      if (src !== undefined) return { kind: "image", src, mime };
    }
  }
  if ("image/svg+xml" in data) {
    const src = svgDataUrl(data["image/svg+xml"]);
    if (src !== undefined) return { kind: "image", src, mime: "image/svg+xml" };
  }
  if ("text/html" in data) return { kind: "html", html: multiline(data["text/html"]) };
  if ("text/markdown" in data)
    return { kind: "markdown", markdown: multiline(data["text/markdown"]) };
  if ("application/json" in data)
    return { kind: "json", text: prettyJson(data["application/json"]) };
  if ("text/plain" in data) return { kind: "text", text: stripAnsi(multiline(data["text/plain"])) };
  return { kind: "unsupported", mimes: Object.keys(data).slice(0, 10) };
}

function outputOf(o: unknown): OutputView | undefined {
  if (!isObj(o)) return undefined;
  switch (o["output_type"]) {
    case "stream":
      return {
        kind: "stream",
        name: o["name"] === "stderr" ? "stderr" : "stdout",
        text: multiline(o["text"]),
      };
    case "display_data":
    case "execute_result":
      return isObj(o["data"]) ? richOutput(o["data"]) : undefined;
    case "error": {
      const tb = Array.isArray(o["traceback"]) ? o["traceback"] : [];
      return {
        kind: "error",
        ename: typeof o["ename"] === "string" ? o["ename"].slice(0, 1000) : "Error",
        evalue: typeof o["evalue"] === "string" ? cap(o["evalue"]) : "",
        // Tracebacks hold ANSI colours; kept for ansiSegments, capped as text.
        traceback: cap(tb.filter((l): l is string => typeof l === "string").join("\n")),
      };
    }
    default:
      return undefined;
  }
}

function tagsOf(cell: Obj): string[] {
  const md = cell["metadata"];
  const tags = isObj(md) ? md["tags"] : undefined;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

function papermillOf(v: unknown): Obj {
  const md = isObj(v) ? v["metadata"] : undefined;
  const pm = isObj(md) ? md["papermill"] : undefined;
  return isObj(pm) ? pm : {};
}

function languageOf(nb: Obj): string {
  const md = nb["metadata"];
  if (!isObj(md)) return "";
  const li = md["language_info"];
  if (isObj(li) && typeof li["name"] === "string") return li["name"].slice(0, 40);
  const ks = md["kernelspec"];
  if (isObj(ks) && typeof ks["language"] === "string") return ks["language"].slice(0, 40);
  return "";
}

const EMPTY: NotebookModel = {
  cells: [],
  failingIndex: -1,
  exception: false,
  language: "",
  omittedCells: 0,
  problem: null,
};

/** Reads a notebook's JSON (anything) into the viewer's model; never throws. */
export function readNotebook(nb: unknown): NotebookModel {
  if (!isObj(nb) || !Array.isArray(nb["cells"])) {
    return { ...EMPTY, problem: "this is not a Jupyter notebook (it has no list of cells)" };
  }
  const cells: CellView[] = [];
  let failingIndex = -1;
  let omitted = 0;
  for (const raw of nb["cells"]) {
    if (!isObj(raw)) continue;
    const tags = tagsOf(raw);
    // papermill's banner and anchor are raw HTML pointing at an id; the viewer draws its own.
    if (tags.includes(ERROR_MARKER_TAG)) continue;
    if (cells.length >= MAX_CELLS) {
      omitted++;
      continue;
    }
    const t = raw["cell_type"];
    const type = t === "markdown" || t === "raw" ? t : "code";
    const outputs =
      type === "code" && Array.isArray(raw["outputs"])
        ? raw["outputs"]
            .slice(0, 200)
            .map(outputOf)
            .filter((o) => o !== undefined)
        : [];
    const pm = papermillOf(raw);
    const ec = raw["execution_count"];
    const failed =
      type === "code" &&
      (outputs.some((o) => o.kind === "error") ||
        pm["exception"] === true ||
        pm["status"] === "failed");
    const index = cells.length;
    if (failed && failingIndex === -1 && !tags.includes("raises-exception")) failingIndex = index;
    cells.push({
      index,
      type,
      source: multiline(raw["source"]),
      executionCount: typeof ec === "number" && Number.isSafeInteger(ec) ? ec : null,
      outputs,
      tags,
      failed,
      injected: tags.includes(INJECTED_TAG),
      parameters: tags.includes(PARAMETERS_TAG),
      status: typeof pm["status"] === "string" ? pm["status"].slice(0, 20) : null,
      duration: typeof pm["duration"] === "number" ? pm["duration"] : null,
    });
  }
  // A cell tagged raises-exception may fail on purpose; it is the failing cell only when
  // papermill says the run raised and no other cell did.
  const exception = papermillOf(nb)["exception"] === true;
  if (failingIndex === -1 && exception) failingIndex = cells.findIndex((c) => c.failed);
  return {
    cells,
    failingIndex,
    exception,
    language: languageOf(nb),
    omittedCells: omitted,
    problem: null,
  };
}
