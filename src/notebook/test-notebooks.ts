/**
 * Test helpers (imported only by tests): notebooks built in code for the real Python
 * (`python3`) and R (`ir`) kernels, and a kernel source that starts a fresh kernel each time.
 */
import { homedir } from "node:os";
import type { JsonObject } from "../spec/types.js";
import { CELL_ID_RE } from "./cell-id.js";
import { KernelPool } from "./kernel-pool.js";
import { runNotebook, type KernelSource, type RunNotebookOptions } from "./run-notebook.js";
import type { Cell, CodeCell, Notebook } from "./types.js";

/** A code cell with `source` and optional tags. */
export function code(source: string, tags: string[] = []): Cell {
  const metadata: JsonObject = tags.length > 0 ? { tags } : {};
  return { cell_type: "code", source, metadata, outputs: [], execution_count: null };
}

/** A markdown cell. */
export function markdown(source: string): Cell {
  return { cell_type: "markdown", source, metadata: {} };
}

/** An nbformat 4.4 notebook (no cell ids yet, as many notebooks in the wild) for a kernel. */
export function notebookOf(kernel: "python3" | "ir", cells: Cell[]): Notebook {
  const kernelspec =
    kernel === "python3"
      ? { name: "python3", display_name: "Python 3", language: "python" }
      : { name: "ir", display_name: "R", language: "R" };
  const language_info = kernel === "python3" ? { name: "python" } : { name: "R" };
  return { nbformat: 4, nbformat_minor: 4, metadata: { kernelspec, language_info }, cells };
}

/** A kernel pool that keeps no warm kernels: every acquire starts a fresh kernel. */
export function freshKernels(env: NodeJS.ProcessEnv = process.env): KernelPool {
  return new KernelPool({
    discovery: { env, home: homedir() },
    size: 0,
    env,
    startupTimeoutMs: 30_000,
  });
}

/** The text of every stream output of a notebook's code cells, joined. */
export function streamText(nb: Notebook): string {
  let text = "";
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    for (const o of cell.outputs) {
      if (o.output_type === "stream") text += Array.isArray(o.text) ? o.text.join("") : o.text;
    }
  }
  return text;
}

/** The code cells of a notebook. */
export function codeCells(nb: Notebook): CodeCell[] {
  return nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
}

/** True when every cell has a valid nbformat 4.5 id and no id repeats. */
export function allHaveIds(nb: Notebook): boolean {
  const ids = nb.cells.map((c) => c.id ?? "");
  return ids.every((id) => CELL_ID_RE.test(id)) && new Set(ids).size === ids.length;
}

/** Runs `nb` on `kernels`, recording every save (copied) and warning. */
export async function runRecorded(
  kernels: KernelSource,
  nb: Notebook,
  extra: Partial<RunNotebookOptions> = {},
) {
  const saves: Notebook[] = [];
  const warnings: string[] = [];
  const result = await runNotebook({
    notebook: nb,
    inputPath: "in.ipynb",
    outputPath: "out.ipynb",
    params: {},
    kernels,
    cwd: process.cwd(),
    env: process.env,
    save: (n) => saves.push(structuredClone(n)),
    onWarning: (w) => warnings.push(w),
    ...extra,
  });
  return { ...result, saves, warnings };
}
