/**
 * Fires scheduled runs. One timer for the earliest due workflow (a heap orders the rest),
 * so an idle scheduler with thousands of workflows costs nothing between fires. On `set`
 * it creates the runs a workflow missed while the server was down or the workflow paused:
 * every missed interval with `catchup`, only the latest one without (Airflow's rule).
 * The last scheduled logical date comes from the store, so a restart never fires an
 * interval twice.
 */
import { toUpdraftError, type UpdraftError } from "../spec/errors.js";
import type { Clock } from "./clock.js";
import { DueHeap } from "./due-heap.js";
import { Schedule, type CronCache, type ScheduleInterval } from "./schedule.js";

/** Longest single timer; longer waits re-arm, which also absorbs wall-clock jumps. */
const MAX_TIMER_MS = 60 * 60 * 1000;

/** Most missed runs one catch-up creates; older intervals are left for a backfill. */
export const MAX_CATCHUP_RUNS = 1000;

/** A workflow as the scheduler sees it. */
export interface ScheduledWorkflow {
  name: string;
  schedule: string;
  timezone?: string;
  catchup: boolean;
  /** ISO time the schedule took effect; catch-up never goes before it. */
  since: string;
}

/** What the scheduler needs from the service around it. */
export interface SchedulerDeps {
  clock: Clock;
  /** Logical date (ISO) of the newest scheduled run of a workflow, if it has one. */
  lastScheduled(name: string): Promise<string | undefined>;
  /** Creates (and persists) the run of one interval; resolves once it is stored. */
  fire(name: string, interval: ScheduleInterval): Promise<void>;
  /** A fire or a catch-up failed; the scheduler goes on with the next interval. */
  onError(name: string, err: UpdraftError): void;
}

interface Entry {
  wf: ScheduledWorkflow;
  schedule: Schedule;
  /** Start of the next interval to fire; due at its end. */
  next: ScheduleInterval | null;
  /** Serializes catch-up and fires of one workflow. */
  chain: Promise<void>;
  generation: number;
}

/** Cron scheduler over a set of workflows. */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly heap = new DueHeap();
  private readonly crons: CronCache = new Map();
  private cancelTimer: (() => void) | undefined;
  private timerDue = Infinity;
  private running = false;
  private generation = 0;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Starts firing. Workflows may be set before or after. */
  start(): void {
    this.running = true;
    this.arm();
  }

  /** Stops firing and waits for fires in progress. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerDue = Infinity;
    await Promise.all([...this.entries.values()].map((e) => e.chain));
  }

  /** Names of the scheduled workflows. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The next due time of a workflow's run, if it is scheduled. */
  nextDue(name: string): Date | undefined {
    const due = this.heap.dueOf(name);
    return due === undefined ? undefined : new Date(due);
  }

  /**
   * Adds or replaces a workflow's schedule and creates its missed runs; resolves when
   * they are stored. Throws E_VALIDATION for a bad schedule or time zone.
   */
  async set(wf: ScheduledWorkflow): Promise<void> {
    const schedule = new Schedule(wf.schedule, wf.timezone ?? "UTC", this.crons);
    const previous = this.entries.get(wf.name);
    const entry: Entry = {
      wf,
      schedule,
      next: null,
      chain: previous?.chain ?? Promise.resolve(),
      generation: ++this.generation,
    };
    this.entries.set(wf.name, entry);
    this.heap.delete(wf.name);
    entry.chain = entry.chain.then(() => this.catchUp(entry));
    await entry.chain;
  }

  /** Stops scheduling a workflow (deleted or paused). */
  remove(name: string): void {
    this.entries.delete(name);
    this.heap.delete(name);
    this.arm();
  }

  private async catchUp(entry: Entry): Promise<void> {
    const { wf, schedule } = entry;
    const now = new Date(this.deps.clock.now());
    let last: string | undefined;
    try {
      last = await this.deps.lastScheduled(wf.name);
    } catch (err) {
      this.deps.onError(wf.name, toUpdraftError(err));
    }
    // The first interval not yet run: after the last scheduled one, else from `since`.
    const from = last
      ? new Date(Date.parse(last) + 1)
      : new Date(Math.max(Date.parse(wf.since) || now.getTime(), 0));
    const toFire = schedule.completeSince(from, now, wf.catchup ? MAX_CATCHUP_RUNS : 1);
    for (const interval of toFire) {
      if (!this.isCurrent(entry)) return;
      await this.fireOne(entry, interval);
    }
    if (!this.isCurrent(entry)) return;
    // The interval in progress (started at the last cron time) is due at the next one.
    const start = schedule.previous(now);
    const end = schedule.next(now);
    entry.next = start && end ? { start, end } : null;
    if (entry.next) this.heap.set(wf.name, entry.next.end.getTime());
    this.arm();
  }

  private isCurrent(entry: Entry): boolean {
    return this.entries.get(entry.wf.name)?.generation === entry.generation;
  }

  private async fireOne(entry: Entry, interval: ScheduleInterval): Promise<void> {
    try {
      await this.deps.fire(entry.wf.name, interval);
    } catch (err) {
      this.deps.onError(entry.wf.name, toUpdraftError(err));
    }
  }

  // One timer, at the earliest due time (capped, so clock jumps are noticed).
  private arm(): void {
    if (!this.running) return;
    const top = this.heap.peek();
    const due = top?.due ?? Infinity;
    if (due === this.timerDue && this.cancelTimer) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerDue = due;
    if (due === Infinity) return;
    const wait = Math.min(Math.max(due - this.deps.clock.now(), 0), MAX_TIMER_MS);
    this.cancelTimer = this.deps.clock.setTimer(wait, () => {
      this.cancelTimer = undefined;
      this.timerDue = Infinity;
      this.tick();
    });
  }

  private tick(): void {
    const now = this.deps.clock.now();
    for (let top = this.heap.peek(); top && top.due <= now; top = this.heap.peek()) {
      const entry = this.entries.get(top.key);
      this.heap.delete(top.key);
      if (!entry?.next) continue;
      const interval = entry.next;
      const { schedule } = entry;
      const end = schedule.next(interval.end);
      entry.next = end ? { start: interval.end, end } : null;
      entry.chain = entry.chain.then(async () => {
        if (!this.isCurrent(entry)) return;
        await this.fireOne(entry, interval);
        if (entry.next && this.isCurrent(entry) && this.running) {
          this.heap.set(entry.wf.name, entry.next.end.getTime());
          this.arm();
        }
      });
    }
    this.arm();
  }
}
