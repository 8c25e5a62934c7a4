/**
 * The SQLite store's rows: their shapes, the statements that read and write them (prepared
 * once per connection), and the mapping between rows and the records of `types.ts`.
 * JSON values live in TEXT columns.
 */
import type Database from "better-sqlite3";
import type { JsonObject } from "../spec/types.js";
import type {
  AttemptRecord,
  RunRecord,
  RunState,
  TaskErrorInfo,
  TaskRecord,
  TaskState,
  WorkflowVersionRecord,
} from "./types.js";

/** A value bound to an SQL parameter. */
export type Sql = string | number | null;

/** A patchable field: record key, column, and how its value is stored. */
export type Column = readonly [key: string, column: string, encode: (value: never) => Sql];

const asIs = (v: Sql): Sql => v;
/** The patchable fields of a run. */
export const RUN_COLUMNS: readonly Column[] = [
  ["workflow", "workflow", asIs],
  ["version", "version", asIs],
  ["state", "state", asIs],
  ["params", "params", (v: JsonObject) => JSON.stringify(v)],
  ["logicalDate", "logical_date", asIs],
  ["trigger", "trigger", asIs],
  ["createdAt", "created_at", asIs],
  ["startedAt", "started_at", asIs],
  ["endedAt", "ended_at", asIs],
];
/** The patchable fields of a task. */
export const TASK_COLUMNS: readonly Column[] = [
  ["state", "state", asIs],
  ["attempts", "attempts", asIs],
  ["outputs", "outputs", (v: JsonObject) => JSON.stringify(v)],
  ["startedAt", "started_at", asIs],
  ["endedAt", "ended_at", asIs],
  ["error", "error", encodeError],
  ["retryAt", "retry_at", asIs],
];

/** A row of `workflows`. */
export interface WorkflowRow {
  name: string;
  version: number;
  document: string;
  source: string | null;
  /** Null in rows written before migration 3. */
  created_by: string | null;
  created_at: string;
}
/** A row of `runs`. */
export interface RunRow {
  id: string;
  workflow: string;
  version: number;
  state: RunState;
  params: string;
  logical_date: string;
  trigger: string;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
}
/** A row of `task_states`. */
export interface TaskRow {
  run_id: string;
  task_id: string;
  state: TaskState;
  attempts: number;
  outputs: string;
  started_at: string | null;
  ended_at: string | null;
  error: string | null;
  retry_at: string | null;
}
/** A row of `attempts`. */
export interface AttemptRow {
  run_id: string;
  task_id: string;
  attempt: number;
  state: TaskState;
  pid: number | null;
  exit_code: number | null;
  started_at: string | null;
  ended_at: string | null;
  error: string | null;
  log_path: string | null;
}

