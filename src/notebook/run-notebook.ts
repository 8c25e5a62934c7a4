/**
 * One papermill-style notebook run: inject the parameters into a copy of the notebook,
 * get a kernel (warm from the pool when possible), execute cell by cell saving the
 * output notebook as it goes, read the declared outputs, and always shut the kernel down
 * (in the background when the kernel source can retire kernels).
 * Shared by the `notebook` task type and `updraft notebook run`.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { JsonObject, JsonValue } from "../spec/types.js";
import { executeNotebook, type CellFailure, type CellKernel } from "./executor.js";
import { inspectParameters } from "./inspect.js";
import { notebookLanguage } from "./language.js";
import { upgradeTo45 } from "./nbformat.js";
import { collectScraps, readOutputVariables } from "./notebook-outputs.js";
import { injectParameters } from "./parameters.js";
import type { Notebook, Output } from "./types.js";

/** Time a kernel gets to exit after shutdown_request before it is killed. */
const SHUTDOWN_TIMEOUT_MS = 2000;

/** A started kernel as the runner uses it. */
export interface RunnableKernel extends CellKernel {
  shutdown(opts?: { timeoutMs?: number }): Promise<void>;
}

/** Where kernels come from (a KernelPool). */
export interface KernelSource {
  acquire(
    specName: string,
    opts: { cwd: string; env: NodeJS.ProcessEnv; signal?: AbortSignal },
  ): Promise<RunnableKernel>;
  /**
   * Takes a kernel whose run is over and shuts it down in the background (the source
   * waits for it when it closes), so a run does not wait for its kernel to exit.
   * Without it, the run awaits the shutdown itself.
   */
  retire?(kernel: RunnableKernel): void;
}

/** Options of {@link runNotebook}. */
export interface RunNotebookOptions {
  notebook: Notebook;
  inputPath: string | null;
  outputPath: string | null;
  /** Values to inject; an empty object injects nothing (as papermill). */
  params: { [name: string]: JsonValue };
  /** Kernel to use instead of the notebook's own (papermill's -k). */
  kernelName?: string;
  /** Language to render parameters in, when the notebook does not say. */
  language?: string;
  kernels: KernelSource;
  cwd: string;
  env: NodeJS.ProcessEnv;
  cellTimeoutMs?: number;
  signal?: AbortSignal;
  /** Variables to read from the kernel after the last cell. */
  outputs?: readonly string[];
  /** Receives the notebook each time it should be saved. */
  save: (nb: Notebook) => void;
  onCellStart?: (index: number, total: number) => void;
  onOutput?: (output: Output) => void;
  onWarning?: (message: string) => void;
}

/** The outcome of a notebook run. */
export interface NotebookRunResult {
  notebook: Notebook;
  failure: CellFailure | null;
  /** Declared output variables and scrapbook scraps (variables win on a clash). */
  outputs: JsonObject;
  kernelName: string;
  language: string;
}

/** Runs a notebook; a failing cell is reported in `failure`, not thrown. */
export async function runNotebook(opts: RunNotebookOptions): Promise<NotebookRunResult> {
  const kernelName = opts.kernelName ?? kernelspecName(opts.notebook);
  const language = opts.language ?? notebookLanguage(opts.notebook, kernelName);
  const defaults = inspectParameters(opts.notebook, language);
  let prepared: Notebook;
  if (Object.keys(opts.params).length > 0) {
    const injected = injectParameters(opts.notebook, opts.params, { language });
    for (const w of injected.warnings) opts.onWarning?.(w);
    prepared = injected.notebook;
  } else {
    prepared = upgradeTo45(structuredClone(opts.notebook));
  }

  const kernel = await opts.kernels.acquire(kernelName, {
    cwd: opts.cwd,
    env: opts.env,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  try {
    const { notebook, failure } = await executeNotebook(prepared, {
      kernel,
      ...(opts.cellTimeoutMs !== undefined ? { cellTimeoutMs: opts.cellTimeoutMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      save: opts.save,
      onCellStart: (i, total) => opts.onCellStart?.(i, total),
      onOutput: (_i, o) => opts.onOutput?.(o),
      run: {
        parameters: opts.params,
        defaultParameters: Object.fromEntries(defaults.map((d) => [d.name, d.default])),
        inputPath: opts.inputPath,
        outputPath: opts.outputPath,
      },
    });
    let outputs: JsonObject = collectScraps(notebook);
    if (!failure && opts.outputs && opts.outputs.length > 0) {
      const values = await readOutputVariables(
        kernel,
        language.toLowerCase(),
        opts.outputs,
        opts.signal,
        outputs,
      );
      outputs = { ...outputs, ...values };
    }
    return { notebook, failure, outputs, kernelName, language };
  } finally {
    if (opts.kernels.retire) opts.kernels.retire(kernel);
    else await kernel.shutdown({ timeoutMs: SHUTDOWN_TIMEOUT_MS });
  }
}

/** The kernel a notebook names in `metadata.kernelspec.name`. */
export function kernelspecName(nb: Notebook): string {
  const ks = nb.metadata["kernelspec"];
  const name = ks && typeof ks === "object" && !Array.isArray(ks) ? ks["name"] : undefined;
  if (typeof name !== "string" || name === "") {
    throw new UpdraftError(
      ErrorCodes.NOTEBOOK,
      "the notebook does not name a kernel (metadata.kernelspec.name); choose one with --kernel / `kernel:`",
    );
  }
  return name;
}
