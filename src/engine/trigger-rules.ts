/**
 * Trigger rules with Airflow's meanings. A decision can be made before every upstream
 * task has ended (e.g. `all_success` with one failed upstream), as Airflow does, so a
 * doomed branch is marked at once instead of waiting for slow siblings.
 */
import type { TriggerRule } from "../spec/types.js";
import type { TaskState } from "../store/types.js";
import { isFailedLike, isTerminal } from "./states.js";

/** What to do with a task given its upstream states. */
export type TriggerDecision = "wait" | "run" | "skip" | "upstream_failed";

/** Decides whether a task runs, waits, is skipped, or is marked upstream_failed. */
export function decideTrigger(rule: TriggerRule, upstream: readonly TaskState[]): TriggerDecision {
  const total = upstream.length;
  if (total === 0) return "run";
  let succeeded = 0;
  let failed = 0;
  let skipped = 0;
  let done = 0;
  for (const s of upstream) {
    if (!isTerminal(s)) continue;
    done++;
    if (s === "succeeded") succeeded++;
    else if (s === "skipped") skipped++;
    else if (isFailedLike(s)) failed++;
  }
  const allDone = done === total;
  switch (rule) {
    case "all_success":
      if (failed > 0) return "upstream_failed";
      if (skipped > 0) return "skip";
      return allDone ? "run" : "wait";
    case "all_failed":
      if (succeeded > 0 || skipped > 0) return "skip";
      return allDone ? "run" : "wait";
    case "all_done":
      return allDone ? "run" : "wait";
    case "one_success":
      if (succeeded > 0) return "run";
      if (!allDone) return "wait";
      return failed > 0 ? "upstream_failed" : "skip";
    case "one_failed":
      if (failed > 0) return "run";
      return allDone ? "skip" : "wait";
    case "none_failed":
      if (failed > 0) return "upstream_failed";
      return allDone ? "run" : "wait";
  }
}
