/**
 * The log of one replica: its own file in the attempt directory, and the attempt's log
 * with every line prefixed by the replica's name, so interleaved replicas stay readable.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { LogSink, SecretMasking } from "../types.js";

/** Longest partial line kept before it is written out anyway (a progress bar without newlines). */
const MAX_PENDING_BYTES = 64 * 1024;

/** A replica's log sink; `close()` writes out a last unterminated line and closes the file. */
export class ReplicaLog implements LogSink {
  private readonly fd: number;
  private pending: Buffer = Buffer.alloc(0);
  private readonly prefix: Buffer;
  private closed = false;
  /** The replica's file, through the attempt's secret masking when it has any. */
  private readonly file: LogSink & { flush?(): void };

  /** Opens (truncating) `file` and prefixes lines written to `attemptLog` with `[name] `. */
  constructor(
    file: string,
    name: string,
    private readonly attemptLog: LogSink,
    masking?: SecretMasking,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, "w");
    const raw: LogSink = {
      write: (c) => void (typeof c === "string" ? writeSync(this.fd, c) : writeSync(this.fd, c)),
    };
    this.file = masking?.wrap(raw) ?? raw;
    this.prefix = Buffer.from(`[${name}] `);
  }

  /** Appends output of the replica. */
  write(chunk: string | Uint8Array): void {
    if (this.closed) return;
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
    this.file.write(bytes);
    let data = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    for (;;) {
      const nl = data.indexOf(10);
      if (nl < 0) break;
      this.attemptLog.write(Buffer.concat([this.prefix, data.subarray(0, nl + 1)]));
      data = data.subarray(nl + 1);
    }
    if (data.length > MAX_PENDING_BYTES) {
      this.attemptLog.write(Buffer.concat([this.prefix, data, Buffer.from("\n")]));
      data = Buffer.alloc(0);
    }
    this.pending = Buffer.from(data);
  }

  /** Flushes the last partial line to the attempt log and closes the replica's file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pending.length > 0) {
      this.attemptLog.write(Buffer.concat([this.prefix, this.pending, Buffer.from("\n")]));
      this.pending = Buffer.alloc(0);
    }
    this.file.flush?.();
    closeSync(this.fd);
  }
}