/** The fixed statements of the store, prepared once per connection. */
export function prepareStatements(db: Database.Database) {
  return {
    begin: db.prepare("BEGIN IMMEDIATE"),
    commit: db.prepare("COMMIT"),
    rollback: db.prepare("ROLLBACK"),
    setPaused: db.prepare<[string, number, string]>(
      `INSERT INTO workflow_states (name, paused, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at`,
    ),
    setDeleted: db.prepare<[string, string, string | null]>(
      `INSERT INTO workflow_states (name, paused, updated_at, deleted_at) VALUES (?, 1, ?, ?)
       ON CONFLICT (name) DO UPDATE SET deleted_at = excluded.deleted_at, updated_at = excluded.updated_at`,
    ),
    setOwner: db.prepare<[string, string, string | null]>(
      `INSERT INTO workflow_states (name, paused, updated_at, owner_id) VALUES (?, 1, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner_id = excluded.owner_id, updated_at = excluded.updated_at`,
    ),
    listStates: db.prepare<
      [],
      {
        name: string;
        paused: number;
        updated_at: string;
        deleted_at: string | null;
        owner_id: string | null;
      }
    >("SELECT * FROM workflow_states ORDER BY name"),
    latestLogical: db.prepare<[string, string], { logical_date: string }>(
      `SELECT logical_date FROM runs WHERE workflow = ? AND trigger = ?
       ORDER BY logical_date DESC LIMIT 1`,
    ),
    workflowVersions: db.prepare<[string, number], WorkflowRow>(
      "SELECT * FROM workflows WHERE name = ? ORDER BY version DESC LIMIT ?",
    ),
    latestWorkflow: db.prepare<[string], WorkflowRow>(
      "SELECT * FROM workflows WHERE name = ? ORDER BY version DESC LIMIT 1",
    ),
    workflowVersion: db.prepare<[string, number], WorkflowRow>(
      "SELECT * FROM workflows WHERE name = ? AND version = ?",
    ),
    // SQLite compares TEXT with the BINARY collation: code-point order for UTF-8.
    latestWorkflows: db.prepare<[], WorkflowRow>(
      `SELECT w.* FROM workflows w
         JOIN (SELECT name, MAX(version) AS version FROM workflows GROUP BY name) m
           ON w.name = m.name AND w.version = m.version
       ORDER BY w.name`,
    ),
    insertWorkflow: db.prepare<[string, number, string, string | null, string | null, string]>(
      `INSERT INTO workflows (name, version, document, source, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    // Per workflow, a backward walk of the index runs_workflow_created_at that stops after
    // the limit: the cost follows the rows returned, not the run history. (ROW_NUMBER() over
    // all runs reads every run: measured 2x slower at 10,000 workflows x 20 runs, 90x at
    // 200 x 2,000.) The
    // names come from skipping through the same index (a recursive loose index scan), or
    // from one bound JSON array, so any number of names is one parameter.
    recentRuns: db.prepare<[number], RunRow>(
      `WITH RECURSIVE names (name) AS (
         SELECT MIN(workflow) FROM runs
         UNION ALL
         SELECT (SELECT MIN(workflow) FROM runs WHERE workflow > names.name)
         FROM names WHERE names.name IS NOT NULL)
       SELECT r.* FROM names JOIN runs r ON r.rowid IN (
         SELECT rowid FROM runs WHERE workflow = names.name
         ORDER BY created_at DESC, id DESC LIMIT ?)
       ORDER BY r.workflow, r.created_at DESC, r.id DESC`,
    ),
    recentRunsOf: db.prepare<[string, number], RunRow>(
      `SELECT r.* FROM (SELECT DISTINCT value AS name FROM json_each(?)) names
       JOIN runs r ON r.rowid IN (
         SELECT rowid FROM runs WHERE workflow = names.name
         ORDER BY created_at DESC, id DESC LIMIT ?)
       ORDER BY r.workflow, r.created_at DESC, r.id DESC`,
    ),
    insertRun: db.prepare<Sql[]>(
      `INSERT INTO runs (id, workflow, version, state, params, logical_date, trigger,
         created_at, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertTask: db.prepare<Sql[]>(
      `INSERT INTO task_states (run_id, task_id, state, attempts, outputs, started_at,
         ended_at, error, retry_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    upsertAttempt: db.prepare<Sql[]>(
      `INSERT INTO attempts (run_id, task_id, attempt, state, pid, exit_code, started_at,
         ended_at, error, log_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, task_id, attempt) DO UPDATE SET state = excluded.state,
         pid = excluded.pid, exit_code = excluded.exit_code, started_at = excluded.started_at,
         ended_at = excluded.ended_at, error = excluded.error, log_path = excluded.log_path`,
    ),
    getRun: db.prepare<[string], RunRow>("SELECT * FROM runs WHERE id = ?"),
    // Ordered by id, not insertion, so PostgreSQL can return the same order.
    getTasks: db.prepare<[string], TaskRow>(
      "SELECT * FROM task_states WHERE run_id = ? ORDER BY task_id",
    ),
    listAttempts: db.prepare<[string, string], AttemptRow>(
      "SELECT * FROM attempts WHERE run_id = ? AND task_id = ? ORDER BY attempt",
    ),
  };
}

/** A `workflows` row as a record; `source` is omitted when unknown. */
export function toWorkflow(r: WorkflowRow): WorkflowVersionRecord {
  const record: WorkflowVersionRecord = {
    name: r.name,
    version: r.version,
    document: JSON.parse(r.document) as JsonObject,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
  if (r.source !== null) record.source = r.source;
  return record;
}

/** A `runs` row as a record. */
export function toRun(r: RunRow): RunRecord {
  return {
    id: r.id,
    workflow: r.workflow,
    version: r.version,
    state: r.state,
    params: JSON.parse(r.params) as JsonObject,
    logicalDate: r.logical_date,
    trigger: r.trigger,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
  };
}

/** A `task_states` row as a record. */
export function toTask(r: TaskRow): TaskRecord {
  return {
    runId: r.run_id,
    taskId: r.task_id,
    state: r.state,
    attempts: r.attempts,
    outputs: JSON.parse(r.outputs) as JsonObject,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: r.error === null ? null : (JSON.parse(r.error) as TaskErrorInfo),
    retryAt: r.retry_at,
  };
}

/** An `attempts` row as a record. */
export function toAttempt(r: AttemptRow): AttemptRecord {
  return {
    runId: r.run_id,
    taskId: r.task_id,
    attempt: r.attempt,
    state: r.state,
    pid: r.pid,
    exitCode: r.exit_code,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: r.error === null ? null : (JSON.parse(r.error) as TaskErrorInfo),
    logPath: r.log_path,
  };
}

/** Keeps only `code` and `message`: an Error's `message` is not enumerable, so JSON.stringify would drop it. */
export function encodeError(e: TaskErrorInfo | null): string | null {
  return e === null ? null : JSON.stringify({ code: e.code, message: e.message });
}

/** A run as the bound values of `insertRun`. */
export function runToRow(run: RunRecord): Sql[] {
  const params = JSON.stringify(run.params);
  return [
    run.id,
    run.workflow,
    run.version,
    run.state,
    params,
    run.logicalDate,
    run.trigger,
    run.createdAt,
    run.startedAt,
    run.endedAt,
  ];
}

/** A task as the bound values of `insertTask`. */
export function taskToRow(runId: string, t: TaskRecord): Sql[] {
  const outputs = JSON.stringify(t.outputs);
  return [
    runId,
    t.taskId,
    t.state,
    t.attempts,
    outputs,
    t.startedAt,
    t.endedAt,
    encodeError(t.error),
    t.retryAt,
  ];
}

/** An attempt as the bound values of `upsertAttempt`. */
export function attemptToRow(a: AttemptRecord): Sql[] {
  return [
    a.runId,
    a.taskId,
    a.attempt,
    a.state,
    a.pid,
    a.exitCode,
    a.startedAt,
    a.endedAt,
    encodeError(a.error),
    a.logPath,
  ];
}
