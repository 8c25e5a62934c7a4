/**
 * `updraft task exec [FILE|-] [--work-dir DIR]`: runs one resolved task with the
 * embedded engine's runners and prints `{"outputs": {...}, "notebook": path|null}`
 * on stdout. This is how the Airflow operators run a task, so parameters, outputs and
 * notebooks behave exactly as on the embedded engine. The log goes to stderr.
 */
import { mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  attemptEnv,
  maskOutputFiles,
  type ConnectionGrantResult,
} from "../engine/connection-grant.js";
import { ErrorCodes, TaskError, UpdraftError, toUpdraftError } from "../spec/errors.js";
import type { JsonObject } from "../spec/types.js";
import { attemptDir } from "../store/artifacts.js";
import { createRunnerRegistry } from "../tasks/registry.js";
import type { LogSink, TaskResult } from "../tasks/types.js";
import { readUserFile } from "./load-workflow.js";
import {
  grantConnectionsFromEnv,
  parseTaskExecInput,
  type TaskExecInput,
} from "./task-exec-input.js";

/** Largest task input accepted (the resolved task with its params). */
export const MAX_TASK_INPUT_BYTES = 16 * 1024 * 1024;

/** Options of {@link taskExecCommand}. */
export interface TaskExecOptions {
  /** Input file; `-` or undefined reads stdin. */
  file?: string;
  /** Attempt directories go under `DIR/runs/...`; default a new temporary directory. */
  workDir?: string;
  python: string;
  env: NodeJS.ProcessEnv;
  /** Home directory, for Jupyter's per-user kernelspecs. */
  home: string;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Receives a function that cancels the task (wired to SIGTERM/SIGINT by the CLI). */
  onCancelReady?: (cancel: () => void) => void;
}

/** What `updraft task exec` prints on stdout. */
export interface TaskExecOutput {
  outputs: TaskResult["outputs"];
  notebook: string | null;
  /** For condition tasks: whether the downstream tasks run. */
  proceed?: boolean;
}

/** Runs the task; resolves with the exit code (0 when the task succeeded). */
export async function taskExecCommand(o: TaskExecOptions): Promise<number> {
  const text =
    o.file === undefined || o.file === "-"
      ? await readAll(o.stdin, MAX_TASK_INPUT_BYTES)
      : readUserFile(o.file, "task input file", MAX_TASK_INPUT_BYTES);
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (err) {
    throw new UpdraftError(
      ErrorCodes.PARSE,
      `the task input is not JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const input = parseTaskExecInput(raw);
  // Named connections come from the environment (the Airflow operator puts them there);
  // from here on they are masked as the engine masks them.
  const names = input.task.connections ?? [];
  const grant = names.length > 0 ? grantConnectionsFromEnv(names, o.env, input.taskId) : undefined;
  const root =
    o.workDir !== undefined ? resolve(o.workDir) : mkdtempSync(join(tmpdir(), "updraft-task-"));
  const dir = attemptDir(root, input.runId, input.taskId, input.attempt);
  mkdirSync(dir, { recursive: true });

  const registry = createRunnerRegistry({
    python: o.python,
    pythonForkServer: false,
    kernels: { env: o.env, home: o.home },
    kernelPoolSize: 0,
  });
  const abort = new AbortController();
  o.onCancelReady?.(() =>
    abort.abort(new TaskError(ErrorCodes.CANCELLED, "the task was cancelled (signal received)")),
  );
  const stderr: LogSink = { write: (chunk) => void o.stderr.write(chunk) };
  // Every byte of the log passes the masker before it reaches stderr (the Airflow task log).
  const masked = grant?.masker.wrap(stderr);
  const log = masked ?? stderr;
  try {
    const result = await runTask(input, dir, registry, abort.signal, o, log, grant);
    const out: TaskExecOutput = {
      outputs: grant ? (grant.masker.json(result.outputs) as JsonObject) : result.outputs,
      notebook: notebookPath(result, dir),
      ...(result.proceed !== undefined ? { proceed: result.proceed } : {}),
    };
    masked?.flush();
    o.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  } catch (err) {
    const u = toUpdraftError(err);
    if (!u.isUserError) {
      if (grant === undefined) throw u;
      // An unexpected error may quote what the task printed: say it masked, without the stack.
      throw new UpdraftError(ErrorCodes.INTERNAL, grant.masker.text(u.message));
    }
    log.write(`updraft task exec: task ${input.taskId} failed: ${u.message}\n`);
    return 1;
  } finally {
    masked?.flush();
    if (grant !== undefined) await maskOutputFiles(dir, grant.masker).catch(() => undefined);
    await registry.close?.();
  }
}

async function runTask(
  input: TaskExecInput,
  dir: string,
  registry: ReturnType<typeof createRunnerRegistry>,
  signal: AbortSignal,
  o: TaskExecOptions,
  log: LogSink,
  grant: ConnectionGrantResult | undefined,
): Promise<TaskResult> {
  const runner = registry.get(input.task.type);
  if (!runner) {
    throw new TaskError(
      ErrorCodes.TASK_TYPE_UNAVAILABLE,
      `task type \`${input.task.type}\` cannot run in this version of Updraft yet`,
    );
  }
  return runner.run({
    runId: input.runId,
    taskId: input.taskId,
    attempt: input.attempt,
    workflow: input.workflow,
    task: input.task,
    params: input.params,
    baseDir: resolve(input.baseDir),
    attemptDir: dir,
    // As on the engine: no inherited UPDRAFT_CONN_* but the named ones, no vault key.
    env: attemptEnv(o.env, input.task.env, grant?.env),
    log,
    ...(grant !== undefined ? { masking: grant.masker } : {}),
    signal,
  });
}

// The executed notebook: named by the runner when it says so, else the .ipynb the
// notebook runner left in the attempt directory.
function notebookPath(result: TaskResult, dir: string): string | null {
  const named = (result as { notebook?: unknown }).notebook;
  if (typeof named === "string") return named;
  const found = readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort();
  return found.length > 0 ? join(dir, found[0] ?? "") : null;
}

async function readAll(stream: NodeJS.ReadableStream, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > maxBytes) {
      throw new UpdraftError(
        ErrorCodes.USAGE,
        `the task input on stdin is larger than ${maxBytes / 1024 / 1024} MiB`,
      );
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}
