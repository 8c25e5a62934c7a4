/**
 * The public option and result types of the kernel client, kept apart so that callers
 * (executor, pool) can import them without the ZeroMQ machinery.
 */
import type { JupyterMessage } from "./wire.js";

/** Options of `KernelClient.start`. */
export interface KernelStartOptions {
  cwd: string;
  /** The kernel's base environment (the spec's `env` is applied on top). */
  env: NodeJS.ProcessEnv;
  /** Time from launch to kernel_info_reply; default 60000. */
  startupTimeoutMs?: number;
  /** Receives the kernel process's stdout/stderr (e.g. for a task log). */
  onOutput?: (chunk: Buffer) => void;
  /** Receives protocol problems that were survived (dropped messages and the like). */
  onWarning?: (message: string) => void;
  /** Heartbeat ping interval while busy; default 1000 (dead after 3 missed). */
  heartbeatIntervalMs?: number;
}

/** Options of `KernelClient.execute`. */
export interface ExecuteOptions {
  /** Every iopub message of this request, in order (status, execute_input, outputs, ...). */
  onIopub: (msg: JupyterMessage) => void;
  /** On expiry the kernel is interrupted and the call rejects with E_TASK_TIMEOUT. */
  timeoutMs?: number;
  /** Aborting interrupts the kernel and rejects with the abort reason. */
  signal?: AbortSignal;
  storeHistory?: boolean;
  /**
   * Default false: the kernel itself raises an error on input() (as nbclient). When true,
   * input requests get an empty string and a warning is written to the cell's stderr,
   * since a batch run has nobody to ask.
   */
  allowStdin?: boolean;
  silent?: boolean;
  userExpressions?: Record<string, string>;
  /** Ask the kernel to abort queued requests after an error; default true. */
  stopOnError?: boolean;
}

/** The content of an execute_reply. */
export interface ExecuteReply {
  status: "ok" | "error" | "aborted";
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  user_expressions?: { [name: string]: unknown };
  [key: string]: unknown;
}

/** What `KernelClient.execute` resolves with. */
export interface ExecuteResult {
  reply: ExecuteReply;
  /** False when the reply came but the kernel's final idle status did not (outputs may be missing). */
  outputsComplete: boolean;
}

/** The content of a kernel_info_reply (language_info tells the notebook language). */
export interface KernelInfo {
  protocol_version?: string;
  implementation?: string;
  language_info?: {
    name?: string;
    version?: string;
    file_extension?: string;
    [key: string]: unknown;
  };
  banner?: string;
  [key: string]: unknown;
}
