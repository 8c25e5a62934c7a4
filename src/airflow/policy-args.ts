/**
 * Task policy fields (`retries`, `retryDelay`, `timeout`, `pool`, `when`, ...) as
 * Airflow BaseOperator arguments, for `default_args` and for per-task overrides.
 */
import { parseDuration } from "../spec/duration.js";
import type { TaskPolicy } from "../spec/types.js";
import { DEFAULT_RETRY_DELAY_MS, DEFAULT_RETRY_MAX_DELAY_MS } from "../engine/retry-policy.js";
import { call, kw, raw, type PyArg, type PyNode } from "./py-layout.js";
import { pyNumber, pyString } from "./py-literal.js";

/** `datetime.timedelta(...)` for a duration in milliseconds (whole seconds when exact). */
export function timedelta(ms: number): PyNode {
  const arg =
    ms % 1000 === 0
      ? kw("seconds", raw(pyNumber(ms / 1000)))
      : kw("milliseconds", raw(pyNumber(ms)));
  return call("datetime.timedelta", [arg]);
}

/** Updraft's `default` pool is Airflow's `default_pool`, which operators use anyway. */
const DEFAULT_POOL = "default";

/**
 * The Airflow arguments for the policy fields set in `policy`, in a fixed order.
 * With `isDefaults`, the engine's own defaults that differ from Airflow's are made
 * explicit (a 10 s retry delay where Airflow waits 5 min), so a workflow behaves the
 * same on both. `inherited` is the workflow's defaults, consulted for a task that
 * switches on exponential backoff without its own cap.
 */
export function policyArgs(
  policy: TaskPolicy,
  isDefaults: boolean,
  inherited: TaskPolicy = {},
): PyArg[] {
  const args: PyArg[] = [];
  if (policy.retries !== undefined) args.push(kw("retries", raw(pyNumber(policy.retries))));
  if (policy.retryDelay !== undefined) {
    args.push(kw("retry_delay", timedelta(parseDuration(policy.retryDelay))));
  } else if (isDefaults) {
    args.push(kw("retry_delay", timedelta(DEFAULT_RETRY_DELAY_MS)));
  }
  if (policy.retryBackoff !== undefined) {
    const exponential = policy.retryBackoff === "exponential";
    args.push(kw("retry_exponential_backoff", raw(exponential ? "True" : "False")));
    // Airflow's backoff has no cap unless told; the engine caps it at one day.
    if (
      exponential &&
      policy.retryMaxDelay === undefined &&
      inherited.retryMaxDelay === undefined
    ) {
      args.push(kw("max_retry_delay", timedelta(DEFAULT_RETRY_MAX_DELAY_MS)));
    }
  }
  if (policy.retryMaxDelay !== undefined) {
    args.push(kw("max_retry_delay", timedelta(parseDuration(policy.retryMaxDelay))));
  }
  if (policy.timeout !== undefined) {
    args.push(kw("execution_timeout", timedelta(parseDuration(policy.timeout))));
  }
  if (policy.pool !== undefined && policy.pool !== DEFAULT_POOL) {
    args.push(kw("pool", raw(pyString(policy.pool))));
  }
  if (policy.when !== undefined && policy.when !== "all_success") {
    // Updraft's trigger rules carry Airflow's names and meanings.
    args.push(kw("trigger_rule", raw(pyString(policy.when))));
  }
  return args;
}

/** `default_args` as `[key, node]` pairs (same content as {@link policyArgs}). */
export function defaultArgsEntries(defaults: TaskPolicy): [string, PyNode][] {
  return policyArgs(defaults, true).map((a) => [a.name ?? "", a.value]);
}
