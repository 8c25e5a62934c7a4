/**
 * The persistence interface used by the engine and the server. Two implementations
 * (SQLite, PostgreSQL) pass the same test suite. Every method is async so that a
 * networked store fits behind it; the SQLite store batches the writes made in one
 * event-loop turn into one transaction.
 */
import type { JsonObject, JsonValue } from "../spec/types.js";

/** States of a run. */
export type RunState = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** States of a task within a run (the state of its latest attempt). */
export type TaskState =
  | "pending"
  | "queued"
  | "running"
  | "succeeded"
  | "failed"
  | "retrying"
  | "upstream_failed"
  | "skipped"
  | "cancelled";

/** A task's error as stored and shown to users. */
export interface TaskErrorInfo {
  code: string;
  message: string;
}

/** A stored workflow version. */
export interface WorkflowVersionRecord {
  name: string;
  version: number;
  /** The workflow document as JSON (the normalized form). */
  document: JsonObject;
  /** Where it came from (file path), when known. */
  source?: string;
  /** Username of whoever saved this version; null for versions saved without one (or before auth). */
  createdBy: string | null;
  createdAt: string;
}

/** One run of a workflow. Times are ISO-8601 strings (UTC). */
export interface RunRecord {
  id: string;
  workflow: string;
  version: number;
  state: RunState;
  params: JsonObject;
  /** ISO date-time of the scheduled interval, or the trigger time for manual runs. */
  logicalDate: string;
  /** `manual`, `schedule`, `backfill`, `repair`. */
  trigger: string;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

/** The current state of one task in one run. */
export interface TaskRecord {
  runId: string;
  taskId: string;
  state: TaskState;
  /** Number of attempts started so far (0 before the first). */
  attempts: number;
  outputs: { [key: string]: JsonValue };
  startedAt: string | null;
  endedAt: string | null;
  error: TaskErrorInfo | null;
  /** ISO time before which a `retrying` task must not start again. */
  retryAt: string | null;
}

/** One attempt of a task. */
export interface AttemptRecord {
  runId: string;
  taskId: string;
  attempt: number;
  state: TaskState;
  /** OS pid of the attempt's process (group leader), when it has one. */
  pid: number | null;
  exitCode: number | null;
  startedAt: string | null;
  endedAt: string | null;
  error: TaskErrorInfo | null;
  /** Path of the attempt's log, relative to the data directory. */
  logPath: string | null;
}

/** A run with its tasks, as the CLI and API return it. */
export interface RunWithTasks extends RunRecord {
  tasks: TaskRecord[];
}

/** A workflow's runtime state, kept beside its versions (not part of any version). */
export interface WorkflowStateRecord {
  name: string;
  /** True while its schedule must not create runs. */
  paused: boolean;
  updatedAt: string;
  /** When it was deleted (its versions and runs are kept), or null. */
  deletedAt: string | null;
  /** User id of the workflow's owner, or null when it has none. */
  ownerId: string | null;
}

/** Filters for listing runs. */
export interface RunQuery {
  workflow?: string;
  states?: RunState[];
  limit?: number;
}

/** Persistence of workflows, runs, task states and attempts. */
export interface Store {
  /**
   * Saves a workflow version unless the latest version has the same document; returns the
   * version. `createdBy` (a username) is recorded on a new version only: an unchanged
   * document returns the latest version as it was stored.
   */
  saveWorkflow(
    name: string,
    document: JsonObject,
    source?: string,
    createdBy?: string,
  ): Promise<WorkflowVersionRecord>;
  /** The given version of a workflow, or the latest one. */
  getWorkflow(name: string, version?: number): Promise<WorkflowVersionRecord | undefined>;
  /** The latest version of every workflow, sorted by name in code-point (binary) order. */
  listWorkflows(): Promise<WorkflowVersionRecord[]>;
  /** Every version of a workflow, newest first, at most `limit` (default all). */
  listVersions(name: string, limit?: number): Promise<WorkflowVersionRecord[]>;

  /** Records whether a workflow's schedule is paused (`at`: ISO time of the change). */
  setPaused(name: string, paused: boolean, at: string): Promise<void>;
  /** Marks a workflow deleted (`at`) or, with null, not deleted; a new row starts paused. */
  setDeleted(name: string, at: string | null): Promise<void>;
  /** Records a workflow's owner (a user id) or, with null, that it has none; a new row starts paused. */
  setOwner(name: string, ownerId: string | null, at: string): Promise<void>;
  /** The runtime state of every workflow that has one, sorted by name. */
  listWorkflowStates(): Promise<WorkflowStateRecord[]>;
  /** Logical date of the newest run of a workflow with this trigger (e.g. `schedule`). */
  latestLogicalDate(workflow: string, trigger: string): Promise<string | undefined>;

  /** Creates a run and its tasks in one transaction. */
  createRun(run: RunRecord, tasks: TaskRecord[]): Promise<void>;
  /** Updates fields of a run. */
  updateRun(id: string, patch: Partial<Omit<RunRecord, "id">>): Promise<void>;
  /** Updates fields of a task in a run. */
  updateTask(
    runId: string,
    taskId: string,
    patch: Partial<Omit<TaskRecord, "runId" | "taskId">>,
  ): Promise<void>;
  /** Inserts or replaces an attempt. */
  putAttempt(attempt: AttemptRecord): Promise<void>;

  /** A run with its tasks. */
  getRun(id: string): Promise<RunWithTasks | undefined>;
  /** Runs, newest first. */
  listRuns(query?: RunQuery): Promise<RunRecord[]>;
  /**
   * The newest `perWorkflow` runs (1..100, else E_VALIDATION) of every workflow, or only of
   * those named (any number; unknown names are ignored), newest first (by createdAt, then
   * id), in one query whose cost follows the rows returned, not the run history. Keyed by
   * workflow in code-point order; a workflow without runs has no entry.
   */
  listRecentRuns(
    perWorkflow: number,
    workflows?: readonly string[],
  ): Promise<Map<string, RunRecord[]>>;
  /** Attempts of a task, oldest first. */
  listAttempts(runId: string, taskId: string): Promise<AttemptRecord[]>;

  /** Waits for every pending write, then releases the store. */
  close(): Promise<void>;
}
