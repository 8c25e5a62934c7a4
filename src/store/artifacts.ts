/**
 * Where the artifacts of an attempt (its log, an executed notebook) live under the data
 * directory: `runs/<run-id>/<task-id>/<attempt>/`. Ids reach these paths from workflow
 * files and API URLs, so any id that could name another directory is refused.
 */
import { join } from "node:path";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** File name of an attempt's log inside its attempt directory. */
export const LOG_FILE = "log.txt";

/** The directory of one attempt's artifacts: `<dataDir>/runs/<run-id>/<task-id>/<attempt>`. */
export function attemptDir(
  dataDir: string,
  runId: string,
  taskId: string,
  attempt: number,
): string {
  return join(dataDir, ...attemptSegments(runId, taskId, attempt));
}

/** The log path of an attempt relative to the data directory, with `/` separators as stored. */
export function relativeLogPath(runId: string, taskId: string, attempt: number): string {
  return [...attemptSegments(runId, taskId, attempt), LOG_FILE].join("/");
}

function attemptSegments(runId: string, taskId: string, attempt: number): string[] {
  checkSegment("run id", runId);
  checkSegment("task id", taskId);
  if (!Number.isSafeInteger(attempt) || attempt < 0)
    throw new UpdraftError(
      ErrorCodes.STORE,
      `Attempt number ${String(attempt)} is not a non-negative integer; artifacts cannot be stored for it.`,
    );
  return ["runs", runId, taskId, String(attempt)];
}

/** Refuses what would not be exactly one directory name below its parent. */
function checkSegment(what: string, id: string): void {
  // Backslash too: it separates paths on Windows, and data dirs get copied there.
  const bad =
    id === "" || id === "." || id === ".." || /[/\\\0]/.test(id)
      ? "it is empty, `.` or `..`, or contains `/`, `\\` or a NUL character"
      : undefined;
  if (bad !== undefined)
    throw new UpdraftError(
      ErrorCodes.STORE,
      `The ${what} ${JSON.stringify(id)} cannot name an artifact directory: ${bad}.`,
    );
}
