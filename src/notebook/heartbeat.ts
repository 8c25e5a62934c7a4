/**
 * The kernel heartbeat: a REQ socket that sends a ping and expects the same bytes back.
 * A kernel that misses several pings in a row is declared dead (it may be alive as a
 * process but stopped or wedged). Pings run only while the owner is waiting on the
 * kernel, so an idle kernel costs nothing and keeps no handle alive.
 */
import * as zmq from "zeromq";

/** Options of {@link Heartbeat}. */
export interface HeartbeatOptions {
  /** `tcp://host:port` of the kernel's heartbeat socket. */
  endpoint: string;
  /** Time between pings and the wait for each echo; default 1000. */
  intervalMs?: number;
  /** Missed echoes in a row that mean dead; default 3. */
  maxMissed?: number;
  /** Called once when the kernel is declared dead. */
  onDead: (missed: number) => void;
  /**
   * Whether misses may mean death right now. Some kernels (IRkernel) answer pings from
   * their main loop, so a long cell silences them; their owner returns false then.
   */
  missesAreFatal?: () => boolean;
  /** Called for each echo with the time its ping was sent. */
  onEcho?: (sentAt: number) => void;
}

/** Pings a kernel's heartbeat channel while running. */
export class Heartbeat {
  readonly #socket: zmq.Request;
  readonly #intervalMs: number;
  readonly #maxMissed: number;
  readonly #onDead: (missed: number) => void;
  readonly #fatal: () => boolean;
  readonly #onEcho: (sentAt: number) => void;
  #running = false;
  #closed = false;
  #dead = false;
  #missed = 0;
  #looping = false;

  constructor(opts: HeartbeatOptions) {
    this.#intervalMs = opts.intervalMs ?? 1000;
    this.#maxMissed = opts.maxMissed ?? 3;
    this.#onDead = opts.onDead;
    this.#fatal = opts.missesAreFatal ?? (() => true);
    this.#onEcho = opts.onEcho ?? (() => undefined);
    // relaxed + correlate: after a missed echo the REQ socket may send the next ping, and
    // a late echo of an old ping is not mistaken for the current one.
    this.#socket = new zmq.Request({
      linger: 0,
      relaxed: true,
      correlate: true,
      receiveTimeout: this.#intervalMs,
      reconnectInterval: 20,
    });
    this.#socket.connect(opts.endpoint);
  }

  /** True once the kernel missed `maxMissed` pings in a row. */
  get dead(): boolean {
    return this.#dead;
  }

  /** Starts pinging (no-op when already running). */
  start(): void {
    if (this.#running || this.#closed || this.#dead) return;
    this.#running = true;
    if (!this.#looping) void this.#run();
  }

  /** Stops pinging after the current ping; the miss count is kept. */
  stop(): void {
    this.#running = false;
  }

  /** Stops for good and closes the socket. */
  close(): void {
    this.#running = false;
    this.#closed = true;
    // A pending receive rejects on close; the loop sees `closed` and ends.
    this.#socket.close();
  }

  async #run(): Promise<void> {
    this.#looping = true;
    try {
      while (this.#running && !this.#closed && !this.#dead) {
        const started = Date.now();
        const ping = Buffer.from(`ping ${started}`);
        let ok = false;
        try {
          await this.#socket.send(ping);
          const [echo] = await this.#socket.receive();
          ok = echo !== undefined && echo.equals(ping);
        } catch {
          ok = false; // EAGAIN: no echo within the interval.
        }
        if (this.#closed) break;
        if (ok) this.#onEcho(started);
        this.#missed = ok ? 0 : this.#missed + 1;
        if (this.#missed >= this.#maxMissed && this.#fatal()) {
          this.#dead = true;
          this.#onDead(this.#missed);
          break;
        }
        const wait = this.#intervalMs - (Date.now() - started);
        if (wait > 0) await sleepUnref(wait);
      }
    } finally {
      this.#looping = false;
    }
  }
}

/** A sleep that does not keep Node alive by itself. */
function sleepUnref(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
