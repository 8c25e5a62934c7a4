/** Runner of `empty` tasks: a join or placeholder that succeeds at once, without a process. */
import { abortReason } from "./process.js";
import type { TaskContext, TaskResult, TaskRunner } from "./types.js";

/** Creates the runner of `empty` tasks. */
export function createEmptyRunner(): TaskRunner {
  return {
    type: "empty",
    run(ctx: TaskContext): Promise<TaskResult> {
      if (ctx.signal.aborted) return Promise.reject(abortReason(ctx.signal));
      return Promise.resolve({ outputs: {} });
    },
  };
}
