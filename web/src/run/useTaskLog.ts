/**
 * A task's log for the panel: followed over SSE while the task may still write (each
 * attempt replaces the text), read once as plain text when it has ended. Only the tail
 * is kept (see log-tail.ts).
 */
import { useCallback, useEffect, useState } from "react";
import type { ApiClient } from "../api/api-client.js";
import { ApiError, type TaskView } from "../api/types.js";
import { appendTail, EMPTY_TAIL, tailOf, type LogTail } from "./log-tail.js";
import { taskEnded } from "./run-model.js";

/** The log as the panel shows it. */
export interface TaskLogState {
  status: "none" | "loading" | "following" | "done" | "error";
  tail: LogTail;
  attempt: number;
  message?: string;
}

/** How the log of a task in this state is read. */
export function logMode(task: TaskView | undefined): "none" | "follow" | "static" {
  if (task === undefined || task.attempts === 0) return "none";
  return taskEnded(task.state) ? "static" : "follow";
}

/** The log of `task` of run `runId`, live while the task runs. */
export function useTaskLog(
  client: ApiClient,
  runId: string,
  taskId: string,
  task: TaskView | undefined,
): TaskLogState {
  const mode = logMode(task);
  const attempts = task?.attempts ?? 0;
  // A static log is read again for a new attempt (a repair that already ended).
  const key = `${runId}\0${taskId}\0${mode}\0${mode === "static" ? attempts : 0}`;
  const [keyed, setKeyed] = useState<{ key: string; state: TaskLogState }>();
  const setState = useCallback(
    (update: (s: TaskLogState) => TaskLogState) =>
      setKeyed((old) => ({
        key,
        state: update(
          old?.key === key ? old.state : { status: "loading", tail: EMPTY_TAIL, attempt: 0 },
        ),
      })),
    [key],
  );

  useEffect(() => {
    if (mode === "none") return;
    const ac = new AbortController();
    const fail = (err: unknown) => {
      if (ac.signal.aborted) return;
      const message =
        err instanceof ApiError && err.status === 404
          ? err.message
          : `the log cannot be read: ${err instanceof Error ? err.message : String(err)}`;
      setState((s) => ({ ...s, status: "error", message }));
    };
    if (mode === "static") {
      client
        .taskLog(runId, taskId)
        .then(
          (text) =>
            !ac.signal.aborted &&
            setState(() => ({ status: "done", tail: tailOf(text), attempt: attempts })),
          fail,
        );
    } else {
      client
        .followTaskLog(
          runId,
          taskId,
          {
            onEvent: (e) =>
              setState((s) => {
                switch (e.kind) {
                  case "attempt":
                    return { status: "following", tail: EMPTY_TAIL, attempt: e.attempt };
                  case "log":
                    return { ...s, status: "following", tail: appendTail(s.tail, e.text) };
                  case "end":
                    return { ...s, status: "done" };
                  case "error":
                    return { ...s, status: "error", message: e.message };
                }
              }),
          },
          ac.signal,
        )
        .catch(fail);
    }
    return () => ac.abort();
    // `key` holds runId, taskId, mode and (static) attempts; `attempts` alone changes nothing.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, key, setState]);

  if (mode === "none") return { status: "none", tail: EMPTY_TAIL, attempt: 0 };
  return keyed?.key === key
    ? keyed.state
    : { status: "loading", tail: EMPTY_TAIL, attempt: attempts };
}
