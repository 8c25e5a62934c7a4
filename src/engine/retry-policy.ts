/** How long to wait before the next attempt of a failed task. */
import type { RetryBackoff } from "../spec/types.js";

/** Retry settings of a task with durations already parsed to milliseconds. */
export interface RetryPolicy {
  retries: number;
  delayMs: number;
  backoff: RetryBackoff;
  maxDelayMs: number;
}

/** Default delay between attempts when a task sets `retries` but no `retryDelay`. */
export const DEFAULT_RETRY_DELAY_MS = 10_000;
/** Default cap of exponential backoff (Airflow's max_retry_delay is unbounded; one day keeps timers sane). */
export const DEFAULT_RETRY_MAX_DELAY_MS = 24 * 3600_000;

/** Delay before attempt `failedAttempt + 1`; `failedAttempt` counts from 1. */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number): number {
  if (policy.backoff === "fixed") return policy.delayMs;
  // 2^(n-1) growth as Airflow's retry_exponential_backoff; the exponent is capped so it never overflows.
  const factor = 2 ** Math.min(failedAttempt - 1, 40);
  return Math.min(policy.delayMs * factor, policy.maxDelayMs);
}
