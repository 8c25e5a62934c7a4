/**
 * The embedded engine: starts runs, enforces global parallelism, pools and per-workflow
 * max active runs, and reports every persisted state change to its listeners.
 */
import { randomUUID } from "node:crypto";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { JsonObject, Workflow } from "../spec/types.js";
import type {
  RunRecord,
  RunState,
  RunWithTasks,
  Store,
  TaskRecord,
  TaskState,
} from "../store/types.js";
import type { RunnerRegistry } from "../tasks/types.js";
import { systemClock, type Clock } from "./clock.js";
import type { ConnectionResolver } from "./connection-grant.js";
import { stopOrphan } from "./orphans.js";
import { isTerminal } from "./states.js";
import { prepareTasks } from "./prepare-tasks.js";
import { RunExecution, type EngineEvent } from "./run-execution.js";
import { DEFAULT_SLOT_LIMITS, Slots, type SlotLimits } from "./slots.js";

export type { EngineEvent } from "./run-execution.js";
export type { ConnectionResolver } from "./connection-grant.js";

/** Dependencies and settings of an engine. */
export interface EngineOptions {
  store: Store;
  runners: RunnerRegistry;
  /** Root of artifacts: `runs/<run-id>/<task-id>/<attempt>/` lives under it. */
  dataDir: string;
  clock?: Clock;
  limits?: Partial<SlotLimits>;
  /**
   * Environment task processes start from (the CLI passes its own environment). Inherited
   * `UPDRAFT_CONN_*` variables and UPDRAFT_SECRET_KEY are never passed on.
   */
  baseEnv?: NodeJS.ProcessEnv;
  /**
   * Grants the connections a task names (`connections:`), e.g. a ConnectionVault. Without
   * it a task naming connections fails with E_CONNECTION.
   */
  connections?: ConnectionResolver;
  /** Generates run ids. */
  newId?: () => string;
  /** Called when the engine itself fails (the store, a bug); defaults to rethrowing later. */
  onFatal?: (err: UpdraftError) => void;
}

/** What to run. */
export interface StartRunInput {
  workflow: Workflow;
  /** The stored workflow version the run executes. */
  version: number;
  /** Resolved run params (see `resolveRunParams`). */
  params: JsonObject;
  /** Directory that relative paths in the workflow are resolved against. */
  baseDir: string;
  trigger?: string;
  /** ISO date-time of the scheduled interval; the trigger time when absent. */
  logicalDate?: string;
}

/** The workflow a stored run executes, as the service around the engine finds it. */
export interface LoadedWorkflow {
  workflow: Workflow;
  baseDir: string;
}

/** Finds the workflow (at the run's version) and base directory of a stored run. */
export type RunWorkflowLoader = (run: RunRecord) => Promise<LoadedWorkflow | undefined>;

// Task states a repair runs again (with everything downstream of them).
const REPAIRABLE: ReadonlySet<TaskState> = new Set(["failed", "cancelled", "upstream_failed"]);

/** A started run. */
export interface RunHandle {
  id: string;
  /** Resolves with the stored run once it has ended. */
  finished: Promise<RunWithTasks>;
}

interface PendingRun {
  execution: RunExecution;
  maxActive: number | undefined;
}

/** Runs workflows on this machine. */
export class Engine {
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly executions = new Map<string, RunExecution>();
  private readonly activeByWorkflow = new Map<string, number>();
  private readonly waiting = new Map<string, PendingRun[]>();
  private readonly slots: Slots;
  private readonly clock: Clock;
  private readonly newId: () => string;
  private fatal: UpdraftError | undefined;

  constructor(private readonly options: EngineOptions) {
    this.slots = new Slots({
      parallelism: options.limits?.parallelism ?? DEFAULT_SLOT_LIMITS.parallelism,
      pools: { ...DEFAULT_SLOT_LIMITS.pools, ...options.limits?.pools },
    });
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? randomUUID;
  }

