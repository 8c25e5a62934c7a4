/**
 * Turns a validated workflow's tasks into what the engine needs at run time: defaults
 * merged, durations in milliseconds, and the graph in both directions.
 */
import { parseDuration } from "../spec/duration.js";
import { effectiveTask } from "../spec/effective-task.js";
import type { Task, Workflow } from "../spec/types.js";
import {
  DEFAULT_RETRY_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  type RetryPolicy,
} from "./retry-policy.js";

/** A task ready for the engine. */
export interface PreparedTask {
  id: string;
  /** The task with `defaults` merged in; expressions still unresolved. */
  task: Task;
  /** Direct upstream ids. */
  needs: string[];
  /** Direct downstream ids. */
  children: string[];
  timeoutMs: number | undefined;
  retry: RetryPolicy;
}

/** Prepares every task of a workflow, in declaration order. */
export function prepareTasks(workflow: Workflow): Map<string, PreparedTask> {
  const out = new Map<string, PreparedTask>();
  for (const id of Object.keys(workflow.tasks)) {
    const task = effectiveTask(workflow, id);
    out.set(id, {
      id,
      task,
      needs: [...task.needs],
      children: [],
      timeoutMs: task.timeout === undefined ? undefined : parseDuration(task.timeout),
      retry: {
        retries: task.retries ?? 0,
        delayMs:
          task.retryDelay === undefined ? DEFAULT_RETRY_DELAY_MS : parseDuration(task.retryDelay),
        backoff: task.retryBackoff ?? "fixed",
        maxDelayMs:
          task.retryMaxDelay === undefined
            ? DEFAULT_RETRY_MAX_DELAY_MS
            : parseDuration(task.retryMaxDelay),
      },
    });
  }
  for (const t of out.values()) {
    for (const up of t.needs) out.get(up)?.children.push(t.id);
  }
  return out;
}
