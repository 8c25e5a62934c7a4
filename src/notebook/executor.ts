/**
 * Executes a notebook cell by cell on a started kernel, recording outputs into a copy of
 * the notebook with papermill's metadata. Stops at the first error unless the cell is
 * tagged `raises-exception`; `sys.exit(0)` stops early without failing, as in papermill.
 * The notebook is handed to `save` as cells start, produce output and finish (throttled,
 * see throttled-save.ts, and always once at the end), so a failed or killed run keeps
 * its partial output.
 */
import { randomBytes } from "node:crypto";
import { ErrorCodes, toUpdraftError, type UpdraftError } from "../spec/errors.js";
import type { JsonValue } from "../spec/types.js";
import { ThrottledSave } from "./throttled-save.js";
import { OutputRecorder, textOf, type DisplayIndex, type IopubMessage } from "./output-recorder.js";
import {
  addErrorMarkers,
  cellComplete,
  cellException,
  cellStart,
  notebookComplete,
  notebookStart,
  removeErrorMarkers,
  tagsOf,
  type RunInfo,
} from "./papermill-metadata.js";
import type { CodeCell, ErrorOutput, Notebook, Output } from "./types.js";

/** Options of one `execute` call on a kernel. */
export interface KernelExecuteOptions {
  onIopub: (msg: IopubMessage) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
  silent?: boolean;
  storeHistory?: boolean;
  allowStdin?: boolean;
  /** Whether the kernel drops requests queued behind a failing one; default true. */
  stopOnError?: boolean;
}

/** The fields of an execute_reply the executor reads. */
export interface CellReply {
  status: string;
  execution_count?: number | null;
  ename?: unknown;
  evalue?: unknown;
}

/** What the executor needs from a kernel client (KernelClient is one). */
export interface CellKernel {
  /** Runs code; resolves once the reply and every iopub message of the request arrived. */
  execute(code: string, opts: KernelExecuteOptions): Promise<{ reply: CellReply }>;
}

/** The error that stopped a notebook. */
export interface CellFailure {
  /** Index of the failing cell in the executed notebook (before error markers were added). */
  cellIndex: number;
  /** Id of the failing cell. */
  cellId: string | undefined;
  executionCount: number | null;
  ename: string;
  evalue: string;
  traceback: string[];
  /** Set when the cell did not fail by itself: a timeout, a dead kernel, a cancel. */
  cause?: UpdraftError;
}

/** Options of `executeNotebook`. */
export interface ExecuteNotebookOptions {
  kernel: CellKernel;
  /** Time allowed to each cell (papermill's --execution-timeout). */
  cellTimeoutMs?: number;
  /** Aborting interrupts the running cell and stops the notebook. */
  signal?: AbortSignal;
  /** Receives the notebook whenever it changed in a way worth saving. */
  save?: (nb: Notebook) => void;
  /** Shortest time between two saves while running; default 200 ms. */
  saveIntervalMs?: number;
  /** Reports cell starts and outputs (for logs and progress). */
  onCellStart?: (index: number, total: number, cell: CodeCell) => void;
  onOutput?: (index: number, output: Output) => void;
  run: RunInfo;
  now?: () => number;
}

/** Result of executing a notebook. */
export interface NotebookExecution {
  notebook: Notebook;
  failure: CellFailure | null;
}

/** Executes `input` (never modified) and returns the executed copy. */
export async function executeNotebook(
  input: Notebook,
  opts: ExecuteNotebookOptions,
): Promise<NotebookExecution> {
  const now = opts.now ?? Date.now;
  const nb = structuredClone(input);
  removeErrorMarkers(nb);
  const startedAt = now();
  notebookStart(nb, opts.run, startedAt);
  const save = opts.save;
  const saver = new ThrottledSave(() => save?.(nb), {
    ...(opts.saveIntervalMs !== undefined ? { minIntervalMs: opts.saveIntervalMs } : {}),
  });
  if (save) saver.request();
  const changed = (): void => {
    if (save) saver.request();
  };
  let failure: CellFailure | null;
  try {
    failure = await runCells(nb, opts, now, changed);
  } catch (err) {
    saver.cancel();
    throw err;
  }

  notebookComplete(nb, now(), startedAt);
  if (failure) addErrorMarkers(nb, failure.cellIndex, failure.executionCount, newCellId);
  if (save) saver.flush();
  return { notebook: nb, failure };
}

