/**
 * Runner of `shell` tasks: a string command runs through `/bin/sh -c`, a list runs as
 * argv without a shell. The working directory is the workflow's directory.
 */
import { ErrorCodes, TaskError } from "../spec/errors.js";
import { runContractTask, wrongTaskType } from "./contract-task.js";
import { runProcess } from "./process.js";
import type { TaskContext, TaskResult, TaskRunner } from "./types.js";

/** Options of {@link createShellRunner}. */
export interface ShellRunnerOptions {
  /** Time SIGINT and SIGTERM each get on cancel; default 2000 ms. */
  killGraceMs?: number;
}

/** The program and arguments for a `command` field. */
export function shellArgv(command: string | string[]): { command: string; args: string[] } {
  if (typeof command === "string") return { command: "/bin/sh", args: ["-c", command] };
  const [program, ...args] = command;
  if (program === undefined || program === "") {
    throw new TaskError(
      ErrorCodes.TASK_FAILED,
      "shell task has an empty `command` list; give the program and its arguments",
    );
  }
  return { command: program, args };
}

/** Creates the runner of `shell` tasks. */
export function createShellRunner(opts: ShellRunnerOptions = {}): TaskRunner {
  return {
    type: "shell",
    async run(ctx: TaskContext): Promise<TaskResult> {
      const task = ctx.task;
      if (task.type !== "shell") throw wrongTaskType("shell", task.type);
      const argv = shellArgv(task.command);
      return await runContractTask(ctx, "command", (env) =>
        runProcess({
          ...argv,
          cwd: ctx.baseDir,
          env,
          log: ctx.log,
          signal: ctx.signal,
          onProcess: ctx.onProcess,
          killGraceMs: opts.killGraceMs,
        }),
      );
    },
  };
}
