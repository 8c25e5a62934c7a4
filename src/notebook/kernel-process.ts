/**
 * The operating-system side of a kernel: its process, started from the kernelspec argv
 * as the leader of its own session and process group (so an interrupt or a kill reaches
 * everything it started), its output kept for diagnostics, and its exit observed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { statSync } from "node:fs";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
// The tasks layer owns the kill escalation; it has no dependencies of its own, so reusing
// it here does not create a cycle (it would ideally live in a shared util module).
import { sendSignal, terminateTree } from "../proc/process-tree.js";
import type { KernelSpec } from "./kernelspec.js";

/** How the kernel process ended. */
export interface KernelExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of {@link KernelProcess.launch}. */
export interface KernelLaunchOptions {
  spec: KernelSpec;
  connectionFile: string;
  cwd: string;
  /** Base environment; the spec's `env` is applied on top, as jupyter_client does. */
  env: NodeJS.ProcessEnv;
  /** Receives the kernel's stdout and stderr as they arrive (e.g. the task log). */
  onOutput?: (chunk: Buffer) => void;
}

/** Bytes of output kept for error messages. */
const TAIL_BYTES = 16 * 1024;

/** A running (or exited) kernel process. */
export class KernelProcess {
  readonly pid: number;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<KernelExit>;
  #exit: KernelExit | undefined;
  #tail: Buffer[] = [];
  #tailBytes = 0;

  private constructor(child: ChildProcess, pid: number, onOutput?: (chunk: Buffer) => void) {
    this.pid = pid;
    this.exited = new Promise<KernelExit>((resolve) => {
      child.once("exit", (exitCode, signal) => {
        this.#exit = { exitCode, signal };
        resolve(this.#exit);
      });
    });
    const onData = (chunk: Buffer): void => {
      this.#keep(chunk);
      onOutput?.(chunk);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    // A kernel must never be what keeps Node running: its owner decides its lifetime.
    child.unref();
    for (const s of [child.stdout, child.stderr]) (s as { unref?: () => void } | null)?.unref?.();
  }

  /** Starts the kernel; rejects with E_KERNEL when the executable or cwd is missing. */
  static launch(opts: KernelLaunchOptions): Promise<KernelProcess> {
    const argv = kernelArgv(opts.spec, opts.connectionFile);
    const env = kernelEnv(opts.spec, opts.env);
    return new Promise<KernelProcess>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(argv[0] as string, argv.slice(1), {
          cwd: opts.cwd,
          env,
          detached: true,
          stdio: ["ignore", "pipe", "pipe"],
        });
      } catch (err) {
        reject(launchFailure(err, opts, argv));
        return;
      }
      child.once("error", (err) => reject(launchFailure(err, opts, argv)));
      child.once("spawn", () => {
        if (child.pid === undefined) reject(launchFailure(new Error("no pid"), opts, argv));
        else resolve(new KernelProcess(child, child.pid, opts.onOutput));
      });
    });
  }

  /** The exit status once the process has exited. */
  get exit(): KernelExit | undefined {
    return this.#exit;
  }

  /** The last `lines` lines the kernel printed (stdout and stderr), for error messages. */
  outputTail(lines = 20): string {
    const text = Buffer.concat(this.#tail).toString("utf8").trimEnd();
    return text.split("\n").slice(-lines).join("\n");
  }

  /** Sends `signal` to the kernel's whole process group. */
  signalGroup(signal: NodeJS.Signals): void {
    if (this.#exit === undefined) sendSignal(-this.pid, signal);
  }

  /**
   * Stops the kernel and everything it started: SIGINT, SIGTERM, SIGKILL (each after
   * `graceMs`) to the group and descendants. Resolves once nothing of it is alive.
   */
  async kill(graceMs: number): Promise<void> {
    await terminateTree(this.pid, { graceMs, exited: () => this.#exit !== undefined });
    // terminateTree can return before Node has seen the exit; the caller wants both.
    await this.exited;
  }

  #keep(chunk: Buffer): void {
    this.#tail.push(chunk);
    this.#tailBytes += chunk.length;
    while (this.#tailBytes > TAIL_BYTES && this.#tail.length > 1) {
      this.#tailBytes -= (this.#tail.shift() as Buffer).length;
    }
  }
}

/** The IPython option nbclient (so papermill and nbconvert) adds for ipykernel kernels. */
export const IN_MEMORY_HISTORY = "--HistoryManager.hist_file=:memory:";

/**
 * The spec's argv with `{connection_file}` and `{resource_dir}` substituted (others left
 * as is). An ipykernel gets an in-memory input history, as nbclient gives it: batch runs
 * have no use for the shared `history.sqlite`, concurrent kernels writing it can fail on
 * its lock, and writing it costs every cell about a millisecond.
 */
export function kernelArgv(spec: KernelSpec, connectionFile: string): string[] {
  const ns: { [key: string]: string } = { connection_file: connectionFile, resource_dir: spec.dir };
  const argv = spec.argv.map((a) =>
    a.replace(/\{([A-Za-z0-9_]+)\}/g, (m, k: string) => ns[k] ?? m),
  );
  if (isIpykernel(spec) && !argv.some((a) => a.startsWith("--HistoryManager.hist_file"))) {
    argv.push(IN_MEMORY_HISTORY);
  }
  return argv;
}

/** jupyter_client's test (`KernelManager.ipykernel`) plus specs that launch ipykernel under another name. */
function isIpykernel(spec: KernelSpec): boolean {
  if (["python", "python2", "python3"].includes(spec.name)) return true;
  return spec.argv.some((a) => /^ipykernel(_launcher)?$/.test(a));
}

/**
 * The kernel's environment: `base`, then the spec's env with `$VAR`/`${VAR}` expanded from
 * `base` (Python's string.Template.safe_substitute, as jupyter_client), and
 * `JPY_PARENT_PID` so an ipykernel exits by itself if this process dies.
 */
export function kernelEnv(spec: KernelSpec, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const [k, v] of Object.entries(spec.env ?? {})) {
    env[k] = v.replace(
      /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\})/g,
      (m, dollar, a, b) => {
        if (dollar !== undefined) return "$";
        const value = base[(a ?? b) as string];
        return value ?? m;
      },
    );
  }
  env.JPY_PARENT_PID = String(process.pid);
  return env;
}

/** Describes a process exit for messages: "exit code 1" or "signal SIGKILL". */
export function describeExit(exit: KernelExit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.exitCode ?? "unknown"}`;
}

function launchFailure(err: unknown, opts: KernelLaunchOptions, argv: string[]): UpdraftError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `(kernelspec ${opts.spec.dir}/kernel.json)`;
  let message: string;
  if (code === "ENOENT" && !isDirectory(opts.cwd)) {
    message = `cannot start kernel '${opts.spec.name}': working directory ${opts.cwd} does not exist`;
  } else if (code === "ENOENT") {
    message = `cannot start kernel '${opts.spec.name}': executable \`${argv[0]}\` not found ${where}; install it or fix the kernelspec`;
  } else if (code === "EACCES") {
    message = `cannot start kernel '${opts.spec.name}': \`${argv[0]}\` is not executable ${where}`;
  } else {
    const detail = err instanceof Error ? err.message : String(err);
    message = `cannot start kernel '${opts.spec.name}': ${detail} ${where}`;
  }
  return new UpdraftError(ErrorCodes.KERNEL, message, { cause: err });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
