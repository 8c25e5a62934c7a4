/**
 * papermill-compatible parameter injection (papermill 2.6 `parameterize.parameterize_notebook`
 * and the unknown-parameter check of `execute.execute_notebook`): the parameters are
 * rendered as literals into a new code cell tagged `injected-parameters`, which replaces
 * an earlier injected cell where it stands, or goes right after the first cell tagged
 * `parameters`, or at the top of the notebook (with papermill's warning). The notebook
 * is upgraded to nbformat 4.5 (ids on every cell) and records the parameters in
 * `metadata.papermill`.
 */
import type { JsonObject, JsonValue } from "../spec/types.js";
import type { CellIdFactory } from "./cell-id.js";
import { uniqueCellId } from "./cell-id.js";
import { canInspectLanguage, cellTags, findFirstTaggedCell, inspectParameters } from "./inspect.js";
import { PARAMETERS_TAG } from "./inspect.js";
import { assignCellIds } from "./nbformat.js";
import { renderParameters } from "./translators.js";
import type { Cell, CodeCell, Notebook } from "./types.js";

/** The tag of the cell Updraft (and papermill) inserts. */
export const INJECTED_PARAMETERS_TAG = "injected-parameters";

/** Options of {@link injectParameters}. */
export interface InjectOptions {
  /** Language to render in (`python`, `R`, `scala`, `julia`, `bash`; see language.ts). */
  language: string;
  /** The comment line's text; papermill's default `Parameters`. One line. */
  injectionComment?: string;
  /** papermill's report mode: hide the injected cell's source (`jupyter.source_hidden`). */
  reportMode?: boolean;
  /** Where new cell ids come from (tests); default random, like nbformat. */
  newCellId?: CellIdFactory;
}

/** What {@link injectParameters} produced. */
export interface InjectResult {
  /** A new notebook (nbformat 4.5); the input is not modified and shares nothing with it. */
  notebook: Notebook;
  /** papermill's warnings, worded as papermill words them where it has them. */
  warnings: string[];
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v);
}

/**
 * Injects `params` into a copy of `nb`.
 *
 * - Placement (papermill): the first cell tagged `injected-parameters` is replaced where
 *   it stands; otherwise the new cell goes right after the first cell tagged
 *   `parameters`; otherwise at the top, with the warning "Input notebook does not
 *   contain a cell with tag 'parameters'". Further `injected-parameters` cells, which
 *   papermill would leave in place to re-assign stale values, are removed (with a
 *   warning).
 * - Warnings "Passed unknown parameter: x" for parameters the parameters cell does not
 *   declare, when that cell exists and its language can be inspected (Python, R).
 * - `metadata.papermill.parameters` = `params`; `metadata.papermill.default_parameters`
 *   = the inspected defaults as source text (papermill 2.6 writes `{}` there); other
 *   `metadata.papermill` fields are kept.
 *
 * With no params the cell is still injected (the caller decides whether to call).
 * @throws ParamError (E_PARAM) for an unknown language, a bad name or a value with no
 * literal in the language; the notebook is then untouched.
 */
export function injectParameters(
  nb: Notebook,
  params: Record<string, JsonValue>,
  opts: InjectOptions,
): InjectResult {
  const source = renderParameters(opts.language, params, opts.injectionComment);
  const warnings: string[] = [];

  const hasParametersCell = findFirstTaggedCell(nb, PARAMETERS_TAG) >= 0;
  const declared = inspectParameters(nb, opts.language);
  if (hasParametersCell && canInspectLanguage(opts.language)) {
    const names = new Set(declared.map((p) => p.name));
    for (const name of Object.keys(params)) {
      if (!names.has(name)) warnings.push(`Passed unknown parameter: ${name}`);
    }
  }

  const out = structuredClone(nb);
  const cells: Cell[] = out.cells;
  const injectedAt = findFirstTaggedCell(out, INJECTED_PARAMETERS_TAG);
  const paramsAt = findFirstTaggedCell(out, PARAMETERS_TAG);
  let before: Cell[];
  let after: Cell[];
  if (injectedAt >= 0) {
    before = cells.slice(0, injectedAt);
    after = cells.slice(injectedAt + 1);
  } else if (paramsAt >= 0) {
    before = cells.slice(0, paramsAt + 1);
    after = cells.slice(paramsAt + 1);
  } else {
    warnings.push("Input notebook does not contain a cell with tag 'parameters'");
    before = [];
    after = cells;
  }
  const stale = (c: Cell) => cellTags(c).includes(INJECTED_PARAMETERS_TAG);
  const extra = before.filter(stale).length + after.filter(stale).length;
  if (extra > 0) {
    warnings.push(
      `Removed ${extra} more cell${extra === 1 ? "" : "s"} tagged '${INJECTED_PARAMETERS_TAG}' ` +
        "left from an earlier run",
    );
  }
  before = before.filter((c) => !stale(c));
  after = after.filter((c) => !stale(c));

  const taken = assignCellIds([...before, ...after], opts.newCellId);
  const metadata: JsonObject = { tags: [INJECTED_PARAMETERS_TAG] };
  if (opts.reportMode === true) metadata.jupyter = { source_hidden: true };
  // nbformat.v4.new_code_cell's fields.
  const injected: CodeCell = {
    cell_type: "code",
    execution_count: null,
    id: uniqueCellId(taken, opts.newCellId),
    metadata,
    outputs: [],
    source,
  };
  out.cells = [...before, injected, ...after];
  out.nbformat = 4;
  out.nbformat_minor = Math.max(out.nbformat_minor, 5);

  const previous = out.metadata.papermill;
  const defaults: JsonObject = {};
  for (const p of declared) defaults[p.name] = p.default;
  out.metadata.papermill = {
    ...(isObject(previous) ? previous : {}),
    default_parameters: defaults,
    parameters: structuredClone(params),
  };
  return { notebook: out, warnings };
}
