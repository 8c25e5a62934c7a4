/**
 * The embedded store: one SQLite file in the data directory. The engine writes every
 * state change before acting on it, so writes are the hot path: they are queued and
 * committed together, in one transaction, at the end of the current event-loop turn.
 * A fan-out that updates 2,000 tasks in one turn costs one commit, and a lone awaited
 * write costs one commit plus one loop turn.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { JsonObject, JsonValue } from "../spec/types.js";
import { migrate } from "./migrations.js";
import { messageOf, notFound, openError, sqliteCode, unserializable } from "./store-errors.js";
import { canonicalJson } from "./canonical-json.js";
import { checkRecentRunsArgs, groupByWorkflow } from "./recent-runs.js";
import {
  RUN_COLUMNS,
  TASK_COLUMNS,
  attemptToRow,
  prepareStatements,
  runToRow,
  taskToRow,
  toAttempt,
  toRun,
  toTask,
  toWorkflow,
  type RunRow,
  type Column,
  type Sql,
  type WorkflowRow,
} from "./sqlite-rows.js";
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

/** Options of `SqliteStore.open`. */
export interface SqliteStoreOptions {
  /** How long a write waits for another process's lock before failing (default 5,000 ms). */
  busyTimeoutMs?: number;
  /** Time source for `createdAt` of workflow versions, in ms since the epoch (default `Date.now`). */
  now?: () => number;
}

type Stmt = Database.Statement<Sql[]>;

/** A queued write: `run` executes it inside the batch transaction. */
interface PendingWrite {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The SQLite implementation of `Store`. */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly location: string;
  private readonly now: () => number;
  private queue: PendingWrite[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private closed = false;
  /** UPDATE statements keyed by the set of patched columns (at most 2^9 per table). */
  private readonly patchStatements = new Map<string, Stmt>();
  private readonly listStatements = new Map<string, Stmt>();
  private readonly s: ReturnType<typeof prepareStatements>;
  private readonly insertRun: (run: Sql[], tasks: Sql[][]) => void;

  private constructor(db: Database.Database, location: string, options: SqliteStoreOptions) {
    this.db = db;
    this.location = location;
    this.now = options.now ?? Date.now;
    this.s = prepareStatements(db);
    // Nested inside the batch transaction this becomes a savepoint, so a failed
    // createRun leaves neither the run nor any of its tasks behind.
    this.insertRun = db.transaction((run: Sql[], tasks: Sql[][]) => {
      this.s.insertRun.run(...run);
      for (const t of tasks) this.s.insertTask.run(...t);
    });
  }

  /** Opens (creating it and its parent directory if needed) and migrates the database at `path`; `:memory:` for tests. */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    const memory = path === ":memory:";
    const location = memory ? "(in memory)" : resolve(path);
    let db: Database.Database | undefined;
    try {
      if (!memory) mkdirSync(dirname(location), { recursive: true });
      db = new Database(memory ? path : location);
      // busy_timeout first, so switching to WAL waits for another process's lock.
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      // WAL + synchronous=NORMAL: commits do not fsync (only checkpoints do); a power
      // cut can lose the last commits but never corrupts the database.
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      migrate(db);
      return new SqliteStore(db, location, options);
    } catch (err) {
      try {
        db?.close();
      } catch {
        // The open error is the one worth reporting.
      }
      if (err instanceof UpdraftError) throw err;
      throw openError(location, err);
    }
  }

  /** Where the database lives (an absolute path, or `(in memory)`). */
  get path(): string {
    return this.location;
  }

  saveWorkflow(
    name: string,
    document: JsonObject,
    source?: string,
    createdBy?: string,
  ): Promise<WorkflowVersionRecord> {
    let json: string;
    let canonical: string;
    try {
      json = JSON.stringify(document);
      canonical = canonicalJson(document);
    } catch (err) {
      return Promise.reject(unserializable(`workflow ${name}`, err));
    }
    return this.enqueue((): WorkflowVersionRecord => {
      const latest = this.s.latestWorkflow.get(name);
      if (
        latest !== undefined &&
        canonicalJson(JSON.parse(latest.document) as JsonValue) === canonical
      )
        return toWorkflow(latest);
      const row: WorkflowRow = {
        name,
        version: (latest?.version ?? 0) + 1,
        document: json,
        source: source ?? null,
        created_by: createdBy ?? null,
        created_at: new Date(this.now()).toISOString(),
      };
      this.s.insertWorkflow.run(
        row.name,
        row.version,
        row.document,
        row.source,
        row.created_by,
        row.created_at,
      );
      return toWorkflow(row);
    });
  }

  getWorkflow(name: string, version?: number): Promise<WorkflowVersionRecord | undefined> {
    return this.read(() => {
      const row =
        version === undefined
          ? this.s.latestWorkflow.get(name)
          : this.s.workflowVersion.get(name, version);
      return row && toWorkflow(row);
    });
  }

