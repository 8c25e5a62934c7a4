/**
 * Backfill: one run per schedule interval whose start lies in a date range, with the
 * interval's start as `run.logical_date`, as Airflow's backfill does. Intervals that
 * already have a succeeded run are skipped unless `rerun` is set, so a backfill that
 * stopped half-way can simply be started again.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { JsonObject, Workflow } from "../spec/types.js";
import type { Store } from "../store/types.js";
import type { Engine, RunHandle } from "./engine.js";
import { Schedule, type ScheduleInterval } from "./schedule.js";

/** Most runs one backfill creates. */
export const MAX_BACKFILL_RUNS = 10_000;

/** What to backfill. */
export interface BackfillInput {
  workflow: Workflow;
  version: number;
  params: JsonObject;
  baseDir: string;
  /** First logical date (inclusive). */
  from: Date;
  /** Last logical date (inclusive). */
  to: Date;
  /** Run intervals that already succeeded again. */
  rerun?: boolean;
  /** Runs of the backfill at once; default the workflow's `maxActiveRuns`, else 16 (Airflow's default). */
  maxActiveRuns?: number;
}

/** Backfill runs at once when neither the caller nor the workflow says. */
export const DEFAULT_BACKFILL_ACTIVE_RUNS = 16;

/** The planned intervals: those to run and those skipped because they already succeeded. */
export interface BackfillPlan {
  run: ScheduleInterval[];
  skipped: ScheduleInterval[];
}

/** Works out which intervals a backfill runs; throws E_VALIDATION for an unusable range. */
export async function planBackfill(store: Store, input: BackfillInput): Promise<BackfillPlan> {
  const { workflow } = input;
  if (workflow.schedule === undefined) {
    throw new UpdraftError(
      ErrorCodes.VALIDATION,
      `workflow ${workflow.name} has no schedule; add \`schedule:\` (cron or @daily, ...) to backfill it`,
    );
  }
  if (input.from.getTime() > input.to.getTime()) {
    throw new UpdraftError(
      ErrorCodes.VALIDATION,
      `the backfill range ends (${input.to.toISOString()}) before it starts (${input.from.toISOString()})`,
    );
  }
  const schedule = new Schedule(workflow.schedule, workflow.timezone ?? "UTC");
  const intervals = schedule.intervalsBetween(input.from, input.to, MAX_BACKFILL_RUNS);
  if (input.rerun) return { run: intervals, skipped: [] };
  const done = new Set(
    (await store.listRuns({ workflow: workflow.name, states: ["succeeded"] })).map((r) =>
      Date.parse(r.logicalDate),
    ),
  );
  const plan: BackfillPlan = { run: [], skipped: [] };
  for (const i of intervals) (done.has(i.start.getTime()) ? plan.skipped : plan.run).push(i);
  return plan;
}

/** Starts the planned runs on the engine (which holds them to the workflow's max active runs). */
export async function startBackfill(
  engine: Engine,
  input: BackfillInput,
  plan: BackfillPlan,
): Promise<RunHandle[]> {
  const handles: RunHandle[] = [];
  const workflow: Workflow = {
    ...input.workflow,
    maxActiveRuns:
      input.maxActiveRuns ?? input.workflow.maxActiveRuns ?? DEFAULT_BACKFILL_ACTIVE_RUNS,
  };
  for (const interval of plan.run) {
    handles.push(
      await engine.startRun({
        workflow,
        version: input.version,
        params: input.params,
        baseDir: input.baseDir,
        trigger: "backfill",
        logicalDate: interval.start.toISOString(),
      }),
    );
  }
  return handles;
}
