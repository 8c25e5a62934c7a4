/** Task runners: turn a resolved task attempt into processes and report its outputs. */
export type { LogSink, RunnerRegistry, TaskContext, TaskResult, TaskRunner } from "./types.js";
export {
  checkDeclaredOutputs,
  collectOutputs,
  MAX_OUTPUTS_BYTES,
  OUTPUTS_FILE,
  PARAMS_FILE,
  paramEnvName,
  paramEnvValue,
  parseOutputs,
  prepareContract,
  type Outputs,
  type PreparedContract,
} from "./contract.js";
export { runContractTask, wrongTaskType, type Launch } from "./contract-task.js";
export {
  abortReason,
  DEFAULT_KILL_GRACE_MS,
  exitFailure,
  runProcess,
  type ProcessExit,
  type RunProcessOptions,
} from "./process.js";
export { terminateTree, type TerminateOptions } from "../proc/process-tree.js";
export { createShellRunner, shellArgv, type ShellRunnerOptions } from "./shell-runner.js";
export {
  createPythonRunner,
  INLINE_SCRIPT,
  pythonInvocation,
  type PythonRunnerOptions,
} from "./python-runner.js";
export { PythonForkServer, type ForkRunOptions } from "./python-fork-server.js";
export { PythonForkPool, startupEnv } from "./python-fork-pool.js";
export { createEmptyRunner } from "./empty-runner.js";
export { compareValues, createConditionRunner, deepEqual } from "./condition-runner.js";
export { createRunnerRegistry, type RunnerRegistryOptions } from "./registry.js";
