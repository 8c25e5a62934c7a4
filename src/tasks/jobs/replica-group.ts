/**
 * The replicas of one local job: processes started together, each in its own process
 * group with its own log, that succeed or fail as one. The first replica to fail stops
 * every other (whole process trees, SIGINT -> SIGTERM -> SIGKILL), cancel and timeout
 * stop them all, and nothing of the job is left running when the group settles.
 *
 * A replica is either `main` (the job is done when every main replica exited 0) or a
 * `service` (a scheduler, a parameter server: it must keep running until the main
 * replicas are done, and is stopped then).
 */
import { join } from "node:path";
import { ErrorCodes, TaskError } from "../../spec/errors.js";
import { sendSignal } from "../../proc/process-tree.js";
import { abortReason, exitFailure, runProcess, type ProcessExit } from "../process.js";
import type { LogSink, SecretMasking } from "../types.js";
import { ReplicaLog } from "./replica-log.js";

/** Name of the directory, in the attempt directory, holding the per-replica logs. */
export const REPLICAS_DIR = "replicas";

/** One process of a job. */
export interface ReplicaSpec {
  /** Short unique name: the log prefix and file name (`rank0`, `worker-1`, `scheduler`). */
  name: string;
  role: "main" | "service";
  command: string;
  args: string[];
  cwd: string;
  /** The complete environment of the process. */
  env: NodeJS.ProcessEnv;
  /** Message when `command` does not exist. */
  notFoundMessage?: string;
}

/** Options of {@link ReplicaGroup}. */
export interface ReplicaGroupOptions {
  /** What the job is, for messages ("torch job"). */
  what: string;
  /** The attempt's directory; replica logs go to `<attemptDir>/replicas/<name>.log`. */
  attemptDir: string;
  /** The attempt's log; each replica's lines arrive there prefixed with `[name] `. */
  log: LogSink;
  /** The attempt's signal: aborting it stops every replica. */
  signal: AbortSignal;
  /** Called with the pid of the first replica started. */
  onProcess?: (pid: number) => void;
  /** The attempt's secret masking, applied to each replica's own log file. */
  masking?: SecretMasking;
  /** Time SIGINT and SIGTERM each get when replicas are stopped; default 2000 ms. */
  killGraceMs?: number;
}

interface Running {
  spec: ReplicaSpec;
  controller: AbortController;
  settled: Promise<void>;
  pid?: number;
  succeeded?: () => void;
}

/** A set of replicas that succeed or fail together. */
export class ReplicaGroup {
  private readonly running: Running[] = [];
  private failure: TaskError | undefined;
  private finishing = false;
  private reportedPid = false;
  private readonly failed: Promise<TaskError>;
  private readonly over = new AbortController();
  private resolveFailed: (err: TaskError) => void = () => undefined;
  private readonly onAbort = (): void => this.fail(abortReason(this.opts.signal));

  /** Creates an empty group bound to the attempt's signal. */
  constructor(private readonly opts: ReplicaGroupOptions) {
    this.failed = new Promise((resolve) => (this.resolveFailed = resolve));
    opts.signal.addEventListener("abort", this.onAbort, { once: true });
    if (opts.signal.aborted) this.onAbort();
  }

  /** Aborted at the first failure and when the group is done: ends waits on replicas. */
  get stopped(): AbortSignal {
    return this.over.signal;
  }

  /** Pids of the replicas started so far (for tests and diagnostics). */
  get pids(): number[] {
    return this.running.flatMap((r) => (r.pid === undefined ? [] : [r.pid]));
  }

  /**
   * Starts a replica now; failures are reported through the group. The promise resolves
   * when the replica has exited 0 and never rejects (wait on it through {@link guard}).
   */
  start(spec: ReplicaSpec): Promise<void> {
    if (this.running.some((r) => r.spec.name === spec.name)) {
      throw new Error(`replica name ${spec.name} used twice`);
    }
    const controller = new AbortController();
    if (this.failure !== undefined) controller.abort(this.failure);
    const log = new ReplicaLog(
      join(this.opts.attemptDir, REPLICAS_DIR, `${spec.name}.log`),
      spec.name,
      this.opts.log,
      this.opts.masking,
    );
    const entry: Running = { spec, controller, settled: Promise.resolve() };
    this.running.push(entry);
    entry.settled = runProcess({
      command: spec.command,
      args: spec.args,
      cwd: spec.cwd,
      env: spec.env,
      log,
      signal: controller.signal,
      killGraceMs: this.opts.killGraceMs,
      ...(spec.notFoundMessage !== undefined ? { notFoundMessage: spec.notFoundMessage } : {}),
      onProcess: (pid) => {
        entry.pid = pid;
        if (!this.reportedPid) {
          this.reportedPid = true;
          this.opts.onProcess?.(pid);
        }
      },
    })
      .then(
        (exit) => this.exited(spec, exit),
        (err: unknown) => {
          // Stopped by the group: the reason is already recorded (or the job is done).
          if (controller.signal.aborted) return;
          this.fail(err instanceof TaskError ? named(spec, err) : internal(spec, err));
        },
      )
      .finally(() => log.close());
    return new Promise((resolve) => {
      entry.succeeded = resolve;
    });
  }