  listVersions(name: string, limit?: number): Promise<WorkflowVersionRecord[]> {
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0))
      return Promise.reject(badLimit(limit));
    // SQLite: a negative LIMIT means no limit.
    return this.read(() => this.s.workflowVersions.all(name, limit ?? -1).map(toWorkflow));
  }

  listWorkflows(): Promise<WorkflowVersionRecord[]> {
    return this.read(() => this.s.latestWorkflows.all().map(toWorkflow));
  }

  setPaused(name: string, paused: boolean, at: string): Promise<void> {
    return this.enqueue(() => {
      this.s.setPaused.run(name, paused ? 1 : 0, at);
    });
  }

  setDeleted(name: string, at: string | null): Promise<void> {
    const now = at ?? new Date(this.now()).toISOString();
    return this.enqueue(() => {
      this.s.setDeleted.run(name, now, at);
    });
  }

  setOwner(name: string, ownerId: string | null, at: string): Promise<void> {
    return this.enqueue(() => {
      this.s.setOwner.run(name, at, ownerId);
    });
  }

  listWorkflowStates(): Promise<WorkflowStateRecord[]> {
    return this.read(() =>
      this.s.listStates.all().map((r) => ({
        name: r.name,
        paused: r.paused !== 0,
        updatedAt: r.updated_at,
        deletedAt: r.deleted_at,
        ownerId: r.owner_id,
      })),
    );
  }

  latestLogicalDate(workflow: string, trigger: string): Promise<string | undefined> {
    return this.read(() => this.s.latestLogical.get(workflow, trigger)?.logical_date);
  }

  createRun(run: RunRecord, tasks: TaskRecord[]): Promise<void> {
    let runValues: Sql[];
    let taskValues: Sql[][];
    try {
      const stray = tasks.find((t) => t.runId !== run.id);
      if (stray !== undefined)
        throw new UpdraftError(
          ErrorCodes.INTERNAL,
          `Task ${stray.taskId} has runId ${stray.runId} but is created with run ${run.id}.`,
        );
      runValues = runToRow(run);
      taskValues = tasks.map((t) => taskToRow(run.id, t));
    } catch (err) {
      return Promise.reject(unserializable(`run ${run.id}`, err));
    }
    return this.enqueue(() => {
      try {
        this.insertRun(runValues, taskValues);
      } catch (err) {
        if (sqliteCode(err) === "SQLITE_CONSTRAINT_PRIMARYKEY")
          throw new UpdraftError(
            ErrorCodes.STORE,
            `Cannot create run ${run.id}: a run with this id already exists, or a task id is ` +
              `listed twice. Nothing was written.`,
            { cause: err },
          );
        throw err;
      }
    });
  }

  updateRun(id: string, patch: Partial<Omit<RunRecord, "id">>): Promise<void> {
    return this.patch("runs", RUN_COLUMNS, patch, [id], `run ${id}`);
  }

  updateTask(
    runId: string,
    taskId: string,
    patch: Partial<Omit<TaskRecord, "runId" | "taskId">>,
  ): Promise<void> {
    return this.patch("task_states", TASK_COLUMNS, patch, [runId, taskId], () => {
      return `task ${taskId} of run ${runId}`;
    });
  }

  putAttempt(a: AttemptRecord): Promise<void> {
    let values: Sql[];
    try {
      values = attemptToRow(a);
    } catch (err) {
      return Promise.reject(unserializable(`attempt ${a.attempt} of task ${a.taskId}`, err));
    }
    return this.enqueue(() => {
      try {
        this.s.upsertAttempt.run(...values);
      } catch (err) {
        if (sqliteCode(err) === "SQLITE_CONSTRAINT_FOREIGNKEY")
          throw notFound(`task ${a.taskId} of run ${a.runId}`, err);
        throw err;
      }
    });
  }

  getRun(id: string): Promise<RunWithTasks | undefined> {
    return this.read(() => {
      const run = this.s.getRun.get(id);
      if (run === undefined) return undefined;
      return { ...toRun(run), tasks: this.s.getTasks.all(id).map(toTask) };
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
    const params: Sql[] = [];
    if (workflow !== undefined) params.push(workflow);
    if (states !== undefined) params.push(...states);
    params.push(limit ?? -1); // SQLite: a negative LIMIT means no limit.
    return this.read(() => {
      const key = `${workflow === undefined ? "" : "w"}:${states?.length ?? -1}`;
      let stmt = this.listStatements.get(key);
      if (stmt === undefined) {
        const where: string[] = [];
        if (workflow !== undefined) where.push("workflow = ?");
        if (states !== undefined)
          where.push(
            states.length === 0 ? "0 = 1" : `state IN (${states.map(() => "?").join(", ")})`,
          );
        stmt = this.db.prepare<Sql[]>(
          `SELECT * FROM runs ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
           ORDER BY created_at DESC, id DESC LIMIT ?`,
        );
        this.listStatements.set(key, stmt);
      }
      return (stmt.all(...params) as RunRow[]).map(toRun);
    });
  }

  listRecentRuns(
    perWorkflow: number,
    workflows?: readonly string[],
  ): Promise<Map<string, RunRecord[]>> {
    try {
      checkRecentRunsArgs(perWorkflow, workflows);
    } catch (err) {
      return Promise.reject(unserializable("the workflow names", err));
    }
    if (workflows?.length === 0) return this.read(() => new Map<string, RunRecord[]>());
    const names = workflows && JSON.stringify(workflows);
    return this.read(() => {
      const rows =
        names === undefined
          ? this.s.recentRuns.all(perWorkflow)
          : this.s.recentRunsOf.all(names, perWorkflow);
      return groupByWorkflow(rows.map(toRun));
    });
  }

  listAttempts(runId: string, taskId: string): Promise<AttemptRecord[]> {
    return this.read(() => this.s.listAttempts.all(runId, taskId).map(toAttempt));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flush();
    this.closed = true;
    try {
      this.db.close();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(
        new UpdraftError(
          ErrorCodes.STORE,
          `Could not close the database ${this.location}: ${messageOf(err)}.`,
          { cause: err },
        ),
      );
    }
  }

  /** Commits every queued write now instead of at the end of the turn. */
  flush(): void {
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const results: unknown[] = [];
    const failed: (UpdraftError | undefined)[] = [];
    try {
      this.s.begin.run();
    } catch (err) {
      this.failBatch(batch, err);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      try {
        results[i] = batch[i]!.run();
      } catch (err) {
        // A failed statement is rolled back on its own and the batch goes on, unless
        // SQLite gave up the whole transaction (disk full, I/O error).
        if (!this.db.inTransaction) {
          this.failBatch(batch, err);
          return;
        }
        failed[i] = err instanceof UpdraftError ? err : this.writeError(err, 1);
      }
    }
    try {
      this.s.commit.run();
    } catch (err) {
      if (this.db.inTransaction) {
        try {
          this.s.rollback.run();
        } catch {
          // Reported below through the commit error.
        }
      }
      this.failBatch(batch, err);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i]!;
      const error = failed[i];
      if (error === undefined) w.resolve(results[i]);
      else w.reject(error);
    }
  }

  private readonly flushSoon = (): void => {
    this.scheduled = undefined;
    this.flush();
  };

  /** Queues a write; setImmediate (not a microtask) so writes issued across awaits within one turn still share a commit. */
  private enqueue<T>(run: () => T): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.scheduled ??= setImmediate(this.flushSoon);
    });
  }

  private patch(
    table: string,
    columns: readonly Column[],
    patch: object,
    where: string[],
    what: string | (() => string),
  ): Promise<void> {
    const fields = patch as Record<string, unknown>;
    const values: Sql[] = [];
    const set: string[] = [];
    try {
      for (const [name, column, encode] of columns) {
        const value = fields[name];
        if (value === undefined) continue;
        set.push(`${column} = ?`);
        values.push((encode as (v: unknown) => Sql)(value));
      }
    } catch (err) {
      return Promise.reject(unserializable(typeof what === "string" ? what : what(), err));
    }
    values.push(...where);
    return this.enqueue(() => {
      const key = `${table}:${set.join(",")}`;
      let stmt = this.patchStatements.get(key);
      if (stmt === undefined) {
        const cond = table === "runs" ? "id = ?" : "run_id = ? AND task_id = ?";
        // An empty patch still reports a missing row, as a no-op UPDATE would not.
        stmt = this.db.prepare<Sql[]>(
          set.length > 0
            ? `UPDATE ${table} SET ${set.join(", ")} WHERE ${cond}`
            : `SELECT 1 FROM ${table} WHERE ${cond}`,
        );
        this.patchStatements.set(key, stmt);
      }
      const found = stmt.reader
        ? stmt.get(...values) !== undefined
        : stmt.run(...values).changes > 0;
      if (!found) throw notFound(typeof what === "string" ? what : what());
    });
  }

  /** Runs a read after committing what this turn queued, so reads see earlier writes. */
  private read<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError());
    this.flush();
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(
        new UpdraftError(
          ErrorCodes.STORE,
          `Could not read from the database ${this.location}: ${messageOf(err)}.`,
          { cause: err },
        ),
      );
    }
  }

  private failBatch(batch: PendingWrite[], err: unknown): void {
    const error = err instanceof UpdraftError ? err : this.writeError(err, batch.length);
    for (const w of batch) w.reject(error);
  }

  private writeError(err: unknown, count: number): UpdraftError {
    return new UpdraftError(
      ErrorCodes.STORE,
      `Could not write ${count === 1 ? "a change" : `${count} changes`} to the database ` +
        `${this.location}: ${messageOf(err)}. Check free disk space and file permissions, and ` +
        `that no other program holds the database locked.`,
      { cause: err },
    );
  }

  private closedError(): UpdraftError {
    return new UpdraftError(
      ErrorCodes.STORE,
      `The store for ${this.location} is closed; open it again before using it.`,
    );
  }
}

function badLimit(limit: unknown): UpdraftError {
  return new UpdraftError(
    ErrorCodes.STORE,
    `Cannot list versions: limit must be a non-negative integer, got ${String(limit)}.`,
  );
}
