/**
 * The PostgreSQL store's rows: the SQL of its statements, how records become bound values
 * and rows become records, and the escaping of text. PostgreSQL text cannot hold U+0000,
 * while every string of a record may; so text columns store an escaped form: U+0001 is the
 * escape character, U+0000 becomes U+0001 U+0001 and U+0001 becomes U+0001 U+0002. The
 * escape keeps byte order ("C" collation), so sorting by id or time matches SQLite, and
 * strings without those two characters (all real ones) are stored unchanged. JSON columns
 * need no escaping: `json` keeps `\u0000` as written.
 */
import { createHash } from "node:crypto";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
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

/** A value bound to a statement parameter. */
export type PgValue = string | number | null | (string | number | null)[];

/** A patchable field: record key, column, and how its value is bound. */
export type PgColumn = readonly [key: string, column: string, encode: (value: never) => PgValue];

const NUL = "\u0000";
const ESC = "\u0001";

// With the u flag a surrogate pair is one code point, so this finds only unpaired halves.
const LONE_SURROGATE = /\p{Cs}/u;

/** The stored form of a string (see the file comment); refuses what UTF-8 cannot encode. */
export function encText(s: string): string {
  // The driver would send U+FFFD instead: a silent change of, say, a run id.
  if (LONE_SURROGATE.test(s))
    throw new UpdraftError(
      ErrorCodes.STORE,
      `Cannot store the text "${s.slice(0, 40)}": it holds an unpaired UTF-16 surrogate ` +
        `(U+${s.codePointAt(s.search(LONE_SURROGATE))!.toString(16).toUpperCase()}), which is not ` +
        `a character and cannot be written as UTF-8. Fix the value at its source.`,
    );
  if (!s.includes(NUL) && !s.includes(ESC)) return s;
  return s.replaceAll(ESC, `${ESC}\u0002`).replaceAll(NUL, `${ESC}${ESC}`);
}

/** The string a stored text stands for. */
export function decText(s: string): string {
  if (!s.includes(ESC)) return s;
  let out = "";
  let from = 0;
  for (let i = s.indexOf(ESC); i !== -1; i = s.indexOf(ESC, from)) {
    const next = s[i + 1];
    out +=
      s.slice(from, i) + (next === ESC ? NUL : next === "\u0002" ? ESC : `${ESC}${next ?? ""}`);
    from = i + 2;
  }
  return out + s.slice(from);
}

function encNullable(s: string | null): string | null {
  return s === null ? null : encText(s);
}
function decNullable(s: string | null): string | null {
  return s === null ? null : decText(s);
}

/** Keeps only `code` and `message`: an Error's `message` is not enumerable, so JSON.stringify would drop it. */
export function encodePgError(e: TaskErrorInfo | null): string | null {
  return e === null ? null : JSON.stringify({ code: e.code, message: e.message });
}

/** Workflow names share this many locks per schema (see workflowLockKey). */
export const WORKFLOW_LOCK_BUCKETS = 1024;

/**
 * The key of the transaction lock that serializes saves of a workflow across servers. Names
 * are hashed into a fixed number of buckets, so that a batch saving 10,000 workflows holds
 * at most WORKFLOW_LOCK_BUCKETS locks (PostgreSQL's lock table is sized for a few thousand);
 * two names in one bucket merely wait for each other.
 */
export function workflowLockKey(schema: string, name: string): string {
  const space = (createHash("sha256").update(schema).digest().readBigInt64BE(0) >> 10n) << 10n;
  const bucket = createHash("sha256").update(name).digest().readUInt32BE(0) % WORKFLOW_LOCK_BUCKETS;
  return (space + BigInt(bucket)).toString();
}

/** SHA-256 of a workflow's canonical JSON: equal hashes mean an unchanged document. */
export function documentHash(canonical: string): string {
  return createHash("sha256").update(canonical).digest("hex");
}

const text = (v: string | null): PgValue => encNullable(v);
const asIs = (v: number): PgValue => v;
const json = (v: JsonObject): PgValue => JSON.stringify(v);
/** The patchable fields of a run. */
export const PG_RUN_COLUMNS: readonly PgColumn[] = [
  ["workflow", "workflow", text],
  ["version", "version", asIs],
  ["state", "state", text],
  ["params", "params", json],
  ["logicalDate", "logical_date", text],
  ["trigger", "trigger", text],
  ["createdAt", "created_at", text],
  ["startedAt", "started_at", text],
  ["endedAt", "ended_at", text],
];
/** The patchable fields of a task. */
export const PG_TASK_COLUMNS: readonly PgColumn[] = [
  ["state", "state", text],
  ["attempts", "attempts", asIs],
  ["outputs", "outputs", json],
  ["startedAt", "started_at", text],
  ["endedAt", "ended_at", text],
  ["error", "error", encodePgError],
  ["retryAt", "retry_at", text],
];

