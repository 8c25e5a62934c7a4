/**
 * Runner of `r` tasks: an R script file (relative to the workflow's directory) with
 * `args`, or inline `code` written to `<attemptDir>/task.R`, run with `Rscript` under
 * the same task contract as every script.
 */
import { stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import { paramEnvValue } from "./contract.js";
import { runContractTask, wrongTaskType } from "./contract-task.js";
import { runProcess } from "./process.js";
import type { TaskContext, TaskResult, TaskRunner } from "./types.js";

/** Options of {@link createRRunner}. */
export interface RRunnerOptions {
  /** The `Rscript` executable; default `Rscript` on PATH. */
  rscript?: string;
  killGraceMs?: number;
}

/** Name of the file inline `code` is written to, in the attempt directory. */
export const INLINE_R_SCRIPT = "task.R";

/** The message when Rscript does not exist. */
export function rscriptNotFound(rscript: string): string {
  return `${rscript} not found; install R (Debian: apt-get install r-base-core) to run R tasks`;
}

/** Creates the runner of `r` tasks. */
export function createRRunner(opts: RRunnerOptions = {}): TaskRunner {
  const rscript = opts.rscript ?? "Rscript";
  return {
    type: "r",
    run(ctx: TaskContext): Promise<TaskResult> {
      const task = ctx.task;
      if (task.type !== "r") return Promise.reject(wrongTaskType("r", task.type));
      return runContractTask(ctx, "R script", async (env) => {
        let script: string;
        if (task.code !== undefined) {
          script = join(ctx.attemptDir, INLINE_R_SCRIPT);
          await writeFile(script, task.code);
        } else if (task.script !== undefined) {
          script = resolve(ctx.baseDir, task.script);
          const info = await stat(script).catch(() => undefined);
          if (!info?.isFile()) {
            throw new TaskError(
              ErrorCodes.TASK_FAILED,
              `R script ${task.script} not found (looked for ${script}); ` +
                "paths are relative to the workflow file's directory",
            );
          }
        } else {
          throw new TaskError(ErrorCodes.TASK_FAILED, "r task has neither `script` nor `code`");
        }
        return runProcess({
          command: rscript,
          args: [script, ...task.args.map(paramEnvValue)],
          cwd: ctx.baseDir,
          env,
          log: ctx.log,
          signal: ctx.signal,
          onProcess: ctx.onProcess,
          killGraceMs: opts.killGraceMs,
          notFoundMessage: rscriptNotFound(rscript),
        });
      });
    },
  };
}