  /** Subscribes to state changes; returns the unsubscribe function. */
  subscribe(listener: (e: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Creates a run, persists it with every task pending, and starts it (or queues it). */
  async startRun(input: StartRunInput): Promise<RunHandle> {
    if (this.fatal) throw this.fatal;
    const { workflow } = input;
    const prepared = prepareTasks(workflow);
    const now = new Date(this.clock.now()).toISOString();
    const run: RunRecord = {
      id: this.newId(),
      workflow: workflow.name,
      version: input.version,
      state: "queued",
      params: input.params,
      logicalDate: input.logicalDate ?? now,
      trigger: input.trigger ?? "manual",
      createdAt: now,
      startedAt: null,
      endedAt: null,
    };
    const tasks: TaskRecord[] = [...prepared.keys()].map((taskId) => ({
      runId: run.id,
      taskId,
      state: "pending",
      attempts: 0,
      outputs: {},
      startedAt: null,
      endedAt: null,
      error: null,
      retryAt: null,
    }));
    await this.options.store.createRun(run, tasks);
    this.emit({
      kind: "run",
      runId: run.id,
      workflow: run.workflow,
      state: "queued",
      at: this.clock.now(),
    });

    const execution = this.newExecution(run, workflow, input.baseDir, prepared);
    return this.track(execution, workflow);
  }

  /**
   * Resumes the runs a previous process left queued or running (the server was killed):
   * orphaned task processes are stopped first, interrupted attempts end as failed and
   * retry per their policy, and everything else continues from its stored state.
   */
  async recover(load: RunWorkflowLoader): Promise<RunHandle[]> {
    if (this.fatal) throw this.fatal;
    const { store } = this.options;
    const stale = (await store.listRuns({ states: ["queued", "running"] })).reverse();
    const handles: RunHandle[] = [];
    for (const record of stale) {
      if (this.executions.has(record.id)) continue;
      const run = await store.getRun(record.id);
      if (!run) continue;
      const loaded = await load(run);
      if (!loaded) {
        await this.abandon(run, "its workflow version is no longer stored");
        continue;
      }
      for (const t of run.tasks) {
        if (t.state !== "running") continue;
        const last = (await store.listAttempts(run.id, t.taskId)).at(-1);
        if (last?.pid) await stopOrphan(last.pid, last.startedAt);
      }
      const execution = this.newExecution(toRecord(run), loaded.workflow, loaded.baseDir);
      execution.restore(run.tasks);
      handles.push(this.track(execution, loaded.workflow));
    }
    return handles;
  }

  /**
   * Repairs a finished run in place: its failed, cancelled and upstream-failed tasks and
   * everything downstream of them run again (new attempts, fresh retries); the other
   * tasks keep their states and outputs, which downstream tasks reuse.
   */
  async repairRun(runId: string, load: RunWorkflowLoader): Promise<RunHandle> {
    if (this.fatal) throw this.fatal;
    const { store } = this.options;
    if (this.executions.has(runId)) {
      throw new UpdraftError(
        ErrorCodes.CONFLICT,
        `run ${runId} is still active; wait for it to end or cancel it, then repair it`,
      );
    }
    const run = await store.getRun(runId);
    if (!run) throw new UpdraftError(ErrorCodes.NOT_FOUND, `there is no run ${runId}`);
    if (run.state !== "failed" && run.state !== "cancelled") {
      throw new UpdraftError(
        ErrorCodes.CONFLICT,
        `run ${runId} ${run.state}; only failed or cancelled runs can be repaired`,
      );
    }
    const loaded = await load(run);
    if (!loaded) {
      throw new UpdraftError(
        ErrorCodes.NOT_FOUND,
        `version ${run.version} of workflow ${run.workflow} is no longer stored; run it anew`,
      );
    }
    const prepared = prepareTasks(loaded.workflow);
    const reset = new Set<string>();
    const visit = (id: string) => {
      if (reset.has(id) || !prepared.has(id)) return;
      reset.add(id);
      for (const child of prepared.get(id)!.children) visit(child);
    };
    for (const t of run.tasks) if (REPAIRABLE.has(t.state)) visit(t.taskId);
    const fresh = {
      state: "pending" as const,
      outputs: {},
      error: null,
      startedAt: null,
      endedAt: null,
      retryAt: null,
    };
    const records = run.tasks.map((t) => (reset.has(t.taskId) ? { ...t, ...fresh } : t));
    await Promise.all([
      ...[...reset].map((id) => store.updateTask(runId, id, fresh)),
      store.updateRun(runId, { state: "queued", endedAt: null }),
    ]);
    const record: RunRecord = { ...toRecord(run), state: "queued", endedAt: null };
    this.emit({
      kind: "run",
      runId,
      workflow: run.workflow,
      state: "queued",
      at: this.clock.now(),
    });
    const execution = this.newExecution(record, loaded.workflow, loaded.baseDir);
    execution.restore(records, reset);
    return this.track(execution, loaded.workflow);
  }

  /** Cancels a run that this engine is executing; false when it is not running here. */
  async cancelRun(runId: string): Promise<boolean> {
    const execution = this.executions.get(runId);
    if (!execution) return false;
    await execution.cancel();
    return true;
  }

  /** Runs currently executing or queued in this engine. */
  activeRunIds(): string[] {
    return [...this.executions.keys()];
  }

  /** Cancels every run and waits for them to end. */
  async shutdown(): Promise<void> {
    const runs = [...this.executions.values()];
    await Promise.all(runs.map((r) => r.cancel()));
    await Promise.all(runs.map((r) => r.done));
  }

  private newExecution(
    run: RunRecord,
    workflow: Workflow,
    baseDir: string,
    prepared = prepareTasks(workflow),
  ): RunExecution {
    return new RunExecution(
      {
        store: this.options.store,
        runners: this.options.runners,
        clock: this.clock,
        slots: this.slots,
        dataDir: this.options.dataDir,
        baseEnv: this.options.baseEnv ?? {},
        ...(this.options.connections !== undefined
          ? { connections: this.options.connections }
          : {}),
        emit: (e) => this.emit(e),
        onFatal: (err) => this.onFatal(err),
      },
      run,
      workflow,
      prepared,
      baseDir,
    );
  }

  // Registers an execution and admits it; the handle resolves when it has ended.
  private track(execution: RunExecution, workflow: Workflow): RunHandle {
    const id = execution.run.id;
    this.executions.set(id, execution);
    const finished = execution.done.then(async (state) => {
      this.executions.delete(id);
      this.runEnded(execution);
      return this.readRun(id, state);
    });
    this.admit({ execution, maxActive: workflow.maxActiveRuns });
    return { id, finished };
  }

  // A stored run that cannot continue: it ends failed, its unfinished tasks with it.
  private async abandon(run: RunWithTasks, why: string): Promise<void> {
    const endedAt = new Date(this.clock.now()).toISOString();
    const error = { code: ErrorCodes.TASK_INTERRUPTED, message: `the run cannot resume: ${why}` };
    await Promise.all([
      ...run.tasks
        .filter((t) => !isTerminal(t.state))
        .map((t) =>
          this.options.store.updateTask(run.id, t.taskId, { state: "failed", error, endedAt }),
        ),
      this.options.store.updateRun(run.id, { state: "failed", endedAt }),
    ]);
    this.emit({
      kind: "run",
      runId: run.id,
      workflow: run.workflow,
      state: "failed",
      at: this.clock.now(),
    });
  }

  // Starts the run now, or queues it behind the workflow's max active runs.
  private admit(pending: PendingRun): void {
    const name = pending.execution.run.workflow;
    const active = this.activeByWorkflow.get(name) ?? 0;
    if (pending.maxActive !== undefined && active >= pending.maxActive) {
      const queue = this.waiting.get(name) ?? [];
      queue.push(pending);
      this.waiting.set(name, queue);
      return;
    }
    this.activeByWorkflow.set(name, active + 1);
    pending.execution.start().catch((err: unknown) => this.onFatal(asFatal(err)));
  }

  private runEnded(execution: RunExecution): void {
    const workflow = execution.run.workflow;
    const queue = this.waiting.get(workflow) ?? [];
    if (!execution.started) {
      // Cancelled while queued: it never held a place among the active runs.
      const i = queue.findIndex((p) => p.execution === execution);
      if (i >= 0) queue.splice(i, 1);
      return;
    }
    this.activeByWorkflow.set(workflow, (this.activeByWorkflow.get(workflow) ?? 1) - 1);
    const next = queue.shift();
    if (next) this.admit(next);
  }

  private async readRun(id: string, state: RunState): Promise<RunWithTasks> {
    const run = await this.options.store.getRun(id);
    if (!run) {
      throw new UpdraftError(ErrorCodes.STORE, `run ${id} (${state}) vanished from the store`);
    }
    return run;
  }

  private emit(event: EngineEvent): void {
    for (const l of this.listeners) l(event);
  }

  private onFatal(err: UpdraftError): void {
    this.fatal ??= err;
    if (this.options.onFatal) this.options.onFatal(err);
    else
      queueMicrotask(() => {
        throw err;
      });
  }
}

function toRecord(run: RunWithTasks): RunRecord {
  const { tasks: _tasks, ...record } = run;
  return record;
}

function asFatal(err: unknown): UpdraftError {
  return err instanceof UpdraftError
    ? err
    : new UpdraftError(ErrorCodes.INTERNAL, String(err), { cause: err });
}
