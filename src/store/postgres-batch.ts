/**
 * The write path of the PostgreSQL store. Writes are queued and applied in call order,
 * batched into one transaction: the first batch starts at the end of the event-loop turn
 * (as in the SQLite store), and while a batch is in flight the next one gathers every
 * write made meanwhile (group commit). A batch is pipelined on one connection (BEGIN, each
 * write's statements, COMMIT sent at once: one round trip, whatever its size).
 *
 * A failing statement aborts the whole transaction, but a failed write must fail alone
 * (as it does on SQLite). So when a statement fails, the batch is sent again without the
 * write that failed: its effects were rolled back with the transaction, and the writes
 * after it run on exactly the state they would have seen. After a few such passes the
 * batch is applied write by write under savepoints, so a batch full of failing writes
 * costs a round trip per write instead of a pass per failure.
 */
import pg from "pg";
import type { UpdraftError } from "../spec/errors.js";
import {
  isStatementError,
  isTransient,
  pgClosedError,
  pgOpenError,
  pgWriteError,
  sqlState,
} from "./postgres-errors.js";
import type { PgValue } from "./postgres-rows.js";

/** One statement; a `name` makes it prepared once per connection. */
export interface PgStatement {
  name?: string;
  text: string;
  values: PgValue[];
}

/** A write: its statements and what their results mean. */
export interface PgWrite<T> {
  statements: PgStatement[];
  /** Keys of transaction advisory locks the write needs before any statement of the batch. */
  locks?: string[];
  /** The write's value from its statements' results; throws (e.g. E_NOT_FOUND) to fail it alone. */
  result: (results: pg.QueryResult[]) => T;
  /** The error reported when one of the write's statements fails. */
  failure: (err: unknown) => UpdraftError;
}

interface Entry {
  write: PgWrite<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type PassOutcome =
  | { kind: "committed"; results: pg.QueryResult[][] }
  | { kind: "write-failed"; index: number; error: unknown }
  | { kind: "batch-failed"; error: unknown };

/** Exclusion passes before a batch falls back to savepoints. */
const MAX_PASSES = 4;
/** Whole-batch attempts after a deadlock or serialization failure. */
const MAX_TRANSIENT_RETRIES = 3;

/** The ordered, batched writer of a PostgreSQL store. */
export class PgWriteQueue {
  private queue: Entry[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private inFlight = false;
  private client: pg.Client | undefined;
  private broken = false;
  private closed = false;
  private lastSettled: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly location: string,
  ) {}

