/**
 * Processes left behind by a server that was killed: a task runs in its own session,
 * so it outlives the server. Before an interrupted attempt is failed or retried, its
 * process tree is stopped, so no attempt ever runs twice at once. A pid is only trusted
 * when the process started when the attempt did (a reused pid is left alone).
 */
import { readFileSync } from "node:fs";
import { isGone, readProcStat, terminateTree } from "../proc/process-tree.js";

/** Linux's USER_HZ, the unit of start times in /proc/<pid>/stat (fixed by the ABI). */
const CLOCK_TICKS_PER_S = 100;
/** How far a process's start may lie from the attempt's recorded start. */
const START_TOLERANCE_MS = 10_000;

/** Stops the orphaned tree of an attempt; true when there was one to stop. */
export async function stopOrphan(
  pid: number,
  attemptStartedAt: string | null,
  graceMs = 2000,
): Promise<boolean> {
  if (!Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid || isGone(pid)) return false;
  const stat = readProcStat(pid);
  const started = stat ? processStartMs(stat.start) : undefined;
  const expected = attemptStartedAt ? Date.parse(attemptStartedAt) : NaN;
  // The pid was recorded after the attempt started; a process far off that is someone else.
  if (started === undefined || !Number.isFinite(expected)) return false;
  if (started < expected - START_TOLERANCE_MS || started > expected + START_TOLERANCE_MS * 6) {
    return false;
  }
  await terminateTree(pid, { graceMs, exited: () => isGone(pid) });
  return true;
}

// Wall-clock start of a process from its start time in ticks since boot.
function processStartMs(ticks: number): number | undefined {
  let btime: number | undefined;
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "latin1"));
    btime = m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
  return btime === undefined ? undefined : btime * 1000 + (ticks / CLOCK_TICKS_PER_S) * 1000;
}