/** The fixed statements; each is prepared once per connection under its key as name. */
export const PG_SQL = {
  setPaused: `
    INSERT INTO workflow_states (name, paused, updated_at) VALUES ($1, $2, $3)
    ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at`,
  listStates: "SELECT * FROM workflow_states ORDER BY name",
  setDeleted: `
    INSERT INTO workflow_states (name, paused, updated_at, deleted_at) VALUES ($1, 1, $3, $2)
    ON CONFLICT (name) DO UPDATE SET deleted_at = excluded.deleted_at, updated_at = excluded.updated_at`,
  setOwner: `
    INSERT INTO workflow_states (name, paused, updated_at, owner_id) VALUES ($1, 1, $3, $2)
    ON CONFLICT (name) DO UPDATE SET owner_id = excluded.owner_id, updated_at = excluded.updated_at`,
  // Per workflow, a backward scan of runs_workflow_created_at (workflow, created_at, id)
  // that stops after the limit, so the cost follows the rows returned, not the run history
  // (ROW_NUMBER() over all runs reads and sorts every run, and not by that index: measured
  // 2.5x slower at 10,000 workflows x 20 runs). The names come from a loose scan of an
  // index on workflow, or
  // from one bound array, so any number of names is one parameter.
  recentRuns: `
    WITH RECURSIVE names (name) AS (
      SELECT min(workflow) FROM runs
      UNION ALL
      SELECT (SELECT min(workflow) FROM runs WHERE workflow > names.name)
      FROM names WHERE names.name IS NOT NULL)
    SELECT r.* FROM names CROSS JOIN LATERAL (
      SELECT * FROM runs WHERE workflow = names.name
      ORDER BY created_at DESC, id DESC LIMIT $1) r
    ORDER BY r.workflow, r.created_at DESC, r.id DESC`,
  recentRunsOf: `
    SELECT r.* FROM (SELECT DISTINCT name FROM unnest($2::text[]) AS u (name)) names
    CROSS JOIN LATERAL (
      SELECT * FROM runs WHERE workflow = names.name
      ORDER BY created_at DESC, id DESC LIMIT $1) r
    ORDER BY r.workflow, r.created_at DESC, r.id DESC`,
  latestLogical: `
    SELECT logical_date FROM runs WHERE workflow = $1 AND trigger = $2
    ORDER BY logical_date DESC LIMIT 1`,
  latestWorkflow: "SELECT * FROM workflows WHERE name = $1 ORDER BY version DESC LIMIT 1",
  workflowVersion: "SELECT * FROM workflows WHERE name = $1 AND version = $2",
  listWorkflows: "SELECT DISTINCT ON (name) * FROM workflows ORDER BY name, version DESC",
  workflowVersions: "SELECT * FROM workflows WHERE name = $1 ORDER BY version DESC LIMIT $2",
  // Inserts the next version unless the latest has the same document, then returns
  // whichever row is now the latest, in one statement (and so in one pipelined message).
  saveWorkflow: `
    WITH latest AS (
      SELECT * FROM workflows WHERE name = $1::text ORDER BY version DESC LIMIT 1
    ), inserted AS (
      INSERT INTO workflows (name, version, document, document_hash, source, created_at,
                             created_by)
      SELECT $1::text, COALESCE((SELECT version FROM latest), 0) + 1, $2::json, $3::text,
             $4::text, $5::text, $6::text
      WHERE NOT EXISTS (SELECT 1 FROM latest WHERE document_hash = $3::text)
      RETURNING *
    )
    SELECT * FROM inserted UNION ALL SELECT * FROM latest WHERE document_hash = $3::text`,
  insertRun: `INSERT INTO runs (id, workflow, version, state, params, logical_date, trigger,
      created_at, started_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  insertTasks: `INSERT INTO task_states (run_id, task_id, state, attempts, outputs, started_at,
      ended_at, error, retry_at)
    SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::int[], $5::json[], $6::text[],
      $7::text[], $8::json[], $9::text[])`,
  upsertAttempt: `INSERT INTO attempts (run_id, task_id, attempt, state, pid, exit_code,
      started_at, ended_at, error, log_path) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT (run_id, task_id, attempt) DO UPDATE SET state = EXCLUDED.state,
      pid = EXCLUDED.pid, exit_code = EXCLUDED.exit_code, started_at = EXCLUDED.started_at,
      ended_at = EXCLUDED.ended_at, error = EXCLUDED.error, log_path = EXCLUDED.log_path`,
  getRun: "SELECT * FROM runs WHERE id = $1",
  getTasks: "SELECT * FROM task_states WHERE run_id = $1 ORDER BY task_id",
  listAttempts: "SELECT * FROM attempts WHERE run_id = $1 AND task_id = $2 ORDER BY attempt",
} as const;

/** A row of `workflows` as `pg` returns it (JSON already parsed). */
export interface PgWorkflowRow {
  name: string;
  version: number;
  document: JsonObject;
  source: string | null;
  /** Null in rows written before migration 3. */
  created_by: string | null;
  created_at: string;
}
/** A row of `runs`. */
export interface PgRunRow {
  id: string;
  workflow: string;
  version: number;
  state: string;
  params: JsonObject;
  logical_date: string;
  trigger: string;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
}
/** A row of `task_states`. */
export interface PgTaskRow {
  run_id: string;
  task_id: string;
  state: string;
  attempts: number;
  outputs: JsonObject;
  started_at: string | null;
  ended_at: string | null;
  error: TaskErrorInfo | null;
  retry_at: string | null;
}
/** A row of `attempts`. */
export interface PgAttemptRow {
  run_id: string;
  task_id: string;
  attempt: number;
  state: string;
  pid: number | null;
  exit_code: number | null;
  started_at: string | null;
  ended_at: string | null;
  error: TaskErrorInfo | null;
  log_path: string | null;
}

/** A `workflows` row as a record; `source` is omitted when unknown. */
export function pgToWorkflow(r: PgWorkflowRow): WorkflowVersionRecord {
  const record: WorkflowVersionRecord = {
    name: decText(r.name),
    version: r.version,
    document: r.document,
    createdBy: decNullable(r.created_by),
    createdAt: decText(r.created_at),
  };
  if (r.source !== null) record.source = decText(r.source);
  return record;
}

/** A `runs` row as a record. */
export function pgToRun(r: PgRunRow): RunRecord {
  return {
    id: decText(r.id),
    workflow: decText(r.workflow),
    version: r.version,
    state: decText(r.state) as RunState,
    params: r.params,
    logicalDate: decText(r.logical_date),
    trigger: decText(r.trigger),
    createdAt: decText(r.created_at),
    startedAt: decNullable(r.started_at),
    endedAt: decNullable(r.ended_at),
  };
}

/** A `task_states` row as a record. */
export function pgToTask(r: PgTaskRow): TaskRecord {
  return {
    runId: decText(r.run_id),
    taskId: decText(r.task_id),
    state: decText(r.state) as TaskState,
    attempts: r.attempts,
    outputs: r.outputs,
    startedAt: decNullable(r.started_at),
    endedAt: decNullable(r.ended_at),
    error: r.error,
    retryAt: decNullable(r.retry_at),
  };
}

/** An `attempts` row as a record. */
export function pgToAttempt(r: PgAttemptRow): AttemptRecord {
  return {
    runId: decText(r.run_id),
    taskId: decText(r.task_id),
    attempt: r.attempt,
    state: decText(r.state) as TaskState,
    pid: r.pid,
    exitCode: r.exit_code,
    startedAt: decNullable(r.started_at),
    endedAt: decNullable(r.ended_at),
    error: r.error,
    logPath: decNullable(r.log_path),
  };
}

/** A run as the bound values of `insertRun`. */
export function pgRunValues(run: RunRecord): PgValue[] {
  return [
    encText(run.id),
    encText(run.workflow),
    run.version,
    encText(run.state),
    JSON.stringify(run.params),
    encText(run.logicalDate),
    encText(run.trigger),
    encText(run.createdAt),
    encNullable(run.startedAt),
    encNullable(run.endedAt),
  ];
}

/** A run's tasks as the bound column arrays of `insertTasks`. */
export function pgTaskValues(runId: string, tasks: readonly TaskRecord[]): PgValue[] {
  return [
    encText(runId),
    tasks.map((t) => encText(t.taskId)),
    tasks.map((t) => encText(t.state)),
    tasks.map((t) => t.attempts),
    tasks.map((t) => JSON.stringify(t.outputs)),
    tasks.map((t) => encNullable(t.startedAt)),
    tasks.map((t) => encNullable(t.endedAt)),
    tasks.map((t) => encodePgError(t.error)),
    tasks.map((t) => encNullable(t.retryAt)),
  ];
}

/** An attempt as the bound values of `upsertAttempt`. */
export function pgAttemptValues(a: AttemptRecord): PgValue[] {
  return [
    encText(a.runId),
    encText(a.taskId),
    a.attempt,
    encText(a.state),
    a.pid,
    a.exitCode,
    encNullable(a.startedAt),
    encNullable(a.endedAt),
    encodePgError(a.error),
    encNullable(a.logPath),
  ];
}