  /** Queues a write; resolves with its result once its batch committed. */
  enqueue<T>(write: PgWrite<T>): Promise<T> {
    if (this.closed) return Promise.reject(pgClosedError(this.location));
    const promise = new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
    });
    // Writes settle in order, so the last one settling means every earlier one has.
    this.lastSettled = promise.then(
      () => undefined,
      () => undefined,
    );
    if (!this.inFlight) this.scheduled ??= setImmediate(this.startSoon);
    return promise;
  }

  /** Resolves once every write queued so far has settled; starts the queued batch now. */
  settled(): Promise<void> {
    if (!this.inFlight) this.start();
    return this.lastSettled;
  }

  /** Waits for every queued write, then closes the connection; later writes are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) await client.end().catch(() => undefined);
  }

  private readonly startSoon = (): void => {
    this.scheduled = undefined;
    this.start();
  };

  private start(): void {
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.inFlight = true;
    void this.apply(batch).finally(() => {
      this.inFlight = false;
      this.start();
    });
  }

  /** Applies a batch; settles every entry and never rejects. */
  private async apply(batch: Entry[]): Promise<void> {
    let active = batch;
    let transient = 0;
    for (let pass = 0; active.length > 0; pass++) {
      let client: pg.Client;
      try {
        client = await this.connect();
      } catch (err) {
        const error = pgOpenError(this.location, err);
        for (const e of active) e.reject(error);
        return;
      }
      if (pass >= MAX_PASSES) return this.applyEach(client, active);
      const outcome = await this.pipelined(client, active);
      if (outcome.kind === "committed") {
        active.forEach((e, i) => settle(e, outcome.results[i]!));
        return;
      }
      if (isTransient(outcome.error) && transient++ < MAX_TRANSIENT_RETRIES) continue;
      if (outcome.kind === "batch-failed" || !isStatementError(outcome.error)) {
        this.failAll(active, outcome.error);
        return;
      }
      const failed = active[outcome.index]!;
      failed.reject(failed.write.failure(outcome.error));
      active = active.filter((_, i) => i !== outcome.index);
    }
  }

  /** One pipelined pass: BEGIN, locks, every statement, COMMIT; reports the first failure. */
  private async pipelined(client: pg.Client, entries: Entry[]): Promise<PassOutcome> {
    const sent: Promise<pg.QueryResult>[] = [];
    const owner: number[] = [];
    const send = (q: PgStatement | string, index: number) => {
      const p = typeof q === "string" ? client.query(q) : client.query(q);
      // Every promise is awaited below; this keeps a rejection from counting as unhandled meanwhile.
      p.catch(() => undefined);
      sent.push(p);
      owner.push(index);
    };
    send("BEGIN", -1);
    const locks = lockKeys(entries);
    if (locks.length > 0) send({ name: "lock_workflows", text: LOCK_SQL, values: [locks] }, -1);
    entries.forEach((e, i) => {
      for (const s of e.write.statements) send(s, i);
    });
    send("COMMIT", -1);
    const settledAll = await Promise.allSettled(sent);
    const results: pg.QueryResult[][] = entries.map(() => []);
    for (let k = 0; k < settledAll.length; k++) {
      const r = settledAll[k]!;
      const index = owner[k]!;
      if (r.status === "rejected") {
        // Statements after the first failure only report the aborted transaction.
        if (sqlState(r.reason) === "25P02") continue;
        return index === -1
          ? { kind: "batch-failed", error: r.reason }
          : { kind: "write-failed", index, error: r.reason };
      }
      if (index >= 0) results[index]!.push(r.value);
    }
    const commit = settledAll.at(-1);
    if (commit?.status === "fulfilled" && commit.value.command !== "COMMIT")
      return { kind: "batch-failed", error: new Error(`COMMIT answered ${commit.value.command}`) };
    return { kind: "committed", results };
  }

  /** The slow path: one write at a time, each under a savepoint, in one transaction. */
  private async applyEach(client: pg.Client, entries: Entry[]): Promise<void> {
    const outcomes: ({ ok: pg.QueryResult[] } | { error: unknown })[] = [];
    try {
      await client.query("BEGIN");
      const locks = lockKeys(entries);
      if (locks.length > 0) await client.query(LOCK_SQL, [locks]);
      for (const e of entries) {
        await client.query("SAVEPOINT updraft_write");
        try {
          const ok: pg.QueryResult[] = [];
          for (const s of e.write.statements) ok.push(await client.query(s));
          await client.query("RELEASE SAVEPOINT updraft_write");
          outcomes.push({ ok });
        } catch (err) {
          if (!isStatementError(err)) throw err;
          await client.query("ROLLBACK TO SAVEPOINT updraft_write");
          outcomes.push({ error: err });
        }
      }
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      this.failAll(entries, err);
      return;
    }
    entries.forEach((e, i) => {
      const o = outcomes[i]!;
      if ("ok" in o) settle(e, o.ok);
      else e.reject(e.write.failure(o.error));
    });
  }

  private failAll(entries: Entry[], err: unknown): void {
    // The connection may be in any state after a driver-level failure: start afresh.
    if (!isStatementError(err)) this.discard();
    const error = pgWriteError(this.location, entries.length, err);
    for (const e of entries) e.reject(error);
  }

  private async connect(): Promise<pg.Client> {
    if (this.client !== undefined && !this.broken) return this.client;
    this.discard();
    const client = new pg.Client({ ...this.config, pipeline: true });
    // A dead idle connection reports here; the next batch reconnects.
    client.on("error", () => {
      if (this.client === client) this.broken = true;
    });
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
    this.broken = false;
    return client;
  }

  private discard(): void {
    const old = this.client;
    this.client = undefined;
    this.broken = false;
    if (old !== undefined) void old.end().catch(() => undefined);
  }
}

// Locks are taken in array order, and the keys are sorted, so two servers saving the same
// workflows at once wait for each other instead of deadlocking.
const LOCK_SQL = "SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS u(k)";

function lockKeys(entries: Entry[]): string[] {
  const keys = [...new Set(entries.flatMap((e) => e.write.locks ?? []))].map(BigInt);
  return keys.sort((a, b) => (a < b ? -1 : 1)).map(String);
}

function settle(e: Entry, results: pg.QueryResult[]): void {
  try {
    e.resolve(e.write.result(results));
  } catch (err) {
    e.reject(err);
  }
}
