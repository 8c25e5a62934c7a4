/**
 * The execution metadata papermill 2.x records, so tools that read papermill's output
 * notebooks (scrapbook, reviewers' habits, CI scripts) read ours the same way:
 * `metadata.papermill` on the notebook and on each cell, and on failure two markdown
 * cells tagged `papermill-error-cell-tag` (a banner at the top linking to an anchor
 * placed right before the failing cell).
 */
import type { JsonObject, JsonValue } from "../spec/types.js";
import type { Cell, Notebook } from "./types.js";

/** Tag of the error banner and anchor cells (papermill's ERROR_MARKER_TAG). */
export const ERROR_MARKER_TAG = "papermill-error-cell-tag";

const ERROR_STYLE =
  'style="color:red; font-family:Helvetica Neue, Helvetica, Arial, sans-serif; font-size:2em;"';

/** Cell execution states papermill records. */
export type CellStatus = "pending" | "running" | "completed" | "failed";

/** What the notebook-level metadata says about the run. */
export interface RunInfo {
  parameters: JsonObject;
  defaultParameters: JsonObject;
  inputPath: string | null;
  outputPath: string | null;
  environmentVariables?: JsonObject;
}

/** Papermill's version string we claim compatibility with. */
export const PAPERMILL_COMPAT_VERSION = "2.6.0";

function iso(ms: number): string {
  // papermill writes naive UTC ISO times with microseconds.
  return new Date(ms).toISOString().replace("Z", "000");
}

function meta(cell: Cell): JsonObject {
  const m = cell.metadata["papermill"];
  if (m && typeof m === "object" && !Array.isArray(m)) return m;
  const fresh: JsonObject = {};
  cell.metadata["papermill"] = fresh;
  return fresh;
}

/** Drops error marker cells a previous run left (papermill's remove_error_markers). */
export function removeErrorMarkers(nb: Notebook): void {
  nb.cells = nb.cells.filter((c) => !tagsOf(c).includes(ERROR_MARKER_TAG));
}

/** Resets every cell and records the run's start (papermill's notebook_start). */
export function notebookStart(nb: Notebook, info: RunInfo, now: number): void {
  const pm: JsonObject = {
    default_parameters: info.defaultParameters,
    parameters: info.parameters,
    environment_variables: info.environmentVariables ?? {},
    version: PAPERMILL_COMPAT_VERSION,
    input_path: info.inputPath,
    output_path: info.outputPath,
    start_time: iso(now),
    end_time: null,
    duration: null,
    exception: null,
  };
  nb.metadata["papermill"] = pm;
  for (const cell of nb.cells) {
    if (cell.cell_type === "code") {
      cell.execution_count = null;
      cell.outputs = [];
    }
    cell.metadata["papermill"] = {
      exception: null,
      start_time: null,
      end_time: null,
      duration: null,
      status: "pending",
    };
  }
}

/** Marks a cell running. */
export function cellStart(cell: Cell, now: number): void {
  const m = meta(cell);
  m["start_time"] = iso(now);
  m["status"] = "running";
  m["exception"] = false;
}

/** Marks a cell failed and the notebook as having an exception. */
export function cellException(nb: Notebook, cell: Cell): void {
  const m = meta(cell);
  m["exception"] = true;
  m["status"] = "failed";
  const pm = nb.metadata["papermill"];
  if (pm && typeof pm === "object" && !Array.isArray(pm)) pm["exception"] = true;
}

/** Records a cell's end time and duration; completed unless it failed. */
export function cellComplete(cell: Cell, now: number, startedAt: number): void {
  const m = meta(cell);
  m["end_time"] = iso(now);
  m["duration"] = (now - startedAt) / 1000;
  if (m["status"] !== "failed") m["status"] = "completed";
}

/** Records the run's end; cells before a failure that never ran are marked completed, as papermill does. */
export function notebookComplete(nb: Notebook, now: number, startedAt: number): void {
  const pm = nb.metadata["papermill"];
  if (pm && typeof pm === "object" && !Array.isArray(pm)) {
    pm["end_time"] = iso(now);
    pm["duration"] = (now - startedAt) / 1000;
  }
  for (const cell of nb.cells) {
    const m = meta(cell);
    if (m["status"] === "failed") break;
    if (m["status"] === "pending") m["status"] = "completed";
  }
}

/** Inserts the error banner at the top and the anchor before the failing cell. */
export function addErrorMarkers(
  nb: Notebook,
  failingIndex: number,
  executionCount: number | null,
  newId: () => string,
): void {
  const banner = markdown(
    `<span ${ERROR_STYLE}>An Exception was encountered at ` +
      `<a href="#papermill-error-cell">In [${executionCount ?? ""}]</a>.</span>`,
    newId(),
  );
  const anchor = markdown(
    `<span id="papermill-error-cell" ${ERROR_STYLE}>` +
      "Execution using papermill encountered an exception here and stopped:</span>",
    newId(),
  );
  nb.cells.splice(failingIndex, 0, anchor);
  nb.cells.unshift(banner);
}

function markdown(source: string, id: string): Cell {
  return { cell_type: "markdown", id, source, metadata: { tags: [ERROR_MARKER_TAG] } };
}

/** The tags of a cell (an empty list when it has none or they are malformed). */
export function tagsOf(cell: Cell): string[] {
  const tags: JsonValue | undefined = cell.metadata["tags"];
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}
