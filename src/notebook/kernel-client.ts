/**
 * A Jupyter kernel and the client that drives it over ZeroMQ: shell, iopub, control,
 * stdin and heartbeat channels, readiness by kernel_info, cell execution with timeouts,
 * interrupts and death detection, and a shutdown that always leaves no process behind.
 *
 * Sockets are read only while an operation is in progress (start, execute, interrupt,
 * shutdown), with short receive timeouts, so an idle client keeps no handle that would
 * keep Node alive; messages that arrive meanwhile wait in ZeroMQ's queues.
 */
import * as zmq from "zeromq";
import { ErrorCodes, TaskError, UpdraftError } from "../spec/errors.js";
import {
  endpoint,
  newConnectionInfo,
  reservePorts,
  writeConnectionFile,
  type ConnectionFile,
} from "./connection.js";
import { Heartbeat } from "./heartbeat.js";
import { describeExit, KernelProcess } from "./kernel-process.js";
import type { KernelSpec } from "./kernelspec.js";
import type {
  ExecuteOptions,
  ExecuteReply,
  ExecuteResult,
  KernelInfo,
  KernelStartOptions,
} from "./kernel-types.js";
import { Session, type JupyterMessage, type MessageHeader } from "./wire.js";

export type { ExecuteOptions, ExecuteReply, ExecuteResult, KernelInfo, KernelStartOptions };

/** How long a cell gets to finish after an interrupt before the call gives up on it. */
const INTERRUPT_GRACE_MS = 3000;
/** How long to wait for the final idle status once the execute_reply is in. */
const IOPUB_GRACE_MS = 3000;
/** Receive timeout: the longest an idle-bound receive can hold Node alive. */
const RECEIVE_TIMEOUT_MS = 250;
/** Time to read iopub messages still in flight after the kernel process exited. */
const DRAIN_AFTER_EXIT_MS = 50;
/** How long a kernel that acknowledged shutdown_request gets to exit by itself. */
const EXIT_AFTER_REPLY_MS = 300;
/** Death cause recorded by shutdown(), so a running cell is told the truth. */
const SHUT_DOWN = "shut down";
/** Start attempts when a reserved port was taken before the kernel could bind it. */
const START_ATTEMPTS = 3;

type Handler = (msg: JupyterMessage) => void;

