/**
 * The executed notebook of a notebook task's attempt (the latest, or `?attempt=N`). It
 * is saved atomically as cells finish, so a running task answers with its partial
 * output; the path is built from checked ids and never leaves `<dataDir>/runs/`.
 */
import { stat } from "node:fs/promises";
import { resolve, sep } from "node:path";
import { attemptDir } from "../store/artifacts.js";
import type { Store } from "../store/types.js";
import { OUTPUT_NOTEBOOK } from "../tasks/notebook-runner.js";
import { badRequest, notFound } from "./http-errors.js";
import type { Reply } from "./reply.js";
import { checkRunId, checkTaskId } from "./task-log.js";

/** Answers `GET /api/v1/runs/{id}/tasks/{task}/notebook[?attempt=N]`. */
export async function taskNotebook(
  store: Store,
  dataDir: string,
  runId: string,
  taskId: string,
  attemptText: string | null,
): Promise<Reply> {
  checkRunId(runId);
  checkTaskId(taskId);
  let wanted: number | undefined;
  if (attemptText !== null) {
    wanted = /^[1-9][0-9]{0,5}$/.test(attemptText) ? Number(attemptText) : NaN;
    if (!Number.isSafeInteger(wanted)) throw badRequest("attempt must be a whole number >= 1");
  }
  const run = await store.getRun(runId);
  if (!run) throw notFound(`no run ${runId}`);
  if (!run.tasks.some((t) => t.taskId === taskId)) {
    throw notFound(`run ${runId} has no task ${taskId}`);
  }
  const attempts = await store.listAttempts(runId, taskId);
  const attempt =
    wanted === undefined ? attempts.at(-1) : attempts.find((a) => a.attempt === wanted);
  if (!attempt) {
    throw notFound(
      wanted === undefined
        ? `task ${taskId} of run ${runId} has not started yet`
        : `task ${taskId} of run ${runId} has no attempt ${wanted}`,
    );
  }
  const root = resolve(dataDir, "runs") + sep;
  const path = resolve(attemptDir(dataDir, runId, taskId, attempt.attempt), OUTPUT_NOTEBOOK);
  if (!path.startsWith(root)) throw notFound(`task ${taskId} of run ${runId} has no notebook`);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) {
    throw notFound(
      `attempt ${attempt.attempt} of task ${taskId} has no executed notebook (not a notebook task, or it has not started a cell yet)`,
    );
  }
  return {
    kind: "file",
    status: 200,
    path,
    size: info.size,
    contentType: "application/x-ipynb+json",
  };
}
