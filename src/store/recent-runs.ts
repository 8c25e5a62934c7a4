/**
 * What both stores share for `listRecentRuns`: checking its arguments and grouping the rows
 * of its one query (ordered by workflow, then newest first) into a map per workflow.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { RunRecord } from "./types.js";

/** The most runs per workflow one call may ask for. */
export const MAX_RECENT_RUNS = 100;

/** Throws E_VALIDATION unless `perWorkflow` is an integer in 1..100 and `workflows` holds only strings. */
export function checkRecentRunsArgs(perWorkflow: unknown, workflows: unknown): void {
  if (
    typeof perWorkflow !== "number" ||
    !Number.isInteger(perWorkflow) ||
    perWorkflow < 1 ||
    perWorkflow > MAX_RECENT_RUNS
  )
    throw new UpdraftError(
      ErrorCodes.VALIDATION,
      `Cannot list recent runs: the number of runs per workflow must be a whole number from 1 ` +
        `to ${MAX_RECENT_RUNS}, got ${describe(perWorkflow)}.`,
    );
  if (workflows === undefined) return;
  if (!Array.isArray(workflows))
    throw new UpdraftError(
      ErrorCodes.VALIDATION,
      `Cannot list recent runs: workflows must be a list of names, got ${describe(workflows)}.`,
    );
  const bad = (workflows as unknown[]).findIndex((w) => typeof w !== "string");
  if (bad !== -1)
    throw new UpdraftError(
      ErrorCodes.VALIDATION,
      `Cannot list recent runs: workflow names must be strings, but entry ${bad} is ` +
        `${describe((workflows as unknown[])[bad])}.`,
    );
}

/** Groups runs that arrive ordered by workflow into a map, keeping their order. */
export function groupByWorkflow(runs: readonly RunRecord[]): Map<string, RunRecord[]> {
  const out = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const list = out.get(run.workflow);
    if (list === undefined) out.set(run.workflow, [run]);
    else list.push(run);
  }
  return out;
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "number" || typeof v === "boolean" || v == null) return String(v);
  return Array.isArray(v) ? "a list" : `a ${typeof v}`;
}
