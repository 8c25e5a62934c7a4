/**
 * The networked store: PostgreSQL, for a service several people depend on. Same interface
 * and guarantees as the SQLite store: writes are applied in call order, in one transaction
 * per batch (see postgres-batch.ts), reads see every write made before them, a failed
 * write rejects with an UpdraftError, and close() waits for pending writes. Reads use a
 * small pool of their own connections, so listing runs does not wait behind a batch that
 * started after it.
 */
import pg from "pg";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { JsonObject } from "../spec/types.js";
import { canonicalJson } from "./canonical-json.js";
import { PgWriteQueue, type PgStatement, type PgWrite } from "./postgres-batch.js";
import { parsePostgresUrl } from "./postgres-connection.js";
import { pgClosedError, pgOpenError, pgReadError, sqlState } from "./postgres-errors.js";
import { migratePostgres } from "./postgres-migrations.js";
import {
  PG_RUN_COLUMNS,
  PG_SQL,
  PG_TASK_COLUMNS,
  decText,
  documentHash,
  encText,
  pgAttemptValues,
  pgRunValues,
  pgTaskValues,
  pgToAttempt,
  pgToRun,
  pgToTask,
  pgToWorkflow,
  workflowLockKey,
  type PgAttemptRow,
  type PgColumn,
  type PgRunRow,
  type PgTaskRow,
  type PgValue,
  type PgWorkflowRow,
} from "./postgres-rows.js";
import { checkRecentRunsArgs, groupByWorkflow } from "./recent-runs.js";
import { notFound, unserializable } from "./store-errors.js";
import type {
  AttemptRecord,
  RunQuery,
  RunRecord,
  RunWithTasks,
  Store,
  TaskRecord,
  WorkflowStateRecord,
  WorkflowVersionRecord,
} from "./types.js";

/** Options of `PostgresStore.open`. */
export interface PostgresStoreOptions {
  /** Schema of Updraft's tables, created if missing (default: `?schema=` of the URL, else `public`). */
  schema?: string;
  /** Connections for reads (default 4); writes use one more of their own. */
  readConnections?: number;
  /** How long connecting may take before it fails (default 10,000 ms). */
  connectTimeoutMs?: number;
  /** Time source for `createdAt` of workflow versions, in ms since the epoch (default `Date.now`). */
  now?: () => number;
}

