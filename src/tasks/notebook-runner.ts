/**
 * Runner of `notebook` tasks: papermill-compatible parameter injection and execution on
 * a Jupyter kernel, the output notebook saved as cells finish at
 * `<attemptDir>/output.ipynb`, stream output copied to the attempt's log, and the
 * declared outputs read from the kernel.
 */
import { renameSync, writeFileSync } from "node:fs";
import { mkdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ErrorCodes, TaskError, UpdraftError } from "../spec/errors.js";
import type { JsonValue } from "../spec/types.js";
import { inspectParameters } from "../notebook/inspect.js";
import { notebookLanguage } from "../notebook/language.js";
import { MAX_NOTEBOOK_CHARS, parseNotebook, serializeNotebook } from "../notebook/nbformat.js";
import { kernelspecName, runNotebook, type KernelSource } from "../notebook/run-notebook.js";
import type { Notebook, Output } from "../notebook/types.js";
import { wrongTaskType } from "./contract-task.js";
import type { LogSink, SecretMasking, TaskContext, TaskResult, TaskRunner } from "./types.js";

/** File name of the executed notebook in the attempt directory. */
export const OUTPUT_NOTEBOOK = "output.ipynb";

/** Options of {@link createNotebookRunner}. */
export interface NotebookRunnerOptions {
  kernels: KernelSource;
  /** Time allowed to each cell; default none (the task's `timeout` bounds the whole run). */
  cellTimeoutMs?: number;
}

/** Creates the runner of `notebook` tasks. */
export function createNotebookRunner(opts: NotebookRunnerOptions): TaskRunner {
  return {
    type: "notebook",
    async run(ctx: TaskContext): Promise<TaskResult> {
      const task = ctx.task;
      if (task.type !== "notebook") throw wrongTaskType("notebook", task.type);
      const inputPath = resolve(ctx.baseDir, task.notebook);
      const input = await readNotebookFile(inputPath, task.notebook);
      const kernelName = task.kernel ?? kernelspecName(input);
      const language = notebookLanguage(input, kernelName);
      const params = paramsToInject(ctx, input, language);
      const outputPath = join(ctx.attemptDir, OUTPUT_NOTEBOOK);
      await mkdir(ctx.attemptDir, { recursive: true });
      ctx.log.write(`[updraft] notebook ${task.notebook} on kernel ${kernelName}\n`);
      const result = await runNotebook({
        notebook: input,
        inputPath,
        outputPath,
        params,
        kernelName,
        language,
        kernels: opts.kernels,
        cwd: ctx.baseDir,
        env: ctx.env,
        signal: ctx.signal,
        outputs: task.outputs,
        ...(opts.cellTimeoutMs !== undefined ? { cellTimeoutMs: opts.cellTimeoutMs } : {}),
        save: (nb) => saveAtomically(outputPath, nb, ctx.masking),
        onCellStart: (i, total) => ctx.log.write(`[updraft] executing cell ${i + 1}/${total}\n`),
        onOutput: (o) => logOutput(ctx.log, o),
        onWarning: (w) => ctx.log.write(`[updraft] warning: ${w}\n`),
      });
      const f = result.failure;
      if (f) {
        if (f.cause) throw f.cause;
        throw new TaskError(
          ErrorCodes.TASK_FAILED,
          `cell In [${f.executionCount ?? " "}] raised ${f.ename}: ${firstLine(f.evalue)}; ` +
            `see the output notebook ${outputPath}`,
        );
      }
      return { outputs: result.outputs, notebook: outputPath };
    },
  };
}

/**
 * The task's own params, plus the workflow params the notebook declares in its
 * `parameters` cell (injecting every workflow param would warn about unknown ones).
 */
function paramsToInject(
  ctx: TaskContext,
  nb: Notebook,
  language: string,
): { [name: string]: JsonValue } {
  const own = ctx.task.params;
  const declared = new Set(inspectParameters(nb, language).map((p) => p.name));
  const out: { [name: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(ctx.params)) {
    if (Object.hasOwn(own, k) || declared.has(k)) out[k] = v;
  }
  return out;
}

/** Reads and parses a notebook file with user-facing errors. */
export async function readNotebookFile(path: string, shown: string): Promise<Notebook> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) {
    throw new TaskError(
      ErrorCodes.TASK_FAILED,
      `notebook ${shown} not found (looked for ${path}); paths are relative to the workflow file's directory`,
    );
  }
  if (info.size > MAX_NOTEBOOK_CHARS) {
    throw new UpdraftError(ErrorCodes.NOTEBOOK, `notebook ${shown} is larger than 100 MB`);
  }
  return parseNotebook(await readFile(path, "utf8"), shown);
}

// Write then rename, so a reader (the API, a crash) never sees half a notebook. Granted
// secrets are masked in every string (outputs, tracebacks) before the notebook hits the disk.
function saveAtomically(path: string, nb: Notebook, masking?: SecretMasking): void {
  const tmp = `${path}.tmp`;
  const shown = masking ? (masking.json(nb as unknown as JsonValue) as unknown as Notebook) : nb;
  writeFileSync(tmp, serializeNotebook(shown));
  renameSync(tmp, path);
}

function logOutput(log: LogSink, o: Output): void {
  if (o.output_type === "stream") log.write(Array.isArray(o.text) ? o.text.join("") : o.text);
  else if (o.output_type === "error") log.write(`${o.ename}: ${o.evalue}\n`);
}

function firstLine(s: string): string {
  const line = s.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
