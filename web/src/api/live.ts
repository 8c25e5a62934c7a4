/**
 * The server's live streams as the app reads them: state changes (`GET /events`) and a
 * followed task log (`.../log?follow=1`), parsed from SSE and checked field by field
 * (a stream is data from the network; a malformed event is dropped, not trusted).
 */
import { followSse, type SseEvent } from "./sse-reader.js";
import type { RunState, TaskState } from "./types.js";
import { ApiError } from "./types.js";

/** An error a task ended with. */
export interface TaskErrorInfo {
  code: string;
  message: string;
}

/** A persisted state change of a run or a task (`run` and `task` events). */
export type LiveEvent =
  | { kind: "run"; runId: string; workflow: string; state: RunState; at: string }
  | {
      kind: "task";
      runId: string;
      workflow: string;
      taskId: string;
      state: TaskState;
      attempt: number;
      at: string;
      error: TaskErrorInfo | null;
    };

/** An event of a followed task log. */
export type LogStreamEvent =
  /** A new attempt's log starts (also the first event): what was shown is replaced. */
  | { kind: "attempt"; attempt: number }
  | { kind: "log"; attempt: number; text: string }
  /** The task ended; the stream closes. */
  | { kind: "end"; state: string; attempt: number }
  | { kind: "error"; message: string };

/** Which state changes to receive. */
export interface EventFilter {
  run?: string;
  workflow?: string;
}

/** Callbacks of a followed stream. */
export interface LiveHandlers<E> {
  onEvent: (event: E) => void;
  /** A stream opened; `reconnect` is true after a drop, when state should be re-read. */
  onOpen?: (reconnect: boolean) => void;
  /** The stream dropped and is reopened after `delayMs`. */
  onRetry?: (message: string, delayMs: number) => void;
}

/** Opens one SSE response (with auth), or throws an ApiError. */
export type SseOpener = (
  path: string,
  lastEventId: string | undefined,
  signal: AbortSignal,
) => Promise<Response>;

const RUN_STATES = new Set(["queued", "running", "succeeded", "failed", "cancelled"]);
const TASK_STATES = new Set([
  "pending",
  "queued",
  "running",
  "succeeded",
  "failed",
  "retrying",
  "upstream_failed",
  "skipped",
  "cancelled",
]);

function parse(data: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(data);
    return typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): v is string => typeof v === "string";
const count = (v: unknown): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

function errorInfo(v: unknown): TaskErrorInfo | null {
  if (typeof v !== "object" || v === null) return null;
  const { code, message } = v as Record<string, unknown>;
  return str(code) && str(message) ? { code, message } : null;
}

/** A `run`/`task` event of `GET /events`, or undefined when it is malformed. */
export function parseLiveEvent(e: SseEvent): LiveEvent | undefined {
  const d = parse(e.data);
  if (d === undefined || !str(d["runId"]) || !str(d["workflow"]) || !str(d["state"]))
    return undefined;
  const at = str(d["at"]) ? d["at"] : "";
  if (e.event === "run" && RUN_STATES.has(d["state"])) {
    return {
      kind: "run",
      runId: d["runId"],
      workflow: d["workflow"],
      state: d["state"] as RunState,
      at,
    };
  }
  if (e.event === "task" && TASK_STATES.has(d["state"]) && str(d["taskId"])) {
    return {
      kind: "task",
      runId: d["runId"],
      workflow: d["workflow"],
      taskId: d["taskId"],
      state: d["state"] as TaskState,
      attempt: count(d["attempt"]) ? d["attempt"] : 0,
      at,
      error: errorInfo(d["error"]),
    };
  }
  return undefined;
}

/** An event of a followed log, or undefined when it is malformed. */
export function parseLogEvent(e: SseEvent): LogStreamEvent | undefined {
  const d = parse(e.data);
  if (d === undefined) return undefined;
  const attempt = count(d["attempt"]) ? d["attempt"] : 0;
  switch (e.event) {
    case "attempt":
      return { kind: "attempt", attempt };
    case "log":
      return str(d["text"]) ? { kind: "log", attempt, text: d["text"] } : undefined;
    case "end":
      return { kind: "end", state: str(d["state"]) ? d["state"] : "unknown", attempt };
    case "error":
      return { kind: "error", message: str(d["message"]) ? d["message"] : "the log stream failed" };
    default:
      return undefined;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Follows `GET /events` until `signal` aborts, reconnecting after drops. */
export function watchEventsOver(
  open: SseOpener,
  filter: EventFilter,
  handlers: LiveHandlers<LiveEvent>,
  signal: AbortSignal,
): Promise<void> {
  const q = new URLSearchParams();
  if (filter.run !== undefined) q.set("run", filter.run);
  if (filter.workflow !== undefined) q.set("workflow", filter.workflow);
  const path = `/events${q.size > 0 ? `?${q.toString()}` : ""}`;
  return followSse({
    signal,
    open: (lastId, s) => open(path, lastId, s),
    onEvent: (e) => {
      const live = parseLiveEvent(e);
      if (live !== undefined) handlers.onEvent(live);
    },
    ...(handlers.onOpen !== undefined ? { onOpen: handlers.onOpen } : {}),
    onRetry: (err, ms) => handlers.onRetry?.(message(err), ms),
  });
}

/** Follows a task's log until its `end` event (or `signal` aborts), reopening after drops. */
export function followLogOver(
  open: SseOpener,
  runId: string,
  taskId: string,
  handlers: LiveHandlers<LogStreamEvent>,
  signal: AbortSignal,
): Promise<void> {
  const path = `/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(taskId)}/log?follow=1`;
  let ended = false;
  return followSse({
    signal,
    open: (lastId, s) => open(path, lastId, s),
    onEvent: (e) => {
      const ev = parseLogEvent(e);
      if (ev === undefined) return;
      if (ev.kind === "end" || ev.kind === "error") ended = true;
      handlers.onEvent(ev);
    },
    ...(handlers.onOpen !== undefined ? { onOpen: handlers.onOpen } : {}),
    onRetry: (err, ms) => handlers.onRetry?.(message(err), ms),
    reconnectOnEnd: () => !ended,
  });
}

/**
 * An SseOpener over fetch: the bearer token as a header (EventSource cannot send one),
 * `Last-Event-ID` when resuming, and the API's error body as an ApiError on non-2xx.
 */
export function fetchSseOpener(
  fetchFn: (input: string, init?: RequestInit) => Promise<Response>,
  base: string,
  token: () => string | null,
  onUnauthorized?: (message: string) => void,
): SseOpener {
  return async (path, lastEventId, signal) => {
    const headers: Record<string, string> = { accept: "text/event-stream" };
    const t = token();
    if (t !== null) headers["authorization"] = `Bearer ${t}`;
    if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
    let res: Response;
    try {
      res = await fetchFn(`${base}${path}`, { method: "GET", headers, signal, cache: "no-store" });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new ApiError(0, "E_NETWORK", `the server cannot be reached (${message(err)})`);
    }
    if (!res.ok) {
      let code = "E_HTTP";
      let text = `the server answered ${res.status} ${res.statusText}`;
      try {
        const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
        if (str(body.error?.message)) text = body.error.message;
        if (str(body.error?.code)) code = body.error.code;
      } catch {
        // Not JSON: the status line says it.
      }
      if (res.status === 401) onUnauthorized?.(text);
      throw new ApiError(res.status, code, text);
    }
    return res;
  };
}
