/**
 * `updraft notebook run IN OUT` (papermill-compatible flags) and `updraft notebook inspect NB`.
 */
import { renameSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { inspectParameters } from "../notebook/inspect.js";
import { KernelPool } from "../notebook/kernel-pool.js";
import { notebookLanguage } from "../notebook/language.js";
import { MAX_NOTEBOOK_CHARS, parseNotebook, serializeNotebook } from "../notebook/nbformat.js";
import { kernelspecName, runNotebook } from "../notebook/run-notebook.js";
import type { Notebook } from "../notebook/types.js";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { parseCliValue, parseParamsFile } from "../spec/params.js";
import type { JsonObject } from "../spec/types.js";
import { readUserFile } from "./load-workflow.js";
import type { ParamPair } from "./param-args.js";

/** Options of `updraft notebook run`. */
export interface NotebookRunOptions {
  input: string;
  /** Output path; `-` writes the executed notebook to stdout. */
  output: string;
  pairs: ParamPair[];
  paramFiles: string[];
  paramYaml: string[];
  kernel?: string;
  language?: string;
  cwd: string;
  executionTimeoutS?: number;
  logOutput: boolean;
  progressBar: boolean;
  env: NodeJS.ProcessEnv;
  home: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  onCancelReady?: (cancel: () => void) => void;
}

function readNotebookArg(path: string): Notebook {
  return parseNotebook(readUserFile(path, "notebook", MAX_NOTEBOOK_CHARS), path);
}

/** Runs one notebook; resolves with the exit code (0 when every cell succeeded). */
export async function notebookRunCommand(o: NotebookRunOptions): Promise<number> {
  const nb = readNotebookArg(o.input);
  // papermill's order: files, then YAML strings, then -p, then -r (later wins).
  const params: JsonObject = {};
  for (const f of o.paramFiles)
    Object.assign(params, parseParams(readUserFile(f, "params file"), `params file ${f}`));
  for (const y of o.paramYaml) Object.assign(params, parseParams(y, "--parameters_yaml"));
  for (const p of o.pairs.filter((x) => !x.raw)) params[p.name] = parseCliValue(p.value);
  for (const p of o.pairs.filter((x) => x.raw)) params[p.name] = p.value;

  const toStdout = o.output === "-";
  const outputPath = toStdout ? null : resolve(o.output);
  if (outputPath !== null) checkOutputPath(outputPath, o.output);
  const save = (doc: Notebook) => {
    if (outputPath === null) return;
    const tmp = `${outputPath}.tmp`;
    try {
      writeFileSync(tmp, serializeNotebook(doc));
      renameSync(tmp, outputPath);
    } catch (err) {
      throw new UpdraftError(
        ErrorCodes.FILE,
        `cannot write the output notebook ${o.output}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  };
  const say = (m: string) => o.stderr.write(`${m}\n`);
  say(`Input Notebook:  ${o.input}`);
  say(`Output Notebook: ${o.output}`);

  const pool = new KernelPool({ discovery: { env: o.env, home: o.home }, size: 0, env: o.env });
  const abort = new AbortController();
  o.onCancelReady?.(() =>
    abort.abort(new UpdraftError(ErrorCodes.CANCELLED, "the notebook run was interrupted")),
  );
  const showBar = o.progressBar && o.stderr.isTTY === true && !o.logOutput;
  try {
    const result = await runNotebook({
      notebook: nb,
      inputPath: o.input,
      outputPath: o.output,
      params,
      ...(o.kernel !== undefined ? { kernelName: o.kernel } : {}),
      ...(o.language !== undefined ? { language: o.language } : {}),
      kernels: pool,
      cwd: resolve(o.cwd),
      env: o.env,
      signal: abort.signal,
      ...(o.executionTimeoutS !== undefined ? { cellTimeoutMs: o.executionTimeoutS * 1000 } : {}),
      save,
      onCellStart: (i, total) => {
        if (showBar) o.stderr.write(`\r\x1b[2KExecuting: cell ${i + 1}/${total}`);
        else if (o.logOutput) say(`Executing cell ${i + 1}/${total}`);
      },
      onOutput: (out) => {
        if (!o.logOutput) return;
        if (out.output_type === "stream") {
          o.stderr.write(Array.isArray(out.text) ? out.text.join("") : out.text);
        }
      },
      onWarning: (w) => say(`Warning: ${w}`),
    });
    if (showBar) o.stderr.write("\r\x1b[2K");
    if (toStdout) o.stdout.write(serializeNotebook(result.notebook));
    const f = result.failure;
    if (f) {
      say(`Notebook failed at cell In [${f.executionCount ?? " "}]: ${f.ename}: ${f.evalue}`);
      for (const line of f.traceback) say(stripAnsi(line));
      if (outputPath) say(`The executed notebook, up to the failing cell, is in ${outputPath}`);
      return 1;
    }
    return 0;
  } finally {
    await pool.close();
  }
}

/** Fails before any kernel starts when the output notebook could not be written. */
function checkOutputPath(path: string, shown: string): void {
  const dir = statSync(dirname(path), { throwIfNoEntry: false });
  if (!dir?.isDirectory()) {
    throw new UpdraftError(
      ErrorCodes.FILE,
      `cannot write the output notebook ${shown}: directory ${dirname(path)} does not exist`,
    );
  }
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory() === true) {
    throw new UpdraftError(
      ErrorCodes.FILE,
      `cannot write the output notebook ${shown}: it is a directory; name a file`,
    );
  }
}

/** Parses -f/-y text, saying which option or file a syntax error is in. */
function parseParams(text: string, label: string): JsonObject {
  try {
    return parseParamsFile(text, label);
  } catch (err) {
    if (!(err instanceof UpdraftError)) throw err;
    const detail = err.message.replace(/^\(document\):\s*/, "");
    throw new UpdraftError(err.code, `${label}: ${detail}`, { cause: err });
  }
}

/** `updraft notebook inspect NB [--json]`: the declared parameters. */
export function notebookInspectCommand(
  path: string,
  json: boolean,
  out: NodeJS.WritableStream,
): number {
  const nb = readNotebookArg(path);
  let language: string | undefined;
  try {
    language = notebookLanguage(nb, kernelspecNameOrUndefined(nb));
  } catch {
    language = undefined;
  }
  const params = inspectParameters(nb, language);
  if (json) {
    out.write(`${JSON.stringify(params, null, 2)}\n`);
    return 0;
  }
  out.write(`Usage: updraft notebook run ${basename(path)} OUTPUT [-p NAME VALUE]...\n\n`);
  if (params.length === 0) {
    out.write(`No parameters cell found in ${path} (tag a cell \`parameters\`).\n`);
    return 0;
  }
  out.write(`Parameters inferred for notebook '${basename(path)}':\n`);
  const width = Math.max(
    ...params.map((p) => `${p.name}: ${p.inferredType ?? "Unknown type"}`.length),
  );
  for (const p of params) {
    const head = `${p.name}: ${p.inferredType ?? "Unknown type"}`.padEnd(width);
    const help = p.help ? `  ${p.help}` : "";
    out.write(`  ${head}  (default ${p.default})${help}\n`);
  }
  return 0;
}

function kernelspecNameOrUndefined(nb: Notebook): string | undefined {
  try {
    return kernelspecName(nb);
  } catch {
    return undefined;
  }
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}