  /**
   * Resolves with `promise`, or rejects with the group's failure if a replica fails (or
   * the attempt is cancelled) first. For waiting on something replicas must produce.
   */
  async guard<T>(promise: Promise<T>): Promise<T> {
    if (this.failure !== undefined) throw this.failure;
    const result = await Promise.race([
      promise.then((value) => ({ value })),
      this.failed.then((err) => ({ err })),
    ]);
    if ("err" in result) throw result.err;
    return result.value;
  }

  /**
   * Waits until every main replica has exited 0, then stops the services; or, at the
   * first failure, until every replica is gone, and rejects with that failure.
   */
  async finish(): Promise<void> {
    const mains = this.running.filter((r) => r.spec.role === "main");
    await Promise.race([Promise.all(mains.map((r) => r.settled)), this.failed]);
    this.finishing = true;
    if (this.failure === undefined) await this.stopServices();
    const done = new TaskError(ErrorCodes.CANCELLED, `${this.opts.what} finished`);
    for (const r of this.running) if (!r.controller.signal.aborted) r.controller.abort(done);
    await Promise.all(this.running.map((r) => r.settled));
    this.opts.signal.removeEventListener("abort", this.onAbort);
    this.over.abort(done);
    if (this.failure !== undefined) throw this.failure;
  }

  /** Stops every replica (as on a failure) and waits for all of them to be gone. */
  async stop(reason: TaskError): Promise<void> {
    this.fail(reason);
    this.finishing = true;
    await Promise.all(this.running.map((r) => r.settled));
    this.opts.signal.removeEventListener("abort", this.onAbort);
  }

  /**
   * The job is done: services get SIGTERM (servers exit on it quietly, where SIGINT would
   * print a traceback) and a grace period before the usual escalation.
   */
  private async stopServices(): Promise<void> {
    const services = this.running.filter((r) => r.spec.role === "service" && r.pid !== undefined);
    if (services.length === 0) return;
    this.opts.log.write(
      `[updraft] the job is done; stopping ${services.map((r) => r.spec.name).join(", ")}\n`,
    );
    for (const r of services) if (r.pid !== undefined && r.pid > 0) sendSignal(-r.pid, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(services.map((r) => r.settled)),
      new Promise((resolve) => (timer = setTimeout(resolve, this.opts.killGraceMs ?? 2000))),
    ]);
    clearTimeout(timer);
  }

  private exited(spec: ReplicaSpec, exit: ProcessExit): void {
    if (spec.role === "service") {
      if (this.finishing) return;
      const how = exitFailure(`${spec.name}`, exit)?.message ?? `${spec.name} exited with code 0`;
      this.fail(
        new TaskError(
          ErrorCodes.TASK_FAILED,
          `${this.opts.what}: ${how.replace(/; see the log$/, "")} while the job was still running; ` +
            `see replicas/${spec.name}.log`,
        ),
      );
      return;
    }
    const failure = exitFailure(`replica ${spec.name}`, exit);
    if (failure === undefined) {
      this.running.find((r) => r.spec === spec)?.succeeded?.();
    } else {
      this.fail(
        new TaskError(
          ErrorCodes.TASK_FAILED,
          `${this.opts.what}: ${failure.message.replace(/; see the log$/, "")}; ` +
            `the other replicas were stopped; see replicas/${spec.name}.log`,
        ),
      );
    }
  }

  /** Records the first failure and stops every replica still running. */
  private fail(err: TaskError): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.resolveFailed(err);
    this.over.abort(err);
    for (const r of this.running) if (!r.controller.signal.aborted) r.controller.abort(err);
  }
}

/** A start failure of a replica, named. */
function named(spec: ReplicaSpec, err: TaskError): TaskError {
  return new TaskError(ErrorCodes.TASK_FAILED, `replica ${spec.name}: ${err.message}`, {
    cause: err,
  });
}

/** Something unexpected while running a replica. */
function internal(spec: ReplicaSpec, err: unknown): TaskError {
  const detail = err instanceof Error ? err.message : String(err);
  return new TaskError(ErrorCodes.TASK_FAILED, `replica ${spec.name} failed: ${detail}`, {
    cause: err,
  });
}
