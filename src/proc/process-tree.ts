/**
 * Finding and killing every process a task started, using /proc (Linux). Only the
 * kill path uses this: a normal exit costs no /proc reads.
 *
 * A task runs as the leader of its own session and process group, so most of its
 * processes are found by group or session id. A descendant that calls setsid() leaves
 * both; it is found by walking the parent links in /proc/<pid>/stat while its parent
 * chain is still alive, and remembered (with its start time, so a reused pid is never
 * signalled) for the later rounds of the escalation.
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** The fields of /proc/<pid>/stat the kill path needs. */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  session: number;
  /** One-letter state; `Z` (zombie) and `X` (dead) count as gone. */
  state: string;
  /** Start time in clock ticks since boot; tells a reused pid apart. */
  start: number;
}

/** Signals of the escalation, in order; each after the previous one's grace period. */
export const KILL_ESCALATION = ["SIGINT", "SIGTERM", "SIGKILL"] as const;

/** How often the kill path re-reads /proc while waiting for processes to go. */
const POLL_MS = 10;
/** How long to wait after SIGKILL (uninterruptible I/O can delay death) before giving up. */
const FINAL_WAIT_MS = 5000;

/** Reads /proc/<pid>/stat; undefined when the process does not exist. */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  return parseProcStat(text);
}

/** Parses the text of a /proc/<pid>/stat file. */
export function parseProcStat(text: string): ProcStat | undefined {
  // The command name is in parentheses and may itself contain spaces and parentheses.
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(" ");
  const pid = Number(text.slice(0, open).trim());
  const [state, ppid, pgrp, session] = rest;
  const start = rest[19];
  if (state === undefined || start === undefined) return undefined;
  return {
    pid,
    ppid: Number(ppid),
    pgrp: Number(pgrp),
    session: Number(session),
    state,
    start: Number(start),
  };
}

/** Every process currently visible in /proc. */
export function listProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const stat = readProcStat(Number(name));
    if (stat !== undefined) out.push(stat);
  }
  return out;
}

/** True for a process that still runs (not a zombie waiting to be reaped). */
function isLive(p: ProcStat): boolean {
  return p.state !== "Z" && p.state !== "X";
}

/** Sends a signal, ignoring processes that are already gone. */
export function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone; EPERM: not ours (a reused pid) - nothing to do either way.
  }
}

/**
 * The processes of the tree rooted at `leader` (its session and group, and every
 * descendant reachable through parent links from them or from `known`), adding them to
 * `known` (pid -> start time). Returns the live ones.
 */
function collect(
  leader: number,
  procs: ProcStat[],
  known: Map<number, number>,
  leaderAlive: boolean,
): ProcStat[] {
  const byPid = new Map<number, ProcStat>();
  const children = new Map<number, ProcStat[]>();
  for (const p of procs) {
    byPid.set(p.pid, p);
    const list = children.get(p.ppid);
    if (list === undefined) children.set(p.ppid, [p]);
    else list.push(p);
  }
  const queue: ProcStat[] = [];
  for (const p of procs) {
    const remembered = known.get(p.pid);
    // The leader itself counts even before it has called setsid() (a forked child), but
    // only until it has been reaped: then its pid may belong to someone else.
    const ours = (leaderAlive && p.pid === leader) || p.session === leader || p.pgrp === leader;
    if (ours || remembered === p.start) queue.push(p);
  }
  const found = new Map<number, ProcStat>();
  while (queue.length > 0) {
    const p = queue.pop();
    if (p === undefined || found.has(p.pid)) continue;
    found.set(p.pid, p);
    known.set(p.pid, p.start);
    for (const c of children.get(p.pid) ?? []) queue.push(c);
  }
  // A remembered pid now used by an unrelated process is not ours any more.
  for (const [pid, start] of known) {
    const p = byPid.get(pid);
    if (p === undefined || p.start !== start) known.delete(pid);
  }
  return [...found.values()].filter(isLive);
}

/** Signals the group of `leader` and every live process of its tree. */
function signalTree(leader: number, live: ProcStat[], signal: NodeJS.Signals): void {
  sendSignal(-leader, signal);
  for (const p of live) {
    // A group leader that escaped (setsid) may have forked since /proc was read.
    if (p.pgrp === p.pid && p.pid !== leader) sendSignal(-p.pid, signal);
    sendSignal(p.pid, signal);
  }
}

/** Options of {@link terminateTree}. */
export interface TerminateOptions {
  /** Time each of SIGINT and SIGTERM gets before the next signal. */
  graceMs: number;
  /** True once the leader has exited and been reaped by its parent (us). */
  exited: () => boolean;
}

/**
 * Stops the process tree of `leader` (a session and group leader): SIGINT, then SIGTERM
 * after `graceMs`, then SIGKILL after another `graceMs`, to the group and to every
 * descendant found in /proc, including ones that left the group. Resolves once the
 * leader has exited and no process of the tree is alive (or, in the worst case, a few
 * seconds after SIGKILL).
 */
export async function terminateTree(leader: number, opts: TerminateOptions): Promise<void> {
  const known = new Map<number, number>();
  for (const signal of KILL_ESCALATION) {
    // Walk the tree before signalling: a dying parent no longer leads to its children.
    signalTree(leader, collect(leader, listProcesses(), known, !opts.exited()), signal);
    const deadline = Date.now() + (signal === "SIGKILL" ? FINAL_WAIT_MS : opts.graceMs);
    while (Date.now() < deadline) {
      await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
      const live = collect(leader, listProcesses(), known, !opts.exited());
      if (live.length === 0 && opts.exited()) return;
      // Children forked after the SIGKILL was sent get theirs here.
      if (signal === "SIGKILL") signalTree(leader, live, signal);
    }
  }
}

/**
 * Kills (SIGKILL) every process that has one of `links` (as /proc/<pid>/fd shows them,
 * e.g. `socket:[1234]`) open, and their process groups. Used when a task's main process
 * has exited but something it started still holds the task's output open.
 */
export function killHoldersOf(links: readonly string[]): number[] {
  const killed: number[] = [];
  if (links.length === 0) return killed;
  for (const name of readdirSync("/proc")) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${name}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${name}/fd/${fd}`);
      } catch {
        continue;
      }
      if (links.includes(link)) {
        const stat = readProcStat(pid);
        if (stat !== undefined && stat.pgrp === pid) sendSignal(-pid, "SIGKILL");
        sendSignal(pid, "SIGKILL");
        killed.push(pid);
        break;
      }
    }
  }
  return killed;
}

/** What /proc/<pid>/fd/<fd> points to (e.g. `socket:[1234]`), if readable. */
export function fdLink(pid: number, fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/** Resolves after `ms` milliseconds. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when `pid` no longer runs (absent, or a zombie waiting for its parent). */
export function isGone(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat === undefined || stat.state === "Z" || stat.state === "X";
}
