/**
 * A warm Python interpreter that forks a fresh child per task, saving the interpreter
 * start-up (~12 ms) that dominates short Python tasks. Each child becomes what
 * `python -u SCRIPT ARGS...` would be (see python/fork-server-source.ts); its stdout
 * and stderr come back over a Unix socket, its pid and exit status over the server's
 * stdout. Abort, exit codes and signals behave as with {@link runProcess}.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import {
  abortReason,
  DEFAULT_KILL_GRACE_MS,
  type ProcessExit,
  type RunProcessOptions,
} from "./process.js";
import { killHoldersOf, sendSignal, terminateTree } from "../proc/process-tree.js";
import { FORK_SERVER_SOURCE } from "./python/fork-server-source.js";

/** How long the output may stay open after the child exited before its holders die. */
const DRAIN_MS = 1000;
/** How long a new server gets to say it is ready. */
const START_TIMEOUT_MS = 10_000;
/** Default time a server with nothing to do stays up. */
const DEFAULT_IDLE_MS = 60_000;
/** Oldest Python the server supports. */
const MIN_VERSION = [3, 8];

/** What to run in a forked child: the script, its args, and process options. */
export type ForkRunOptions = Omit<RunProcessOptions, "command" | "args" | "notFoundMessage"> & {
  script: string;
  args: string[];
};

/** A message from the server's stdout. */
interface Reply {
  ready?: boolean;
  version?: number[];
  id?: number;
  pid?: number;
  code?: number | null;
  signal?: number | null;
  error?: string;
}

/** One task in a forked child, from request to settled promise. */
interface Job {
  id: number;
  token: string;
  opts: ForkRunOptions;
  pid?: number;
  exit?: ProcessExit;
  socket?: Socket;
  /** Inode of the child's end of the socket, to find processes that still hold it. */
  inode?: number;
  ended: boolean;
  cancelled?: TaskError;
  stopping: boolean;
  stopped: boolean;
  settled: boolean;
  timers: NodeJS.Timeout[];
  /** Time SIGINT and SIGTERM each get when the job is stopped. */
  stopGraceMs?: number;
  /** Removes the abort listener. */
  detach?: () => void;
  resolve: (exit: ProcessExit) => void;
  reject: (err: TaskError) => void;
}

/** Signal numbers to names (`9` -> `SIGKILL`). */
const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

/** A running fork server; create with {@link PythonForkServer.start}. */
export class PythonForkServer {
  private readonly jobs = new Map<number, Job>();
  private readonly byToken = new Map<string, Job>();
  private nextId = 1;
  private alive = true;
  private stderrTail = "";
  private readonly exited: Promise<void>;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly cleanupOnExit = (): void => this.removeDir();

  private constructor(
    private readonly child: ChildProcess,
    private readonly listener: Server,
    private readonly dir: string,
    private readonly idleMs: number,
  ) {
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    process.once("exit", this.cleanupOnExit);
  }