/** Runs the code cells in order; the failure that stopped them, or null. */
async function runCells(
  nb: Notebook,
  opts: ExecuteNotebookOptions,
  now: () => number,
  changed: () => void,
): Promise<CellFailure | null> {
  const displays: DisplayIndex = new Map();
  const total = nb.cells.filter((c) => c.cell_type === "code").length;
  let failure: CellFailure | null = null;
  let codeIndex = 0;

  for (let i = 0; i < nb.cells.length; i++) {
    const cell = nb.cells[i]!;
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    // papermill times every cell; nbclient runs nothing for text and blank code cells.
    if (cell.cell_type !== "code" || source.trim() === "") {
      const at = now();
      cellStart(cell, at);
      cellComplete(cell, at, at);
      continue;
    }
    const allowsErrors = tagsOf(cell).includes("raises-exception");
    const cellStartedAt = now();
    cellStart(cell, cellStartedAt);
    opts.onCellStart?.(codeIndex++, total, cell);
    changed();
    const recorder = new OutputRecorder(cell, displays, (o) => {
      changed();
      opts.onOutput?.(i, o);
    });
    let reply: CellReply | undefined;
    let cause: UpdraftError | undefined;
    try {
      ({ reply } = await opts.kernel.execute(source, {
        onIopub: (msg) => recorder.handle(msg),
        ...(opts.cellTimeoutMs !== undefined ? { timeoutMs: opts.cellTimeoutMs } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        storeHistory: true,
        allowStdin: false,
        // As nbclient: a cell allowed to fail must not make the kernel drop the next one.
        stopOnError: !allowsErrors,
      }));
    } catch (err) {
      cause = toUpdraftError(err);
    }
    if (typeof reply?.execution_count === "number" && cell.execution_count === null) {
      cell.execution_count = reply.execution_count;
    }
    let stop = false;
    if (cause) {
      // The kernel said nothing about this cell's end: record why it stopped as an error output,
      // so the output notebook shows the failing cell like any other error.
      const out: ErrorOutput = {
        output_type: "error",
        ename: errorName(cause),
        evalue: cause.message,
        traceback: [],
      };
      cell.outputs.push(out);
      failure = failureOf(i, cell, out, cause);
      stop = true;
    } else if (reply?.status === "error" || reply?.status === "aborted") {
      const out = lastError(cell) ?? {
        output_type: "error" as const,
        ename: textOf(reply.ename as JsonValue) || "Error",
        evalue: textOf(reply.evalue as JsonValue),
        traceback: [],
      };
      if (isCleanExit(out)) {
        stop = true;
      } else if (!allowsErrors) {
        failure = failureOf(i, cell, out);
        stop = true;
      }
    }
    if (failure && failure.cellIndex === i) cellException(nb, cell);
    cellComplete(cell, now(), cellStartedAt);
    changed();
    if (stop) break;
  }
  return failure;
}

function failureOf(i: number, cell: CodeCell, out: ErrorOutput, cause?: UpdraftError): CellFailure {
  return {
    cellIndex: i,
    cellId: cell.id,
    executionCount: cell.execution_count,
    ename: out.ename,
    evalue: out.evalue,
    traceback: out.traceback,
    ...(cause ? { cause } : {}),
  };
}

function lastError(cell: CodeCell): ErrorOutput | undefined {
  for (let k = cell.outputs.length - 1; k >= 0; k--) {
    const o = cell.outputs[k]!;
    if (o.output_type === "error") return o;
  }
  return undefined;
}

// papermill does not count `sys.exit()` / `sys.exit(0)` as a failure.
function isCleanExit(out: ErrorOutput): boolean {
  return out.ename === "SystemExit" && (out.evalue === "" || out.evalue === "0");
}

// The names nbclient gives these conditions, so readers of the output recognise them.
function errorName(err: UpdraftError): string {
  switch (err.code) {
    case ErrorCodes.TASK_TIMEOUT:
      return "CellTimeoutError";
    case ErrorCodes.KERNEL:
      return "DeadKernelError";
    case ErrorCodes.CANCELLED:
      return "KeyboardInterrupt";
    default:
      return "ExecutionError";
  }
}

/** A new nbformat cell id (8 hex characters, as nbformat generates). */
export function newCellId(): string {
  return randomBytes(4).toString("hex");
}
