/**
 * The state machine of one run. Event-driven: when a task ends, its downstream tasks
 * are decided at once (no polling). Every state change is persisted through the store
 * before the engine acts on it (starts a process, decides a downstream task).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { UpdraftError } from "../spec/errors.js";
import { ErrorCodes, TaskError, toUpdraftError } from "../spec/errors.js";
import type { ExpressionContext } from "../spec/expressions.js";
import type { JsonObject, JsonValue, Task, TriggerRule, Workflow } from "../spec/types.js";
import { attemptDir, relativeLogPath } from "../store/artifacts.js";
import type {
  RunRecord,
  RunState,
  Store,
  TaskErrorInfo,
  TaskRecord,
  TaskState,
} from "../store/types.js";
import type { RunnerRegistry, TaskResult } from "../tasks/types.js";
import type { SecretMasker } from "../secrets/secret-masker.js";
import type { Clock } from "./clock.js";
import {
  ConnectionGrantError,
  attemptEnv,
  grantConnections,
  maskOutputFiles,
  type ConnectionGrantResult,
  type ConnectionResolver,
} from "./connection-grant.js";
import { FileLog } from "./file-log.js";
import type { PreparedTask } from "./prepare-tasks.js";
import { resolveTask } from "./resolve-task.js";
import { retryDelayMs } from "./retry-policy.js";
import type { Slots } from "./slots.js";
import { isFailedLike, isTerminal } from "./states.js";
import { decideTrigger } from "./trigger-rules.js";

/** A state change, as the engine reports it to listeners after persisting it. */
export type EngineEvent =
  | { kind: "run"; runId: string; workflow: string; state: RunState; at: number }
  | {
      kind: "task";
      runId: string;
      workflow: string;
      taskId: string;
      state: TaskState;
      attempt: number;
      at: number;
      error: TaskErrorInfo | null;
    };

/** What a run needs from the engine. */
export interface ExecutionDeps {
  store: Store;
  runners: RunnerRegistry;
  clock: Clock;
  slots: Slots;
  dataDir: string;
  baseEnv: NodeJS.ProcessEnv;
  /** Grants the connections tasks name; without it such tasks fail with E_CONNECTION. */
  connections?: ConnectionResolver;
  emit: (event: EngineEvent) => void;
  /** Reports a failure of the engine itself (e.g. the store); the run is then abandoned. */
  onFatal: (err: UpdraftError) => void;
}

// Task types that need no process: they skip pools and the attempt directory.
const INLINE_TYPES = new Set(["empty", "condition"]);

interface TaskSlot {
  spec: PreparedTask;
  state: TaskState;
  attempts: number;
  outputs: { [key: string]: JsonValue };
  abort?: AbortController;
  withdraw?: () => void;
  cancelRetry?: () => void;
  /** From the store, for a restored run: when the current attempt started / may retry. */
  startedAt?: string | null;
  retryAt?: string | null;
}

/** Executes one run from start to end. */
export class RunExecution {
  private readonly tasks = new Map<string, TaskSlot>();
  private remaining: number;
  private cancelRequested = false;
  private restored = false;
  // Attempts made before a repair: the retry budget counts from there.
  private readonly retryBase = new Map<string, number>();
  /** True once `start` was called (a run queued behind max active runs is not started). */
  started = false;
  private resolveDone!: (state: RunState) => void;
  /** Resolves with the final run state once it is persisted. */
  readonly done: Promise<RunState>;

