/**
 * What the engine hands a task runner and what it gets back. A runner turns one
 * resolved task attempt into work (usually processes) and reports its outputs.
 */
import type { JsonValue, Task, TaskType } from "../spec/types.js";

/** Where a runner writes the attempt's log. */
export interface LogSink {
  /** Appends raw bytes or text to the attempt's log. */
  write(chunk: string | Uint8Array): void;
}

/**
 * Masking of the secrets granted to an attempt (its connections), for what a runner writes
 * besides `log`, which the engine masks already: per-replica log files, the executed notebook.
 */
export interface SecretMasking {
  /** A sink writing into `inner` with the secrets masked; call `flush()` when the output ends. */
  wrap(inner: LogSink): LogSink & { flush(): void };
  /** `text` with the secrets masked. */
  text(text: string): string;
  /** A copy of `value` with every string in it masked. */
  json(value: JsonValue): JsonValue;
}

/** Everything a runner needs for one attempt. */
export interface TaskContext {
  runId: string;
  taskId: string;
  attempt: number;
  workflow: string;
  /** The task with defaults merged and every expression resolved. */
  task: Task;
  /** Params the task receives: the run's workflow params overridden by the task's resolved params. */
  params: { [key: string]: JsonValue };
  /** Directory paths in the task are relative to (the workflow file's directory). */
  baseDir: string;
  /** Private directory of this attempt (logs, params/outputs files, artifacts). */
  attemptDir: string;
  /** Environment the task's process starts from (already includes `task.env`). */
  env: NodeJS.ProcessEnv;
  /** The attempt's log (already masking the attempt's secrets, when it has any). */
  log: LogSink;
  /** Set when the attempt was granted connections: mask their secrets in other artifacts too. */
  masking?: SecretMasking;
  /** Aborted on cancel or timeout; `signal.reason` is a TaskError saying which. */
  signal: AbortSignal;
  /** Called once the attempt has a process, so the engine can persist its pid. */
  onProcess?: (pid: number) => void;
}

/** Result of an attempt that did not fail. */
export interface TaskResult {
  /** Values the task published. */
  outputs: { [key: string]: JsonValue };
  /**
   * For condition tasks: false means the direct downstream tasks are skipped.
   * Absent for every other type.
   */
  proceed?: boolean;
  exitCode?: number;
  /** For notebook tasks: the executed output notebook's path. */
  notebook?: string;
}

/** Runs attempts of one task type. Failures are thrown as `TaskError`. */
export interface TaskRunner {
  readonly type: TaskType;
  /** Runs one attempt to completion; rejects with a TaskError on failure/timeout/cancel. */
  run(ctx: TaskContext): Promise<TaskResult>;
  /** Releases what the runner keeps between attempts (e.g. warm interpreters), if anything. */
  close?(): Promise<void>;
}

/** Finds the runner for a task type. */
export interface RunnerRegistry {
  get(type: TaskType): TaskRunner | undefined;
  /**
   * Releases every runner's resources (the python fork servers); running tasks of those
   * runners are killed. Optional: without it, idle resources never keep the process alive.
   */
  close?(): Promise<void>;
}
