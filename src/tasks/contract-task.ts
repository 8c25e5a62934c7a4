/**
 * The common shape of every process-backed task: prepare the contract files, run the
 * process, turn a bad exit into a TaskError, then collect the outputs.
 */
import { ErrorCodes, TaskError } from "../spec/errors.js";
import { collectOutputs, prepareContract } from "./contract.js";
import { exitFailure, type ProcessExit } from "./process.js";
import type { TaskContext, TaskResult } from "./types.js";

/** Starts the task's process with the given environment and resolves when it has ended. */
export type Launch = (env: NodeJS.ProcessEnv) => Promise<ProcessExit>;

/**
 * Runs one attempt of a process-backed task. `what` names the process in failure
 * messages ("command", "python script").
 */
export async function runContractTask(
  ctx: TaskContext,
  what: string,
  launch: Launch,
): Promise<TaskResult> {
  const contract = await prepareContract(ctx);
  const exit = await launch(contract.env);
  const failure = exitFailure(what, exit);
  if (failure !== undefined) throw failure;
  const outputs = await collectOutputs(contract.outputsPath, ctx.task.outputs);
  return { outputs, exitCode: 0 };
}

/** The error for a task handed to the runner of another type (an engine bug). */
export function wrongTaskType(expected: string, actual: string): TaskError {
  return new TaskError(
    ErrorCodes.TASK_FAILED,
    `the ${expected} runner was given a ${actual} task; this is a bug in Updraft`,
  );
}
