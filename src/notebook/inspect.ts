/**
 * Parameter inspection: what the first cell tagged `parameters` declares, as papermill's
 * `inspection._infer_parameters` reports it (name, type, default, help), so the designer
 * can show a form for a notebook and injection can warn about unknown parameters.
 */
import { inspectPythonSource } from "./inspect-python.js";
import { inspectRSource } from "./inspect-r.js";
import type { ParameterInfo } from "./inspect-types.js";
import { normalizeLanguage, resolveNotebookLanguage } from "./language.js";
import { sourceText } from "./nbformat.js";
import type { Cell, Notebook } from "./types.js";

export type { ParameterInfo } from "./inspect-types.js";

/** The tag of the cell holding parameter defaults. */
export const PARAMETERS_TAG = "parameters";

/** A cell's `metadata.tags`, keeping only strings (a malformed list yields []). */
export function cellTags(cell: Cell): string[] {
  const tags = cell.metadata.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

/**
 * Index of the first cell carrying `tag`, or -1 (papermill's
 * `utils.find_first_tagged_cell_index`; any cell type counts).
 */
export function findFirstTaggedCell(nb: Notebook, tag: string): number {
  return nb.cells.findIndex((c) => cellTags(c).includes(tag));
}

/** True for languages whose parameters cells {@link inspectParameters} can read. */
export function canInspectLanguage(language: string): boolean {
  const lang = normalizeLanguage(language);
  return lang === "python" || lang === "R";
}

/**
 * Reads a parameters cell's source in `language` (Python or R); [] for other languages.
 * Never throws: code it cannot read is skipped, as papermill's reader does.
 */
export function inspectSource(source: string, language: string): ParameterInfo[] {
  const lang = normalizeLanguage(language);
  if (lang === "python") return inspectPythonSource(source);
  if (lang === "R") return inspectRSource(source);
  return [];
}

/**
 * The parameters declared in the first cell tagged `parameters`, in order.
 * @param language the notebook's language; by default resolved from its metadata like
 * {@link resolveNotebookLanguage}.
 * @returns [] when there is no parameters cell, the language is unknown or not Python
 * or R (papermill only warns there too); never throws.
 */
export function inspectParameters(nb: Notebook, language?: string): ParameterInfo[] {
  const index = findFirstTaggedCell(nb, PARAMETERS_TAG);
  const cell = nb.cells[index];
  if (cell === undefined) return [];
  const lang = language ?? resolveNotebookLanguage(nb);
  if (lang === null) return [];
  return inspectSource(sourceText(cell), lang);
}
