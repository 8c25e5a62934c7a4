/**
 * Runs one task process: its own session and process group, output streamed to the
 * attempt's log, and on abort the whole tree stopped (SIGINT, SIGTERM, SIGKILL) before
 * the promise settles, so no task process outlives its attempt.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { statSync } from "node:fs";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import { fdLink, killHoldersOf, sendSignal, terminateTree } from "../proc/process-tree.js";
import type { LogSink } from "./types.js";

/** Default time SIGINT and then SIGTERM get before the next, harsher signal. */
export const DEFAULT_KILL_GRACE_MS = 2000;

/**
 * How long the output may stay open after the main process exited (something it
 * started in the background still holds it) before the holders are killed.
 */
const DRAIN_MS = 1000;

/** Options of {@link runProcess}. */
export interface RunProcessOptions {
  /** Executable (looked up on `env.PATH` when it has no slash). */
  command: string;
  args: string[];
  cwd: string;
  /** The complete environment of the process. */
  env: NodeJS.ProcessEnv;
  /** Receives stdout and stderr, interleaved as they arrive. */
  log: LogSink;
  /** Aborting stops the process tree; the promise then rejects with the abort reason. */
  signal: AbortSignal;
  /** Called with the pid as soon as the process exists. */
  onProcess?: (pid: number) => void;
  /** Time SIGINT and SIGTERM each get before the next signal; default 2000. */
  killGraceMs?: number;
  /** Message when `command` does not exist, e.g. how to configure it. */
  notFoundMessage?: string;
}

/** How a process ended: an exit code, or the signal that killed it. */
export interface ProcessExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** The abort reason as a TaskError (the engine aborts with one; anything else is a cancel). */
export function abortReason(signal: AbortSignal): TaskError {
  const reason: unknown = signal.reason;
  if (reason instanceof TaskError) return reason;
  return new TaskError(ErrorCodes.CANCELLED, "task was cancelled", { cause: reason });
}

/**
 * Runs a process to completion. Resolves with its exit status (non-zero is not an
 * error here); rejects with a TaskError when it cannot start, or with the abort reason
 * once the aborted process tree is gone.
 */
export function runProcess(opts: RunProcessOptions): Promise<ProcessExit> {
  const { signal, log } = opts;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<ProcessExit>((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(opts.command, opts.args, {
        cwd: opts.cwd,
        env: opts.env,
        // detached: the child leads a new session and process group, which is what lets
        // abort signal the whole tree at once.
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (err) {
      reject(spawnFailure(err, opts));
      return;
    }
    const pid = child.pid;
    if (pid === undefined) {
      // The spawn failed (e.g. ENOENT); 'error' follows on the next tick.
      child.once("error", (err) => reject(spawnFailure(err, opts)));
      return;
    }
    // Remember what the child's stdout/stderr are, to find whatever still holds them if
    // the output stays open after the main process is gone (two readlinks, no walk).
    const outputLinks = [fdLink(pid, 1), fdLink(pid, 2)].filter((l) => l !== undefined);

    let exit: ProcessExit | undefined;
    let closed = false;
    let cancelled: TaskError | undefined;
    let stopped = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const settle = (): void => {
      if (settled || !closed || exit === undefined) return;
      if (cancelled !== undefined && !stopped) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      for (const t of timers) clearTimeout(t);
      if (cancelled !== undefined) reject(cancelled);
      else resolve(exit);
    };
    const stop = (reason: TaskError, graceMs: number): void => {
      if (settled || cancelled !== undefined) return;
      cancelled = reason;
      const done = (): void => {
        stopped = true;
        // Everything found in /proc is gone; an unknown holder may still keep the output open.
        if (!closed) drainStuck(child, outputLinks, timers);
        settle();
      };
      terminateTree(pid, { graceMs, exited: () => exit !== undefined }).then(done, done);
    };
    const onAbort = (): void =>
      stop(abortReason(signal), opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS);

    child.stdout?.on("data", (chunk: Buffer) => log.write(chunk));
    child.stderr?.on("data", (chunk: Buffer) => log.write(chunk));
    child.once("exit", (code, sig) => {
      exit = { exitCode: code, signal: sig };
      // While stopping, the escalation owns the rest of the tree (its grace periods hold).
      if (cancelled === undefined) {
        // Whatever the task left running in its group goes with it.
        sendSignal(-pid, "SIGKILL");
        if (!closed) {
          timers.push(setTimeout(() => drainStuck(child, outputLinks, timers), DRAIN_MS));
        }
      }
      settle();
    });
    child.once("close", () => {
      closed = true;
      settle();
    });
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      opts.onProcess?.(pid);
    } catch (err) {
      // The caller could not record the process: do not let it run unrecorded.
      stop(
        new TaskError(ErrorCodes.TASK_FAILED, "could not record the task's process", {
          cause: err,
        }),
        0,
      );
    }
  });
}

/**
 * The main process exited but its output is still open: a process that left the group
 * (setsid) holds it. Kill the holders, then stop reading after a short while regardless.
 */
function drainStuck(child: ChildProcess, links: string[], timers: NodeJS.Timeout[]): void {
  killHoldersOf(links);
  timers.push(
    setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, 200),
  );
}

/** Turns a spawn error into a TaskError a user can act on. */
function spawnFailure(err: unknown, opts: RunProcessOptions): TaskError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  let message: string;
  if (code === "ENOENT" && !isDirectory(opts.cwd)) {
    message = `working directory ${opts.cwd} does not exist`;
  } else if (code === "ENOENT") {
    message =
      opts.notFoundMessage ??
      `command \`${opts.command}\` not found; check that it is installed and on PATH`;
  } else if (code === "EACCES") {
    message = `command \`${opts.command}\` cannot be executed (permission denied); check its file mode`;
  } else if (code === "E2BIG") {
    message = `the command line or environment of \`${opts.command}\` is too large; pass big values in files`;
  } else {
    const detail = err instanceof Error ? err.message : String(err);
    message = `could not start \`${opts.command}\`: ${detail}`;
  }
  return new TaskError(ErrorCodes.TASK_FAILED, message, { cause: err });
}

/** True when `path` is an existing directory. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Hints for exit codes and signals users commonly meet. */
const EXIT_HINTS: { [code: number]: string } = {
  126: " (command not executable)",
  127: " (command not found)",
};
const SIGNAL_HINTS: { [signal: string]: string } = {
  SIGKILL: " (killed from outside, often because the machine ran out of memory)",
  SIGSEGV: " (the program crashed)",
};

/**
 * The TaskError for a process that did not exit with code 0, e.g. "command exited with
 * code 3; see the log"; undefined on success. `what` names the process ("command").
 */
export function exitFailure(what: string, exit: ProcessExit): TaskError | undefined {
  if (exit.exitCode === 0) return undefined;
  if (exit.signal !== null) {
    const hint = SIGNAL_HINTS[exit.signal] ?? "";
    return new TaskError(
      ErrorCodes.TASK_FAILED,
      `${what} was killed by signal ${exit.signal}${hint}; see the log`,
    );
  }
  const code = exit.exitCode ?? -1;
  const hint = EXIT_HINTS[code] ?? "";
  return new TaskError(
    ErrorCodes.TASK_FAILED,
    `${what} exited with code ${code}${hint}; see the log`,
  );
}
