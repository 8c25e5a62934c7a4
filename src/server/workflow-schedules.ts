/**
 * The server's schedules: every catalog workflow with a `schedule` is handed to the
 * scheduler unless it is paused. A workflow the store has never seen starts paused, as
 * Airflow's `dags_are_paused_at_creation` does, so loading a directory of workflows
 * never starts work by itself; unpausing is one API call.
 */
import type { Clock } from "../engine/clock.js";
import type { Engine } from "../engine/engine.js";
import type { ScheduleInterval } from "../engine/schedule.js";
import { Scheduler } from "../engine/scheduler.js";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { resolveRunParams } from "../spec/params.js";
import type { Store } from "../store/types.js";
import type { CatalogEntry, WorkflowCatalog } from "./workflow-catalog.js";

/** The trigger recorded on runs the scheduler creates. */
export const SCHEDULE_TRIGGER = "schedule";

/** What the schedules need. */
export interface WorkflowSchedulesDeps {
  engine: Engine;
  store: Store;
  workflows: WorkflowCatalog;
  clock: Clock;
  log: (message: string) => void;
}

/** A workflow's schedule as the API shows it. */
export interface ScheduleStatus {
  paused: boolean;
  /** When the next scheduled run is due (ISO), or null when paused or unscheduled. */
  nextRun: string | null;
}

/** Pause state and scheduling of the catalog's workflows. */
export class WorkflowSchedules {
  private readonly scheduler: Scheduler;
  private readonly paused = new Map<string, boolean>();

  constructor(private readonly deps: WorkflowSchedulesDeps) {
    this.scheduler = new Scheduler({
      clock: deps.clock,
      lastScheduled: (name) => deps.store.latestLogicalDate(name, SCHEDULE_TRIGGER),
      fire: (name, interval) => this.fire(name, interval),
      onError: (name, err) => deps.log(`schedule of ${name}: ${err.message}`),
    });
  }

  /** Reads pause states (recording new workflows as paused) and starts the scheduler. */
  async start(): Promise<void> {
    for (const s of await this.deps.store.listWorkflowStates()) this.paused.set(s.name, s.paused);
    const now = this.iso();
    for (const entry of this.deps.workflows.list()) {
      if (!this.paused.has(entry.workflow.name)) {
        await this.deps.store.setPaused(entry.workflow.name, true, now);
        this.paused.set(entry.workflow.name, true);
      }
    }
    this.scheduler.start();
    for (const entry of this.deps.workflows.list()) await this.sync(entry);
  }

  /** Stops creating runs; resolves once fires in progress are stored. */
  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  /** The schedule status of a workflow. */
  status(name: string): ScheduleStatus {
    const next = this.scheduler.nextDue(name);
    return { paused: this.paused.get(name) ?? true, nextRun: next ? next.toISOString() : null };
  }

  /** Takes a new or changed workflow of the catalog into account (a new one starts paused). */
  async added(name: string): Promise<void> {
    const entry = this.deps.workflows.get(name);
    if (!entry) return;
    if (!this.paused.has(name)) {
      await this.deps.store.setPaused(name, true, this.iso());
      this.paused.set(name, true);
    }
    await this.sync(entry);
  }

  /** Forgets a deleted workflow's schedule. */
  removed(name: string): void {
    this.scheduler.remove(name);
  }

  /** Pauses or unpauses a workflow; unpausing creates the runs it missed per `catchup`. */
  async setPaused(name: string, paused: boolean): Promise<ScheduleStatus> {
    const entry = this.deps.workflows.get(name);
    if (!entry)
      throw new UpdraftError(ErrorCodes.NOT_FOUND, `no workflow named ${JSON.stringify(name)}`);
    await this.deps.store.setPaused(name, paused, this.iso());
    this.paused.set(name, paused);
    await this.sync(entry);
    return this.status(name);
  }

  private async sync(entry: CatalogEntry): Promise<void> {
    const { workflow } = entry;
    if (workflow.schedule === undefined || this.paused.get(workflow.name) !== false) {
      this.scheduler.remove(workflow.name);
      return;
    }
    const first = await this.deps.store.getWorkflow(workflow.name, 1);
    try {
      await this.scheduler.set({
        name: workflow.name,
        schedule: workflow.schedule,
        ...(workflow.timezone !== undefined ? { timezone: workflow.timezone } : {}),
        catchup: workflow.catchup,
        since: first?.createdAt ?? this.iso(),
      });
    } catch (err) {
      this.deps.log(
        `schedule of ${workflow.name}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  // Creates the scheduled run (stored before this resolves, so a restart sees it).
  private async fire(name: string, interval: ScheduleInterval): Promise<void> {
    const entry = this.deps.workflows.get(name);
    if (!entry) return;
    const params = resolveRunParams(entry.workflow.params, {});
    const handle = await this.deps.engine.startRun({
      workflow: entry.workflow,
      version: entry.version,
      params,
      baseDir: entry.baseDir,
      trigger: SCHEDULE_TRIGGER,
      logicalDate: interval.start.toISOString(),
    });
    void handle.finished.then(undefined, (err: unknown) =>
      this.deps.log(`scheduled run ${handle.id} of ${name}: ${String(err)}`),
    );
  }

  private iso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }
}