/** A started kernel; create with {@link KernelClient.start}. */
export class KernelClient {
  readonly spec: KernelSpec;
  readonly pid: number;
  readonly #proc: KernelProcess;
  readonly #conn: ConnectionFile;
  readonly #session: Session;
  readonly #shell = new zmq.Dealer({
    linger: 0,
    receiveTimeout: RECEIVE_TIMEOUT_MS,
    reconnectInterval: 20,
  });
  readonly #iopub = new zmq.Subscriber({
    linger: 0,
    receiveTimeout: RECEIVE_TIMEOUT_MS,
    reconnectInterval: 20,
  });
  readonly #control = new zmq.Dealer({
    linger: 0,
    receiveTimeout: RECEIVE_TIMEOUT_MS,
    reconnectInterval: 20,
  });
  readonly #stdin = new zmq.Dealer({
    linger: 0,
    receiveTimeout: RECEIVE_TIMEOUT_MS,
    reconnectInterval: 20,
  });
  readonly #heartbeat: Heartbeat;
  readonly #warn: (message: string) => void;
  /** Reply handlers by request msg_id, for shell and control. */
  readonly #replies = new Map<string, Handler>();
  readonly #iopubRoutes = new Map<string, Handler>();
  readonly #stdinRoutes = new Map<string, Handler>();
  readonly #deathListeners = new Set<(cause: string) => void>();
  readonly #sendChains = new Map<zmq.Socket, Promise<void>>();
  #kernelInfo: KernelInfo = {};
  #iopubSeen = false;
  /** When the running cell's kernel went busy; undefined when no cell runs. */
  #busySince: number | undefined;
  #hbAnswersWhileBusy = false;
  /** Why the kernel is gone ("exit code 1", "signal SIGKILL", ...), once it is. */
  #dead: string | undefined;
  #closed = false;
  #shutdown: Promise<void> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #active = 0;
  #gate = deferred();
  #keepAlive: NodeJS.Timeout | undefined;

  private constructor(
    spec: KernelSpec,
    proc: KernelProcess,
    conn: ConnectionFile,
    opts: KernelStartOptions,
  ) {
    this.spec = spec;
    this.pid = proc.pid;
    this.#proc = proc;
    this.#conn = conn;
    this.#warn = opts.onWarning ?? (() => undefined);
    this.#session = new Session(conn.info.key);
    const info = conn.info;
    // The stdin socket must share the shell's identity: the kernel routes input_request
    // to the identity that sent the execute_request.
    this.#shell.routingId = this.#session.id;
    this.#stdin.routingId = this.#session.id;
    this.#shell.connect(endpoint(info, info.shell_port));
    this.#control.connect(endpoint(info, info.control_port));
    this.#stdin.connect(endpoint(info, info.stdin_port));
    this.#iopub.connect(endpoint(info, info.iopub_port));
    this.#iopub.subscribe();
    this.#heartbeat = new Heartbeat({
      endpoint: endpoint(info, info.hb_port),
      intervalMs: opts.heartbeatIntervalMs,
      onDead: (missed) => {
        this.#die(`it stopped answering heartbeats: ${missed} missed`);
        // Declared dead: it must not linger, wedged, holding memory.
        void this.#proc.kill(500);
      },
      // Only kernels seen answering while busy (ipykernel's heartbeat thread) can be
      // judged by silence during a cell.
      missesAreFatal: () => this.#hbAnswersWhileBusy,
      onEcho: (sentAt) => {
        if (this.#busySince !== undefined && sentAt > this.#busySince)
          this.#hbAnswersWhileBusy = true;
      },
    });
    const onReply: Handler = (m) => {
      const id = m.parent_header.msg_id;
      if (id !== undefined) this.#replies.get(id)?.(m);
    };
    void this.#pump(this.#shell, "shell", onReply);
    void this.#pump(this.#control, "control", onReply);
    void this.#pump(this.#stdin, "stdin", (m) => this.#route(this.#stdinRoutes, m));
    void this.#pump(this.#iopub, "iopub", (m) => {
      this.#iopubSeen = true;
      this.#route(this.#iopubRoutes, m);
    });
    void proc.exited.then(async (exit) => {
      await sleep(DRAIN_AFTER_EXIT_MS); // outputs already sent are still being read
      this.#die(describeExit(exit));
    });
  }

  /**
   * Launches a kernel from `spec` and resolves once it answered kernel_info with iopub
   * connected. Rejects with E_KERNEL (with the kernel's last output) when it cannot start,
   * exits, or is not ready within `startupTimeoutMs`; nothing is left running then.
   */
  static async start(spec: KernelSpec, opts: KernelStartOptions): Promise<KernelClient> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await KernelClient.#startOnce(spec, opts);
      } catch (err) {
        const raced = err instanceof UpdraftError && /address already in use/i.test(err.message);
        if (!raced || attempt >= START_ATTEMPTS) throw err;
      }
    }
  }

  static async #startOnce(spec: KernelSpec, opts: KernelStartOptions): Promise<KernelClient> {
    const started = Date.now();
    const timeoutMs = opts.startupTimeoutMs ?? 60_000;
    const ports = await reservePorts(5);
    let conn: ConnectionFile;
    try {
      conn = await writeConnectionFile(newConnectionInfo(ports.ports, spec.name));
    } finally {
      await ports.release();
    }
    let proc: KernelProcess;
    try {
      proc = await KernelProcess.launch({
        spec,
        connectionFile: conn.path,
        cwd: opts.cwd,
        env: opts.env,
        onOutput: opts.onOutput,
      });
    } catch (err) {
      await conn.remove();
      throw err;
    }
    const client = new KernelClient(spec, proc, conn, opts);
    try {
      await client.#waitReady(Math.max(0, timeoutMs - (Date.now() - started)), timeoutMs);
      return client;
    } catch (err) {
      await client.shutdown({ timeoutMs: 0 });
      const tail = proc.outputTail();
      const message = err instanceof Error ? err.message : String(err);
      throw new UpdraftError(
        ErrorCodes.KERNEL,
        tail === "" ? message : `${message}; its last output:\n${tail}`,
        { cause: err },
      );
    }
  }

  /** The kernel_info_reply content (implementation, language_info, ...). */
  get kernelInfo(): KernelInfo {
    return this.#kernelInfo;
  }

  /** True while the kernel process runs, answers heartbeats and was not shut down. */
  get isAlive(): boolean {
    return (
      this.#dead === undefined &&
      !this.#closed &&
      this.#proc.exit === undefined &&
      !this.#heartbeat.dead
    );
  }

  /**
   * Runs `code` and resolves once both the execute_reply and the kernel's idle status for
   * it arrived, so every output has been delivered to `onIopub`. Calls run one at a time.
   * Rejects with E_TASK_TIMEOUT or the abort reason (after interrupting the kernel), or
   * E_KERNEL when the kernel dies meanwhile.
   */
  execute(code: string, opts: ExecuteOptions): Promise<ExecuteResult> {
    const run = (): Promise<ExecuteResult> => this.#execute(code, opts);
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Interrupts the running cell: SIGINT to the kernel's group, or interrupt_request for message-mode kernels. */
  async interrupt(): Promise<void> {
    if (!this.isAlive) return;
    if (this.spec.interruptMode !== "message") {
      this.#proc.signalGroup("SIGINT");
      return;
    }
    await this.#request(this.#control, "interrupt_request", {}, 5000).catch((err: unknown) => {
      this.#warn(
        `interrupt_request got no reply: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
  }

  /**
   * Asks the kernel to shut down, waits up to `timeoutMs` (default 3000) for it to exit,
   * then kills its whole process tree. Resolves only when no process of it is left.
   */
  shutdown(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.#shutdown ??= this.#doShutdown(opts.timeoutMs ?? 3000);
    return this.#shutdown;
  }

  async #doShutdown(timeoutMs: number): Promise<void> {
    this.#begin();
    try {
      if (this.#dead === undefined && this.#proc.exit === undefined) {
        this.#die(SHUT_DOWN);
        if (timeoutMs > 0) {
          const replied = this.#request(
            this.#control,
            "shutdown_request",
            { restart: false },
            timeoutMs,
          );
          await Promise.race([replied.catch(() => undefined), this.#proc.exited]);
          // After its reply the kernel only runs exit handlers; ipykernel's can wait many
          // seconds for children it signalled, which the kill below handles at once.
          await Promise.race([this.#proc.exited, sleep(EXIT_AFTER_REPLY_MS)]);
        }
      }
      this.#closed = true;
      // Also reaps whatever the kernel left running in its group after a clean exit.
      await this.#proc.kill(500);
    } finally {
      this.#closed = true;
      this.#heartbeat.close();
      for (const s of [this.#shell, this.#iopub, this.#control, this.#stdin]) s.close();
      this.#end();
      this.#gate.resolve(); // lets the receive loops see `closed` and end
      await this.#conn.remove();
    }
  }

  async #waitReady(timeoutMs: number, configuredMs: number): Promise<void> {
    this.#begin();
    try {
      await new Promise<void>((resolve, reject) => {
        let replied = false;
        const ids: string[] = [];
        const finish = (err?: UpdraftError): void => {
          clearInterval(resend);
          clearTimeout(timer);
          this.#deathListeners.delete(onDeath);
          for (const id of ids) this.#replies.delete(id);
          if (err === undefined) resolve();
          else reject(err);
        };
        const onReply: Handler = (m) => {
          if (m.header.msg_type !== "kernel_info_reply") return;
          this.#kernelInfo = m.content;
          replied = true;
          // As jupyter_client: ready only once iopub delivers too (the subscription takes
          // a moment to reach the kernel; earlier publications are lost - "slow joiner").
          if (this.#iopubSeen) finish();
        };
        const ask = (): void => {
          if (replied && this.#iopubSeen) return finish();
          const msg = this.#session.message("kernel_info_request", {});
          ids.push(msg.header.msg_id);
          this.#replies.set(msg.header.msg_id, onReply);
          this.#send(this.#shell, msg).catch(() => undefined);
        };
        const onDeath = (cause: string): void => {
          finish(
            new UpdraftError(
              ErrorCodes.KERNEL,
              `kernel '${this.spec.name}' exited during startup (${cause})`,
            ),
          );
        };
        const timer = setTimeout(() => {
          finish(
            new UpdraftError(
              ErrorCodes.KERNEL,
              `kernel '${this.spec.name}' did not become ready within ${formatSeconds(configuredMs)} (command: ${this.spec.argv.join(" ")})`,
            ),
          );
        }, timeoutMs);
        const resend = setInterval(ask, 100);
        this.#deathListeners.add(onDeath);
        if (this.#dead !== undefined) onDeath(this.#dead);
        else ask();
      });
    } finally {
      this.#end();
    }
  }

  async #execute(code: string, opts: ExecuteOptions): Promise<ExecuteResult> {
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    if (this.#dead !== undefined) {
      throw new UpdraftError(
        ErrorCodes.KERNEL,
        `kernel '${this.spec.name}' is not running (${this.#dead})`,
      );
    }
    const msg = this.#session.message("execute_request", {
      code,
      silent: opts.silent ?? false,
      store_history: opts.storeHistory ?? true,
      user_expressions: opts.userExpressions ?? {},
      allow_stdin: opts.allowStdin ?? false,
      stop_on_error: opts.stopOnError ?? true,
    });
    const id = msg.header.msg_id;
    this.#begin();
    this.#heartbeat.start();
    try {
      return await new Promise<ExecuteResult>((resolve, reject) => {
        let reply: ExecuteReply | undefined;
        let idle = false;
        let stopping: Error | undefined;
        let settled = false;
        const timers: NodeJS.Timeout[] = [];
        const finish = (outcome: () => void): void => {
          if (settled) return;
          settled = true;
          for (const t of timers) clearTimeout(t);
          this.#replies.delete(id);
          this.#iopubRoutes.delete(id);
          this.#stdinRoutes.delete(id);
          this.#deathListeners.delete(onDeath);
          opts.signal?.removeEventListener("abort", onAbort);
          outcome();
        };
        const done = (complete: boolean): void =>
          finish(() =>
            stopping !== undefined
              ? reject(stopping)
              : resolve({ reply: reply as ExecuteReply, outputsComplete: complete }),
          );
        const stop = (reason: Error): void => {
          if (stopping !== undefined) return;
          stopping = reason;
          this.interrupt().catch(() => undefined);
          // Outputs up to the interrupt (and its traceback) still arrive; then give up.
          timers.push(setTimeout(() => finish(() => reject(reason)), INTERRUPT_GRACE_MS));
        };
        const onAbort = (): void => stop(abortReason(opts.signal as AbortSignal));
        const onDeath = (cause: string): void => {
          const message =
            cause === SHUT_DOWN
              ? "the kernel was shut down while running this cell"
              : `the kernel died while running this cell (${cause})`;
          finish(() => reject(new UpdraftError(ErrorCodes.KERNEL, message)));
        };
        this.#iopubRoutes.set(id, (m) => {
          try {
            opts.onIopub(m);
          } catch (err) {
            stop(err instanceof Error ? err : new Error(String(err)));
          }
          if (m.header.msg_type === "status" && m.content.execution_state === "busy") {
            this.#busySince = Date.now();
          }
          if (m.header.msg_type === "status" && m.content.execution_state === "idle") {
            this.#busySince = undefined;
            idle = true;
            if (reply !== undefined) done(true);
          }
        });
        this.#replies.set(id, (m) => {
          if (m.header.msg_type !== "execute_reply" || reply !== undefined) return;
          reply = m.content as ExecuteReply;
          if (idle) return done(true);
          timers.push(
            setTimeout(() => {
              this.#warn(
                `no idle status for an execute_request within ${IOPUB_GRACE_MS} ms of its reply; outputs may be incomplete`,
              );
              done(false);
            }, IOPUB_GRACE_MS),
          );
        });
        this.#stdinRoutes.set(id, (m) => this.#answerInput(m, msg.header, opts.onIopub));
        this.#deathListeners.add(onDeath);
        opts.signal?.addEventListener("abort", onAbort, { once: true });
        if (opts.timeoutMs !== undefined) {
          const seconds = formatSeconds(opts.timeoutMs);
          timers.push(
            setTimeout(
              () =>
                stop(
                  new TaskError(
                    ErrorCodes.TASK_TIMEOUT,
                    `cell execution timed out after ${seconds}`,
                  ),
                ),
              opts.timeoutMs,
            ),
          );
        }
        this.#send(this.#shell, msg).catch((err: unknown) =>
          finish(() => reject(err instanceof Error ? err : new Error(String(err)))),
        );
      });
    } finally {
      this.#busySince = undefined;
      this.#heartbeat.stop();
      this.#end();
    }
  }

  /** Answers an input_request with an empty string and tells the cell why. */
  #answerInput(request: JupyterMessage, parent: MessageHeader, onIopub: Handler): void {
    if (request.header.msg_type !== "input_request") return;
    const reply = this.#session.message("input_reply", { value: "" }, request.header);
    this.#send(this.#stdin, reply).catch(() => undefined);
    const text = "Updraft: input() is not available in batch runs; it returned an empty string.\n";
    onIopub(this.#session.message("stream", { name: "stderr", text }, parent));
  }

  /** Sends a request and resolves with its reply (on the same socket). */
  async #request(
    socket: zmq.Dealer,
    type: string,
    content: object,
    timeoutMs: number,
  ): Promise<JupyterMessage> {
    const msg = this.#session.message(type, content);
    this.#begin();
    try {
      return await new Promise<JupyterMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#replies.delete(msg.header.msg_id);
          reject(
            new UpdraftError(
              ErrorCodes.KERNEL,
              `no ${type.replace("_request", "_reply")} within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        this.#replies.set(msg.header.msg_id, (m) => {
          clearTimeout(timer);
          this.#replies.delete(msg.header.msg_id);
          resolve(m);
        });
        this.#send(socket, msg).catch((err: unknown) =>
          reject(err instanceof Error ? err : new Error(String(err))),
        );
      });
    } finally {
      this.#end();
    }
  }

  /** Sends on `socket`, one message at a time (zeromq allows one pending send per socket). */
  #send(
    socket: zmq.Socket & { send(frames: Buffer[]): Promise<void> },
    msg: JupyterMessage<unknown>,
  ): Promise<void> {
    const frames = this.#session.encode(msg);
    const previous = this.#sendChains.get(socket) ?? Promise.resolve();
    const next = previous.then(() => socket.send(frames));
    this.#sendChains.set(
      socket,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Reads `socket` while an operation is in progress; drops (and reports) bad messages. */
  async #pump(
    socket: zmq.Socket & { receive(): Promise<Buffer[]> },
    name: string,
    handle: Handler,
  ): Promise<void> {
    while (!this.#closed) {
      if (this.#active === 0) await this.#gate.promise;
      if (this.#closed) break;
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch (err) {
        if (this.#closed) break;
        if ((err as { code?: string }).code !== "EAGAIN") {
          this.#warn(`${name} receive failed: ${err instanceof Error ? err.message : String(err)}`);
          await sleep(50); // never spin on a broken socket
        }
        continue;
      }
      const decoded = this.#session.decode(frames);
      if (!decoded.ok) {
        this.#warn(`dropped a message on ${name}: ${decoded.reason}`);
        continue;
      }
      try {
        handle(decoded.msg);
      } catch (err) {
        this.#warn(
          `handling a ${decoded.msg.header.msg_type} message failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }

  #route(routes: Map<string, Handler>, msg: JupyterMessage): void {
    const id = msg.parent_header.msg_id;
    if (id !== undefined) routes.get(id)?.(msg);
  }

  /** Records the kernel as gone (the first cause wins) and tells everyone waiting on it. */
  #die(cause: string): void {
    if (this.#dead !== undefined) return;
    this.#dead = cause;
    for (const listener of [...this.#deathListeners]) listener(cause);
  }

  /** Marks an operation in progress: sockets are read and Node is kept alive. */
  #begin(): void {
    if (this.#active++ === 0) {
      this.#keepAlive = setInterval(() => undefined, 1 << 30);
      this.#gate.resolve();
    }
  }

  #end(): void {
    if (--this.#active === 0) {
      clearInterval(this.#keepAlive);
      this.#gate = deferred();
    }
  }
}

/** The abort reason as an error: an UpdraftError (the engine aborts with a TaskError) as is, else a cancel. */
export function abortReason(signal: AbortSignal): UpdraftError {
  const reason: unknown = signal.reason;
  if (reason instanceof UpdraftError) return reason;
  return new TaskError(ErrorCodes.CANCELLED, "cell execution was cancelled", { cause: reason });
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
