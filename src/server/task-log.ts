/**
 * Finds the log of a task's latest attempt. Ids from the URL are checked against their
 * formats and the stored log path must stay inside `<dataDir>/runs/`, so no request can
 * read another file.
 */
import { stat } from "node:fs/promises";
import { resolve, sep } from "node:path";
import { TASK_ID_RE } from "../spec/names.js";
import type { Store } from "../store/types.js";
import { badRequest, notFound } from "./http-errors.js";

/** Run ids the engine generates are UUIDs; this also admits other safe, short ids. */
const RUN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Throws a 400 unless `id` has the format of a run id. */
export function checkRunId(id: string): void {
  if (!RUN_ID_RE.test(id))
    throw badRequest(`not a valid run id: ${JSON.stringify(id.slice(0, 80))}`);
}

/** Throws a 400 unless `id` has the format of a task id. */
export function checkTaskId(id: string): void {
  if (!TASK_ID_RE.test(id))
    throw badRequest(`not a valid task id: ${JSON.stringify(id.slice(0, 80))}`);
}

/** The latest attempt's log: its absolute path and size (0 when the task printed nothing). */
export interface LogLocation {
  path: string;
  size: number;
}

/** Locates the log of the latest attempt of a task; 404 when it has none. */
export async function findTaskLog(
  store: Store,
  dataDir: string,
  runId: string,
  taskId: string,
): Promise<LogLocation> {
  checkRunId(runId);
  checkTaskId(taskId);
  const run = await store.getRun(runId);
  if (!run) throw notFound(`no run ${runId}`);
  if (!run.tasks.some((t) => t.taskId === taskId)) {
    throw notFound(`run ${runId} has no task ${taskId}`);
  }
  const attempts = await store.listAttempts(runId, taskId);
  const latest = attempts.at(-1);
  if (!latest) throw notFound(`task ${taskId} of run ${runId} has not started yet`);
  if (latest.logPath === null) {
    throw notFound(`task ${taskId} of run ${runId} has no log (its type runs no process)`);
  }
  const root = resolve(dataDir, "runs") + sep;
  const path = resolve(dataDir, latest.logPath);
  if (!path.startsWith(root)) throw notFound(`task ${taskId} of run ${runId} has no log`);
  try {
    const st = await stat(path);
    return { path, size: st.isFile() ? st.size : 0 };
  } catch {
    // The log file is created on the first write: a task that printed nothing has none.
    return { path, size: 0 };
  }
}
