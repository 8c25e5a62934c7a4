/**
 * Runner of `python` tasks: a script file (relative to the workflow's directory) with
 * `args`, or inline `code` written to `<attemptDir>/task.py`. The interpreter comes
 * from the caller (the CLI reads `$UPDRAFT_PYTHON`), never from this module.
 */
import { stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import type { ScriptTask } from "../spec/types.js";
import { paramEnvValue } from "./contract.js";
import { runContractTask, wrongTaskType } from "./contract-task.js";
import { runProcess } from "./process.js";
import { PythonForkPool } from "./python-fork-pool.js";
import type { TaskContext, TaskResult, TaskRunner } from "./types.js";

/** Options of {@link createPythonRunner}. */
export interface PythonRunnerOptions {
  /** The interpreter: `$UPDRAFT_PYTHON` when set, else `python3`. */
  python: string;
  /** Time SIGINT and SIGTERM each get on cancel; default 2000 ms. */
  killGraceMs?: number;
  /**
   * Fork `.py` scripts from a warm interpreter instead of starting one per task (Linux;
   * falls back to spawning when the server cannot start). Default true.
   */
  forkServer?: boolean;
  /** How long an idle fork server stays up; default 60 s. */
  forkServerIdleMs?: number;
}

/** Name of the file inline `code` is written to, in the attempt directory. */
export const INLINE_SCRIPT = "task.py";

/** What to run: the script path and its arguments. */
export interface PythonInvocation {
  script: string;
  args: string[];
}

/**
 * Resolves the script to run for a task, writing inline code to the attempt directory.
 * Arguments are the JSON values of `args` rendered as strings (strings as they are).
 */
export async function pythonInvocation(
  ctx: TaskContext,
  task: ScriptTask,
): Promise<PythonInvocation> {
  const args = task.args.map(paramEnvValue);
  if (task.code !== undefined && task.script !== undefined) {
    throw new TaskError(
      ErrorCodes.TASK_FAILED,
      "python task has both `script` and `code`; keep only one of them",
    );
  }
  if (task.code !== undefined) {
    const script = join(ctx.attemptDir, INLINE_SCRIPT);
    await writeFile(script, task.code);
    return { script, args };
  }
  if (task.script === undefined) {
    throw new TaskError(
      ErrorCodes.TASK_FAILED,
      "python task has neither `script` nor `code`; give a script path or inline code",
    );
  }
  const script = resolve(ctx.baseDir, task.script);
  const info = await stat(script).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new TaskError(
      ErrorCodes.TASK_FAILED,
      `python script ${task.script} not found (looked for ${script}); ` +
        "paths are relative to the workflow file's directory",
    );
  }
  return { script, args };
}

/** The message when the interpreter does not exist. */
export function pythonNotFound(python: string): string {
  return `python interpreter ${python} not found; set UPDRAFT_PYTHON to a Python 3 interpreter`;
}

/** Creates the runner of `python` tasks; `close()` stops its fork servers. */
export function createPythonRunner(
  opts: PythonRunnerOptions,
): TaskRunner & { close(): Promise<void> } {
  const useFork = (opts.forkServer ?? true) && process.platform === "linux";
  const pool = useFork ? new PythonForkPool(opts.python, opts.forkServerIdleMs) : undefined;
  return {
    type: "python",
    run(ctx: TaskContext): Promise<TaskResult> {
      const task = ctx.task;
      if (task.type !== "python") return Promise.reject(wrongTaskType("python", task.type));
      return runContractTask(ctx, "python script", async (env) => {
        const { script, args } = await pythonInvocation(ctx, task);
        const common = {
          cwd: ctx.baseDir,
          env,
          log: ctx.log,
          signal: ctx.signal,
          onProcess: ctx.onProcess,
          killGraceMs: opts.killGraceMs,
        };
        // Other files (zip apps, compiled .pyc) keep the interpreter's own handling.
        if (pool !== undefined && script.endsWith(".py")) {
          const running = (await pool.acquire(env, ctx.log))?.run({ ...common, script, args });
          if (running !== undefined) return running;
        }
        return runProcess({
          ...common,
          command: opts.python,
          // -u: unbuffered, so prints and tracebacks reach the log live and in order.
          args: ["-u", script, ...args],
          notFoundMessage: pythonNotFound(opts.python),
        });
      });
    },
    close: () => pool?.close() ?? Promise.resolve(),
  };
}
