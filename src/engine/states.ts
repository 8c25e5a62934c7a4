/** Facts about task and run states shared by the engine's modules. */
import type { TaskState } from "../store/types.js";

const TERMINAL: ReadonlySet<TaskState> = new Set([
  "succeeded",
  "failed",
  "upstream_failed",
  "skipped",
  "cancelled",
]);

/** True when a task in this state will not change again in this run. */
export function isTerminal(state: TaskState): boolean {
  return TERMINAL.has(state);
}

/** True for the states that count as "failed" for trigger rules (Airflow counts upstream_failed). */
export function isFailedLike(state: TaskState): boolean {
  return state === "failed" || state === "upstream_failed" || state === "cancelled";
}