/** The PostgreSQL implementation of `Store`. */
export class PostgresStore implements Store {
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly writes: PgWriteQueue,
    private readonly where: string,
    /** The schema holding the tables. */
    readonly schema: string,
    private readonly now: () => number,
  ) {}

  /** Connects, creates the schema if needed and migrates it; rejects with E_STORE and advice. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const target = parsePostgresUrl(url, options.schema);
    const config: pg.ClientConfig = {
      connectionString: target.connectionString,
      connectionTimeoutMillis: Math.max(1, options.connectTimeoutMs ?? 10_000),
      // Lets a DBA tell which Updraft schema a connection in pg_stat_activity serves.
      application_name: `updraft ${target.schema}`.slice(0, 63),
      // TCP keepalive notices a server that vanished without closing the connection
      // (after a minute or so, instead of the system's default two hours).
      keepAlive: true,
      keepAliveInitialDelayMillis: 30_000,
    };
    const pool = new pg.Pool({ ...config, max: Math.max(1, options.readConnections ?? 4) });
    // An idle pooled connection that dies is dropped by the pool; the next read reconnects.
    pool.on("error", () => undefined);
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client, target.schema, target.location);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw pgOpenError(target.location, err);
    }
    const writes = new PgWriteQueue(config, target.location);
    return new PostgresStore(pool, writes, target.location, target.schema, options.now ?? Date.now);
  }

  /** The server, database and schema, without the password. */
  get location(): string {
    return this.where;
  }

  saveWorkflow(
    name: string,
    document: JsonObject,
    source?: string,
    createdBy?: string,
  ): Promise<WorkflowVersionRecord> {
    let values: PgValue[];
    try {
      values = [
        encText(name),
        JSON.stringify(document),
        documentHash(canonicalJson(document)),
        source === undefined ? null : encText(source),
        new Date(this.now()).toISOString(),
        createdBy === undefined ? null : encText(createdBy),
      ];
    } catch (err) {
      return Promise.reject(unserializable(`workflow ${name}`, err));
    }
    return this.write({
      statements: [{ name: "save_workflow", text: PG_SQL.saveWorkflow, values }],
      locks: [workflowLockKey(this.schema, name)],
      result: ([r]) => pgToWorkflow(r!.rows[0] as PgWorkflowRow),
      failure: (err) => this.failure(`save workflow ${name}`, err),
    });
  }

  getWorkflow(name: string, version?: number): Promise<WorkflowVersionRecord | undefined> {
    // No such version can exist, and the INTEGER column would refuse the parameter.
    if (version !== undefined && !(Number.isInteger(version) && Math.abs(version) < 2 ** 31))
      return this.read(() => Promise.resolve(undefined));
    return this.read(async () => {
      const r =
        version === undefined
          ? await this.query<PgWorkflowRow>("latest_workflow", PG_SQL.latestWorkflow, [
              encText(name),
            ])
          : await this.query<PgWorkflowRow>("workflow_version", PG_SQL.workflowVersion, [
              encText(name),
              version,
            ]);
      const row = r.rows[0];
      return row && pgToWorkflow(row);
    });
  }

  /** Every version of a workflow, newest first. */
  listVersions(name: string, limit?: number): Promise<WorkflowVersionRecord[]> {
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0))
      return Promise.reject(
        new UpdraftError(
          ErrorCodes.STORE,
          `Cannot list versions: limit must be a non-negative integer, got ${String(limit)}.`,
        ),
      );
    return this.read(async () => {
      // LIMIT NULL is no limit in PostgreSQL.
      const r = await this.query<PgWorkflowRow>("workflow_versions", PG_SQL.workflowVersions, [
        encText(name),
        limit ?? null,
      ]);
      return r.rows.map(pgToWorkflow);
    });
  }

  /** The latest version of every workflow, sorted by name. */
  listWorkflows(): Promise<WorkflowVersionRecord[]> {
    return this.read(async () => {
      const r = await this.query<PgWorkflowRow>("list_workflows", PG_SQL.listWorkflows, []);
      return r.rows.map(pgToWorkflow);
    });
  }

  setPaused(name: string, paused: boolean, at: string): Promise<void> {
    let values: PgValue[];
    try {
      values = [encText(name), paused ? 1 : 0, encText(at)];
    } catch (err) {
      return Promise.reject(unserializable(`the state of workflow ${name}`, err));
    }
    return this.write({
      statements: [{ name: "set_paused", text: PG_SQL.setPaused, values }],
      result: () => undefined,
      failure: (err) => this.failure(`pause or unpause workflow ${name}`, err),
    });
  }

  setDeleted(name: string, at: string | null): Promise<void> {
    let values: PgValue[];
    try {
      const now = at ?? new Date(this.now()).toISOString();
      values = [encText(name), at === null ? null : encText(at), encText(now)];
    } catch (err) {
      return Promise.reject(unserializable(`the state of workflow ${name}`, err));
    }
    return this.write({
      statements: [{ name: "set_deleted", text: PG_SQL.setDeleted, values }],
      result: () => undefined,
      failure: (err) => this.failure(`delete or restore workflow ${name}`, err),
    });
  }

  setOwner(name: string, ownerId: string | null, at: string): Promise<void> {
    let values: PgValue[];
    try {
      values = [encText(name), ownerId === null ? null : encText(ownerId), encText(at)];
    } catch (err) {
      return Promise.reject(unserializable(`the owner of workflow ${name}`, err));
    }
    return this.write({
      statements: [{ name: "set_owner", text: PG_SQL.setOwner, values }],
      result: () => undefined,
      failure: (err) => this.failure(`set the owner of workflow ${name}`, err),
    });
  }

  listWorkflowStates(): Promise<WorkflowStateRecord[]> {
    return this.read(async () => {
      const r = await this.query<{
        name: string;
        paused: number;
        updated_at: string;
        deleted_at: string | null;
        owner_id: string | null;
      }>("list_states", PG_SQL.listStates, []);
      return r.rows.map((row) => ({
        name: decText(row.name),
        paused: row.paused !== 0,
        updatedAt: decText(row.updated_at),
        deletedAt: row.deleted_at === null ? null : decText(row.deleted_at),
        ownerId: row.owner_id === null ? null : decText(row.owner_id),
      }));
    });
  }

  latestLogicalDate(workflow: string, trigger: string): Promise<string | undefined> {
    return this.read(async () => {
      const r = await this.query<{ logical_date: string }>("latest_logical", PG_SQL.latestLogical, [
        encText(workflow),
        encText(trigger),
      ]);
      const row = r.rows[0];
      return row && decText(row.logical_date);
    });
  }

  createRun(run: RunRecord, tasks: TaskRecord[]): Promise<void> {
    const statements: PgStatement[] = [];
    try {
      const stray = tasks.find((t) => t.runId !== run.id);
      if (stray !== undefined)
        throw new UpdraftError(
          ErrorCodes.INTERNAL,
          `Task ${stray.taskId} has runId ${stray.runId} but is created with run ${run.id}.`,
        );
      statements.push({ name: "insert_run", text: PG_SQL.insertRun, values: pgRunValues(run) });
      if (tasks.length > 0)
        statements.push({
          name: "insert_tasks",
          text: PG_SQL.insertTasks,
          values: pgTaskValues(run.id, tasks),
        });
    } catch (err) {
      return Promise.reject(unserializable(`run ${run.id}`, err));
    }
    return this.write({
      statements,
      result: () => undefined,
      failure: (err) =>
        sqlState(err) === "23505"
          ? new UpdraftError(
              ErrorCodes.STORE,
              `Cannot create run ${run.id}: a run with this id already exists, or a task id is ` +
                `listed twice. Nothing was written.`,
              { cause: err },
            )
          : this.failure(`create run ${run.id}`, err),
    });
  }

  updateRun(id: string, patch: Partial<Omit<RunRecord, "id">>): Promise<void> {
    return this.patch("runs", PG_RUN_COLUMNS, patch, [id], () => `run ${id}`);
  }

  updateTask(
    runId: string,
    taskId: string,
    patch: Partial<Omit<TaskRecord, "runId" | "taskId">>,
  ): Promise<void> {
    return this.patch("task_states", PG_TASK_COLUMNS, patch, [runId, taskId], () => {
      return `task ${taskId} of run ${runId}`;
    });
  }

  putAttempt(a: AttemptRecord): Promise<void> {
    let values: PgValue[];
    try {
      values = pgAttemptValues(a);
    } catch (err) {
      return Promise.reject(unserializable(`attempt ${a.attempt} of task ${a.taskId}`, err));
    }
    return this.write({
      statements: [{ name: "upsert_attempt", text: PG_SQL.upsertAttempt, values }],
      result: () => undefined,
      failure: (err) =>
        sqlState(err) === "23503"
          ? notFound(`task ${a.taskId} of run ${a.runId}`, err)
          : this.failure(`record attempt ${a.attempt} of task ${a.taskId}`, err),
    });
  }

  getRun(id: string): Promise<RunWithTasks | undefined> {
    return this.read(async () => {
      const key = [encText(id)];
      // Both on one connection, in one repeatable-read snapshot, so the tasks match the run.
      const client = await this.pool.connect();
      try {
        await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        const run = await client.query<PgRunRow>({
          name: "get_run",
          text: PG_SQL.getRun,
          values: key,
        });
        const row = run.rows[0];
        const tasks =
          row === undefined
            ? undefined
            : await client.query<PgTaskRow>({
                name: "get_tasks",
                text: PG_SQL.getTasks,
                values: key,
              });
        await client.query("COMMIT");
        client.release();
        return row && { ...pgToRun(row), tasks: (tasks?.rows ?? []).map(pgToTask) };
      } catch (err) {
        client.release(err instanceof Error ? err : true);
        throw err;
      }
    });
  }

  listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    const { workflow, states, limit } = query;
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0))
      return Promise.reject(
        new UpdraftError(
          ErrorCodes.STORE,
          `Cannot list runs: limit must be a non-negative integer, got ${String(limit)}.`,
        ),
      );
    const name = `list_runs_${workflow === undefined ? "" : "w"}${states === undefined ? "" : "s"}`;
    return this.read(async () => {
      const where: string[] = [];
      const values: PgValue[] = [];
      if (workflow !== undefined) {
        values.push(encText(workflow));
        where.push(`workflow = $${values.length}`);
      }
      if (states !== undefined) {
        values.push(states.map(encText));
        where.push(`state = ANY($${values.length}::text[])`);
      }
      values.push(limit ?? null); // LIMIT NULL: no limit.
      const text =
        `SELECT * FROM runs ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ` +
        `ORDER BY created_at DESC, id DESC LIMIT $${values.length}`;
      const r = await this.query<PgRunRow>(name, text, values);
      return r.rows.map(pgToRun);
    });
  }

  listRecentRuns(
    perWorkflow: number,
    workflows?: readonly string[],
  ): Promise<Map<string, RunRecord[]>> {
    let names: string[] | undefined;
    try {
      checkRecentRunsArgs(perWorkflow, workflows);
      names = workflows?.map(encText);
    } catch (err) {
      // Our E_VALIDATION, or encText's E_STORE for an unpaired surrogate.
      return Promise.reject(unserializable("the workflow names", err));
    }
    if (names?.length === 0)
      return this.read(() => Promise.resolve(new Map<string, RunRecord[]>()));
    return this.read(async () => {
      const r =
        names === undefined
          ? await this.query<PgRunRow>("recent_runs", PG_SQL.recentRuns, [perWorkflow])
          : await this.query<PgRunRow>("recent_runs_of", PG_SQL.recentRunsOf, [perWorkflow, names]);
      return groupByWorkflow(r.rows.map(pgToRun));
    });
  }

  listAttempts(runId: string, taskId: string): Promise<AttemptRecord[]> {
    return this.read(async () => {
      const r = await this.query<PgAttemptRow>("list_attempts", PG_SQL.listAttempts, [
        encText(runId),
        encText(taskId),
      ]);
      return r.rows.map(pgToAttempt);
    });
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      await this.writes.close();
      await this.pool.end().catch(() => undefined);
    })();
    return this.closing;
  }

  private write<T>(w: PgWrite<T>): Promise<T> {
    if (this.closed) return Promise.reject(pgClosedError(this.where));
    return this.writes.enqueue(w);
  }

  private patch(
    table: "runs" | "task_states",
    columns: readonly PgColumn[],
    patch: object,
    key: string[],
    what: () => string,
  ): Promise<void> {
    const fields = patch as Record<string, unknown>;
    const values: PgValue[] = [];
    const set: string[] = [];
    let mask = 0;
    try {
      columns.forEach(([name, column, encode], bit) => {
        const value = fields[name];
        if (value === undefined) return;
        values.push((encode as (v: unknown) => PgValue)(value));
        set.push(`${column} = $${values.length}`);
        mask |= 1 << bit;
      });
    } catch (err) {
      return Promise.reject(unserializable(what(), err));
    }
    const n = values.length;
    try {
      values.push(...key.map(encText));
    } catch (err) {
      return Promise.reject(unserializable(what(), err));
    }
    const cond = table === "runs" ? `id = $${n + 1}` : `run_id = $${n + 1} AND task_id = $${n + 2}`;
    // An empty patch still reports a missing row, as a no-op UPDATE would not.
    const text =
      set.length > 0
        ? `UPDATE ${table} SET ${set.join(", ")} WHERE ${cond}`
        : `SELECT 1 FROM ${table} WHERE ${cond}`;
    return this.write({
      statements: [{ name: `patch_${table}_${mask}`, text, values }],
      result: ([r]) => {
        if ((r?.rowCount ?? 0) === 0) throw notFound(what());
      },
      failure: (err) => this.failure(`update ${what()}`, err),
    });
  }

  /** Runs a read once every write made before it has settled, so it sees them. */
  private async read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw pgClosedError(this.where);
    await this.writes.settled();
    try {
      return await fn();
    } catch (err) {
      throw pgReadError(this.where, err);
    }
  }

  private query<R extends pg.QueryResultRow>(
    name: string,
    text: string,
    values: PgValue[],
  ): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>({ name, text, values });
  }

  private failure(action: string, err: unknown): UpdraftError {
    return new UpdraftError(
      ErrorCodes.STORE,
      `Could not ${action} in the database at ${this.where}: ${
        err instanceof Error ? err.message : String(err)
      }${sqlState(err) === undefined ? "" : ` (${sqlState(err)})`}. Nothing of it was written.`,
      { cause: err },
    );
  }
}