  /**
   * Starts a server for `python` with `env`; rejects (and cleans up) if it cannot. It
   * exits by itself after `idleMs` without tasks (so newly installed packages are seen).
   */
  static async start(
    python: string,
    env: NodeJS.ProcessEnv,
    idleMs = DEFAULT_IDLE_MS,
  ): Promise<PythonForkServer> {
    const dir = mkdtempSync(join(tmpdir(), "updraft-py-"));
    const socketPath = join(dir, "s");
    const listener = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        listener.once("error", reject);
        listener.listen(socketPath, () => resolve());
      });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const child = spawn(python, ["-u", "-c", FORK_SERVER_SOURCE, socketPath], {
      env,
      cwd: dir,
      // Its own session, like every task: a Ctrl-C meant for Updraft does not hit it.
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const server = new PythonForkServer(child, listener, dir, idleMs);
    listener.on("connection", (socket) => server.onConnection(socket));
    try {
      await server.handshake();
    } catch (err) {
      await server.close();
      throw err;
    }
    server.setRef(false);
    server.armIdleTimer();
    return server;
  }

  /** True while the server can take tasks. */
  get usable(): boolean {
    return this.alive;
  }

  /** Number of tasks in flight. */
  get load(): number {
    return this.jobs.size;
  }

  /** Waits for the ready line; wires up replies, stderr and death. */
  private handshake(): Promise<void> {
    const child = this.child;
    child.stdin?.on("error", () => {
      // EPIPE when the server died; its 'exit' handler fails the jobs.
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-4000);
    });
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(
        () => reject(new Error("python fork server did not start in time")),
        START_TIMEOUT_MS,
      );
      let buffered = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        let nl: number;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          let reply: Reply;
          try {
            reply = JSON.parse(line) as Reply;
          } catch {
            // Something at start-up (a sitecustomize, say) printed to stdout.
            this.stderrTail = (this.stderrTail + line + "\n").slice(-4000);
            continue;
          }
          if (reply.ready === true && !ready) {
            ready = true;
            clearTimeout(timer);
            const [major = 0, minor = 0] = reply.version ?? [];
            const [wantMajor = 3, wantMinor = 8] = MIN_VERSION;
            if (major < wantMajor || (major === wantMajor && minor < wantMinor)) {
              reject(new Error(`python ${major}.${minor} is too old for the fork server`));
            } else resolve();
          } else this.onReply(reply);
        }
      });
      child.once("error", (err) => {
        clearTimeout(timer);
        this.alive = false;
        reject(err);
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        this.alive = false;
        const why = `python fork server exited (${signal ?? `code ${code}`})`;
        if (!ready) reject(new Error(`${why}: ${this.stderrTail.trim()}`));
        this.onDeath(why);
      });
    });
  }

  /**
   * Runs a script in a forked child. Returns undefined when the server cannot take it
   * (the caller then spawns the interpreter instead).
   */
  run(opts: ForkRunOptions): Promise<ProcessExit> | undefined {
    if (!this.alive) return undefined;
    if (opts.signal.aborted) return Promise.reject(abortReason(opts.signal));
    return new Promise<ProcessExit>((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        token: randomBytes(16).toString("hex"),
        opts,
        ended: false,
        stopping: false,
        stopped: false,
        settled: false,
        timers: [],
        resolve,
        reject,
      };
      this.jobs.set(job.id, job);
      this.byToken.set(job.token, job);
      if (this.jobs.size === 1) {
        this.setRef(true);
        clearTimeout(this.idleTimer);
      }
      const onAbort = (): void => this.cancel(job, abortReason(opts.signal), opts.killGraceMs);
      opts.signal.addEventListener("abort", onAbort, { once: true });
      job.detach = () => opts.signal.removeEventListener("abort", onAbort);
      const request = {
        id: job.id,
        token: job.token,
        argv: [opts.script, ...opts.args],
        cwd: opts.cwd,
        env: opts.env,
      };
      this.child.stdin?.write(JSON.stringify(request) + "\n");
    });
  }

  /** Handles a reply about a job. */
  private onReply(reply: Reply): void {
    const job = reply.id === undefined ? undefined : this.jobs.get(reply.id);
    if (job === undefined) return;
    if (reply.error !== undefined) {
      const missing = `working directory ${job.opts.cwd} does not exist`;
      this.settle(job, job.cancelled ?? new TaskError(ErrorCodes.TASK_FAILED, missing));
      return;
    }
    if (reply.pid !== undefined) {
      job.pid = reply.pid;
      try {
        job.opts.onProcess?.(reply.pid);
      } catch (err) {
        this.cancel(
          job,
          new TaskError(ErrorCodes.TASK_FAILED, "could not record the task's process", {
            cause: err,
          }),
          0,
        );
      }
      if (job.cancelled !== undefined) this.stop(job);
      return;
    }
    const signal = reply.signal == null ? null : (SIGNAL_NAMES.get(reply.signal) ?? null);
    job.exit = { exitCode: reply.code ?? null, signal };
    if (job.cancelled === undefined && job.pid !== undefined) {
      // Whatever the task left running in its group goes with it.
      sendSignal(-job.pid, "SIGKILL");
    }
    if (!job.ended && !job.stopping) {
      job.timers.push(setTimeout(() => this.drainStuck(job), DRAIN_MS));
    }
    this.maybeSettle(job);
  }

  /** A child connected: match it to its job by token, then stream its output to the log. */
  private onConnection(socket: Socket): void {
    let header = "";
    let job: Job | undefined;
    socket.on("error", () => {
      // A reset connection ends like a closed one.
    });
    socket.on("data", (chunk: Buffer) => {
      if (job !== undefined) {
        job.opts.log.write(chunk);
        return;
      }
      const nl = chunk.indexOf(10);
      header += chunk.toString("latin1", 0, nl < 0 ? chunk.length : nl);
      if (nl < 0) {
        if (header.length > 200) socket.destroy();
        return;
      }
      const [token = "", inode = ""] = header.split(" ");
      job = this.byToken.get(token);
      if (job === undefined || job.socket !== undefined) {
        socket.destroy();
        return;
      }
      job.socket = socket;
      job.inode = Number(inode);
      const matched = job;
      socket.once("close", () => {
        matched.ended = true;
        this.maybeSettle(matched);
      });
      if (nl + 1 < chunk.length) matched.opts.log.write(chunk.subarray(nl + 1));
    });
  }

  /** Starts stopping a job's process tree (once its pid is known). */
  private cancel(job: Job, reason: TaskError, graceMs: number | undefined): void {
    if (job.settled || job.cancelled !== undefined) return;
    job.cancelled = reason;
    job.stopGraceMs = graceMs ?? DEFAULT_KILL_GRACE_MS;
    if (job.pid !== undefined) this.stop(job);
  }

  /** Runs the kill escalation on a job's tree. */
  private stop(job: Job): void {
    const pid = job.pid;
    if (pid === undefined || job.stopping) return;
    job.stopping = true;
    const done = (): void => {
      job.stopped = true;
      if (!job.ended) this.drainStuck(job);
      this.maybeSettle(job);
    };
    terminateTree(pid, {
      graceMs: job.stopGraceMs ?? DEFAULT_KILL_GRACE_MS,
      exited: () => job.exit !== undefined || !this.alive,
    }).then(done, done);
  }

  /** The child is gone but its output is still open: kill the holders, then stop reading. */
  private drainStuck(job: Job): void {
    if (job.socket === undefined) {
      // The child never connected (it died first): there is no output to wait for.
      job.ended = true;
      this.maybeSettle(job);
      return;
    }
    if (job.inode !== undefined) killHoldersOf([`socket:[${job.inode}]`]);
    job.timers.push(setTimeout(() => job.socket?.destroy(), 200));
  }

  /** Settles a job once it has exited, its output is drained and any stop is done. */
  private maybeSettle(job: Job): void {
    if (job.settled || job.exit === undefined || !job.ended) return;
    if (job.cancelled !== undefined && !job.stopped) return;
    if (job.cancelled !== undefined) this.settle(job, job.cancelled);
    else this.settle(job, job.exit);
  }

  /** Resolves or rejects a job and forgets it. */
  private settle(job: Job, outcome: ProcessExit | TaskError): void {
    if (job.settled) return;
    job.settled = true;
    for (const t of job.timers) clearTimeout(t);
    job.detach?.();
    this.jobs.delete(job.id);
    this.byToken.delete(job.token);
    if (this.jobs.size === 0) {
      this.setRef(false);
      this.armIdleTimer();
    }
    if (outcome instanceof TaskError) job.reject(outcome);
    else job.resolve(outcome);
  }

  /** The server died: stop and fail whatever it was running. */
  private onDeath(why: string): void {
    this.listener.close();
    process.removeListener("exit", this.cleanupOnExit);
    this.removeDir();
    for (const job of [...this.jobs.values()]) {
      const fail = (): void =>
        this.settle(
          job,
          job.cancelled ??
            new TaskError(
              ErrorCodes.TASK_FAILED,
              `${why} while the task ran; the task was stopped, run it again`,
            ),
        );
      if (job.pid === undefined) fail();
      else terminateTree(job.pid, { graceMs: 0, exited: () => true }).then(fail, fail);
    }
  }

  /** Whether the server keeps Node's event loop alive: only while tasks run. */
  private setRef(on: boolean): void {
    const handles = [this.child, this.child.stdin, this.child.stdout, this.child.stderr];
    for (const h of [...handles, this.listener]) {
      const handle = h as { ref?: () => void; unref?: () => void } | null;
      if (on) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  /** Closes the server once it has been idle for `idleMs`. */
  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.jobs.size === 0) void this.close();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  /** Removes the socket directory. */
  private removeDir(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Stops the server (its running tasks are killed) and removes its socket. */
  async close(): Promise<void> {
    this.alive = false;
    clearTimeout(this.idleTimer);
    const running = this.child.exitCode === null && this.child.signalCode === null;
    if (this.child.pid !== undefined && running) {
      // End of input tells the server to kill its children and exit.
      this.child.stdin?.end();
      const pid = this.child.pid;
      const timer = setTimeout(() => {
        if (pid !== undefined) sendSignal(pid, "SIGKILL");
      }, 2000);
      await this.exited;
      clearTimeout(timer);
    }
    this.listener.close();
    process.removeListener("exit", this.cleanupOnExit);
    this.removeDir();
  }
}