  constructor(
    private readonly deps: ExecutionDeps,
    readonly run: RunRecord,
    private readonly workflow: Workflow,
    prepared: Map<string, PreparedTask>,
    private readonly baseDir: string,
  ) {
    for (const [id, spec] of prepared) {
      this.tasks.set(id, { spec, state: "pending", attempts: 0, outputs: {} });
    }
    this.remaining = this.tasks.size;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /**
   * Loads the stored task states of a run before `start`: after a crash (interrupted
   * attempts end as failed and retry per policy) or for a repair (`repaired` tasks were
   * reset to pending and get their retries afresh).
   */
  restore(records: readonly TaskRecord[], repaired: ReadonlySet<string> = new Set()): void {
    this.restored = true;
    for (const r of records) {
      const t = this.tasks.get(r.taskId);
      if (!t) continue;
      t.state = r.state;
      t.attempts = r.attempts;
      t.outputs = r.outputs;
      t.startedAt = r.startedAt;
      t.retryAt = r.retryAt;
      if (repaired.has(r.taskId)) this.retryBase.set(r.taskId, r.attempts);
    }
    this.remaining = [...this.tasks.values()].filter((t) => !isTerminal(t.state)).length;
  }

  /** Marks the run running and starts the tasks that have no upstream. */
  async start(): Promise<void> {
    this.started = true;
    if (this.restored) return this.resume();
    const startedAt = this.iso();
    this.run.state = "running";
    this.run.startedAt = startedAt;
    await this.deps.store.updateRun(this.run.id, { state: "running", startedAt });
    this.emitRun("running");
    if (this.tasks.size === 0) return this.complete();
    for (const id of this.tasks.keys()) this.consider(id);
  }

  // Continues a restored run from its stored task states.
  private async resume(): Promise<void> {
    this.run.state = "running";
    this.run.startedAt ??= this.iso();
    this.run.endedAt = null;
    const { startedAt } = this.run;
    await this.deps.store.updateRun(this.run.id, { state: "running", startedAt, endedAt: null });
    this.emitRun("running");
    if (this.remaining === 0) return this.complete();
    const now = this.deps.clock.now();
    for (const [id, t] of this.tasks) {
      if (t.state === "running") this.guard(this.interrupted(id));
      // Queued for a slot: no attempt had started, so it is decided again.
      else if (t.state === "queued") t.state = "pending";
      else if (t.state === "retrying") {
        const at = Date.parse(t.retryAt ?? "");
        this.armRetry(id, Number.isFinite(at) ? Math.max(0, at - now) : 0);
      }
    }
    for (const id of this.tasks.keys()) this.consider(id);
  }

  // An attempt that was running when the server stopped: its process is gone (the
  // engine stopped any orphan before resuming), so it ends as failed and may retry.
  private async interrupted(id: string): Promise<void> {
    const t = this.tasks.get(id)!;
    const inline = INLINE_TYPES.has(t.spec.task.type);
    const logPath = inline ? null : relativeLogPath(this.run.id, id, t.attempts);
    const err = new TaskError(
      ErrorCodes.TASK_INTERRUPTED,
      "the server stopped while this attempt ran; its process was stopped",
    );
    await this.endAttempt(id, t.attempts, t.startedAt ?? this.iso(), err, null, true, logPath);
  }

  /** Cancels the run: pending tasks are cancelled, running ones interrupted. */
  async cancel(): Promise<void> {
    if (this.cancelRequested || this.remaining === 0) return;
    this.cancelRequested = true;
    const settles: Promise<void>[] = [];
    for (const [id, t] of this.tasks) {
      if (t.abort) {
        t.abort.abort(new TaskError(ErrorCodes.CANCELLED, "the run was cancelled"));
      } else if (!isTerminal(t.state)) {
        t.withdraw?.();
        t.cancelRetry?.();
        settles.push(this.settle(id, "cancelled", { error: cancelledError() }));
      }
    }
    await Promise.all(settles);
  }

  // Decides a pending task from its upstream states.
  private consider(id: string): void {
    const t = this.tasks.get(id)!;
    if (t.state !== "pending" || this.cancelRequested) return;
    const upstream = t.spec.needs.map((u) => this.tasks.get(u)!.state);
    const rule: TriggerRule = t.spec.task.when ?? "all_success";
    switch (decideTrigger(rule, upstream)) {
      case "wait":
        return;
      case "run":
        t.state = "queued";
        this.guard(this.launch(id));
        return;
      case "skip":
        this.guard(this.settle(id, "skipped", {}));
        return;
      case "upstream_failed":
        this.guard(this.settle(id, "upstream_failed", {}));
        return;
    }
  }

  // Waits for a slot (process tasks only), then runs an attempt.
  private async launch(id: string): Promise<void> {
    const t = this.tasks.get(id)!;
    t.state = "queued";
    const inline = INLINE_TYPES.has(t.spec.task.type);
    const pool = t.spec.task.pool ?? "default";
    if (!inline) {
      if (!this.deps.slots.hasPool(pool)) {
        const error = {
          code: ErrorCodes.TASK_FAILED,
          message: `pool \`${pool}\` is not defined; define it (e.g. --pool ${pool}=4) or remove \`pool\` from the task`,
        };
        return this.settle(id, "failed", { error });
      }
      if (!this.deps.slots.tryAcquire(pool)) {
        await this.persistTask(id, "queued", {});
        const { ready, withdraw } = this.deps.slots.acquire(pool);
        t.withdraw = withdraw;
        await ready;
        t.withdraw = undefined;
        if (this.cancelRequested) {
          this.deps.slots.release(pool);
          return;
        }
      }
    }
    try {
      await this.attempt(id);
    } finally {
      if (!inline) this.deps.slots.release(pool);
    }
  }

  // Runs one attempt and records its end.
  private async attempt(id: string): Promise<void> {
    const t = this.tasks.get(id)!;
    const attempt = ++t.attempts;
    const { store, runners, clock } = this.deps;
    const runId = this.run.id;
    const inline = INLINE_TYPES.has(t.spec.task.type);
    const dir = attemptDir(this.deps.dataDir, runId, id, attempt);
    const logPath = inline ? null : relativeLogPath(runId, id, attempt);
    const startedAt = this.iso();

    t.state = "running";
    await Promise.all([
      store.updateTask(runId, id, {
        state: "running",
        attempts: attempt,
        startedAt,
        endedAt: null,
        error: null,
        retryAt: null,
      }),
      store.putAttempt({
        runId,
        taskId: id,
        attempt,
        state: "running",
        pid: null,
        exitCode: null,
        startedAt,
        endedAt: null,
        error: null,
        logPath,
      }),
    ]);
    this.emitTask(id, "running", attempt, null);

    let resolved: Task;
    try {
      resolved = resolveTask(t.spec.task, this.expressionContext());
    } catch (err) {
      // A reference that cannot be resolved will not resolve on a retry either.
      return this.endAttempt(id, attempt, startedAt, toUpdraftError(err), null, false, logPath);
    }
    const runner = runners.get(resolved.type);
    if (!runner) {
      const err = new TaskError(
        ErrorCodes.TASK_TYPE_UNAVAILABLE,
        `task type \`${resolved.type}\` cannot run in this version of Updraft yet`,
      );
      return this.endAttempt(id, attempt, startedAt, err, null, false, logPath);
    }

    let grant: ConnectionGrantResult | undefined;
    const names = resolved.connections ?? [];
    if (names.length > 0) {
      try {
        grant = await grantConnections(this.deps.connections, names, id);
      } catch (err) {
        // A missing or broken connection is configuration: only a store hiccup is retried.
        const retryable = err instanceof ConnectionGrantError && err.retryable;
        return this.endAttempt(
          id,
          attempt,
          startedAt,
          toUpdraftError(err),
          null,
          retryable,
          logPath,
        );
      }
    }
    if (this.cancelRequested) {
      const err = new TaskError(ErrorCodes.CANCELLED, "the run was cancelled");
      return this.endAttempt(id, attempt, startedAt, err, null, false, logPath);
    }
    const abort = new AbortController();
    t.abort = abort;
    const timeoutMs = t.spec.timeoutMs;
    const cancelTimer =
      timeoutMs === undefined
        ? undefined
        : clock.setTimer(timeoutMs, () =>
            abort.abort(
              new TaskError(
                ErrorCodes.TASK_TIMEOUT,
                `the task ran longer than its timeout of ${t.spec.task.timeout ?? `${timeoutMs}ms`} and was stopped`,
              ),
            ),
          );
    const file = new FileLog(join(this.deps.dataDir, relativeLogPath(runId, id, attempt)));
    // Every byte of the attempt's log passes the masker before it reaches the disk.
    const masked = grant?.masker.wrap(file);
    const log = masked ?? file;
    if (!inline) mkdirSync(dir, { recursive: true });
    let result: TaskResult | undefined;
    let failure: UpdraftError | undefined;
    try {
      result = await runner.run({
        runId,
        taskId: id,
        attempt,
        workflow: this.workflow.name,
        task: resolved,
        // Workflow params reach every task; the task's own params override them.
        params: { ...this.run.params, ...resolved.params },
        baseDir: this.baseDir,
        attemptDir: dir,
        env: attemptEnv(this.deps.baseEnv, resolved.env, grant?.env),
        log,
        ...(grant !== undefined ? { masking: grant.masker } : {}),
        signal: abort.signal,
        onProcess: (pid) => {
          this.guard(store.putAttempt(attemptRecord(runId, id, attempt, startedAt, logPath, pid)));
        },
      });
    } catch (err) {
      failure = toUpdraftError(err);
      if (failure.code === ErrorCodes.INTERNAL)
        log.write(`\n[updraft] ${failure.stack ?? failure.message}\n`);
    } finally {
      cancelTimer?.();
      t.abort = undefined;
      // Success, failure, timeout and cancel all end here: write out what the masker held back.
      masked?.flush();
      file.close();
    }
    if (result && abort.signal.aborted) failure = toUpdraftError(abort.signal.reason);
    // A disk error here must not stop the engine: the stored outputs are masked regardless.
    if (grant !== undefined) await maskOutputFiles(dir, grant.masker).catch(() => undefined);
    await this.endAttempt(
      id,
      attempt,
      startedAt,
      failure ?? null,
      result ?? null,
      true,
      logPath,
      grant?.masker,
    );
  }

  // Records an attempt's end and decides what follows: success, retry or failure.
  private async endAttempt(
    id: string,
    attempt: number,
    startedAt: string,
    failure: UpdraftError | null,
    result: TaskResult | null,
    retryable: boolean,
    logPath: string | null = null,
    masker?: SecretMasker,
  ): Promise<void> {
    const t = this.tasks.get(id)!;
    const endedAt = this.iso();
    // A message or output quoting a secret (a failed connect string, an echoed token) is
    // stored, shown and passed downstream only masked.
    const mask = (text: string): string => (masker ? masker.text(text) : text);
    const error = failure ? { code: failure.code, message: mask(failure.message) } : null;
    const cancelled = failure?.code === ErrorCodes.CANCELLED;
    const retry =
      failure !== null &&
      !cancelled &&
      !this.cancelRequested &&
      retryable &&
      attempt - (this.retryBase.get(id) ?? 0) <= t.spec.retry.retries;
    const attemptState: TaskState = !failure ? "succeeded" : cancelled ? "cancelled" : "failed";
    await this.deps.store.putAttempt({
      ...attemptRecord(this.run.id, id, attempt, startedAt, logPath, null),
      state: attemptState,
      exitCode: result?.exitCode ?? null,
      endedAt,
      error,
    });
    if (!failure && result) {
      const outputs = masker ? (masker.json(result.outputs) as JsonObject) : result.outputs;
      t.outputs = outputs;
      return this.settle(id, "succeeded", { outputs, endedAt }, result.proceed === false);
    }
    if (retry) return this.scheduleRetry(id, attempt, error);
    return this.settle(id, cancelled || this.cancelRequested ? "cancelled" : "failed", {
      error,
      endedAt,
    });
  }

  private async scheduleRetry(
    id: string,
    attempt: number,
    error: TaskErrorInfo | null,
  ): Promise<void> {
    const t = this.tasks.get(id)!;
    const delay = retryDelayMs(t.spec.retry, attempt - (this.retryBase.get(id) ?? 0));
    const retryAt = new Date(this.deps.clock.now() + delay).toISOString();
    t.state = "retrying";
    await this.persistTask(id, "retrying", { error, retryAt, endedAt: this.iso() }, error);
    this.armRetry(id, delay);
  }

  private armRetry(id: string, delay: number): void {
    const t = this.tasks.get(id)!;
    if (this.cancelRequested) return;
    t.cancelRetry = this.deps.clock.setTimer(delay, () => {
      t.cancelRetry = undefined;
      if (this.cancelRequested) return;
      this.guard(this.launch(id));
    });
  }

  // Moves a task to a terminal state, then decides its downstream tasks.
  private async settle(
    id: string,
    state: TaskState,
    patch: { outputs?: JsonObject; error?: TaskErrorInfo | null; endedAt?: string },
    skipChildren = false,
  ): Promise<void> {
    const t = this.tasks.get(id)!;
    if (isTerminal(t.state)) return;
    t.state = state;
    const endedAt = patch.endedAt ?? this.iso();
    await this.persistTask(id, state, { ...patch, endedAt, retryAt: null }, patch.error ?? null);
    this.remaining--;
    for (const child of t.spec.children) {
      if (skipChildren) this.guard(this.settle(child, "skipped", {}));
      else this.consider(child);
    }
    if (this.remaining === 0) await this.complete();
  }

  private async persistTask(
    id: string,
    state: TaskState,
    patch: Record<string, unknown>,
    error: TaskErrorInfo | null = null,
  ): Promise<void> {
    const t = this.tasks.get(id)!;
    await this.deps.store.updateTask(this.run.id, id, { state, ...patch });
    this.emitTask(id, state, t.attempts, error);
  }

  // The run is failed when a leaf task failed (Airflow's rule), so a handler task with
  // `when: one_failed` or `all_done` decides the outcome of the run as in Airflow.
  private async complete(): Promise<void> {
    let state: RunState = "succeeded";
    if (this.cancelRequested) state = "cancelled";
    else {
      for (const t of this.tasks.values()) {
        if (t.spec.children.length === 0 && isFailedLike(t.state)) state = "failed";
      }
    }
    const endedAt = this.iso();
    this.run.state = state;
    this.run.endedAt = endedAt;
    await this.deps.store.updateRun(this.run.id, { state, endedAt });
    this.emitRun(state);
    this.resolveDone(state);
  }

  private expressionContext(): ExpressionContext {
    const tasks: Record<string, { outputs: JsonObject }> = {};
    for (const [id, t] of this.tasks) tasks[id] = { outputs: t.outputs };
    const logical = this.run.logicalDate;
    return {
      params: this.run.params,
      tasks,
      run: { id: this.run.id, logical_date: logical, ds: logical.slice(0, 10) },
      workflow: { name: this.workflow.name },
    };
  }

  private guard(p: Promise<void>): void {
    p.catch((err: unknown) => this.deps.onFatal(toUpdraftError(err)));
  }

  private emitTask(
    id: string,
    state: TaskState,
    attempt: number,
    error: TaskErrorInfo | null,
  ): void {
    this.deps.emit({
      kind: "task",
      runId: this.run.id,
      workflow: this.run.workflow,
      taskId: id,
      state,
      attempt,
      at: this.deps.clock.now(),
      error,
    });
  }

  private emitRun(state: RunState): void {
    this.deps.emit({
      kind: "run",
      runId: this.run.id,
      workflow: this.run.workflow,
      state,
      at: this.deps.clock.now(),
    });
  }

  private iso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }
}

function cancelledError(): TaskErrorInfo {
  return { code: ErrorCodes.CANCELLED, message: "the run was cancelled" };
}

function attemptRecord(
  runId: string,
  taskId: string,
  attempt: number,
  startedAt: string,
  logPath: string | null,
  pid: number | null,
) {
  return {
    runId,
    taskId,
    attempt,
    state: "running" as TaskState,
    pid,
    exitCode: null,
    startedAt,
    endedAt: null,
    error: null,
    logPath,
  };
}
