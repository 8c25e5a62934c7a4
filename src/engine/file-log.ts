/** An attempt's log file, opened on the first write so tasks that print nothing cost nothing. */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { LogSink } from "../tasks/types.js";

/** Appends to a file; synchronous writes keep lines in order across stdout and stderr. */
export class FileLog implements LogSink {
  private fd: number | undefined;
  private closed = false;

  constructor(readonly path: string) {}

  /** Appends a chunk. Writes after close are dropped (a process may flush late). */
  write(chunk: string | Uint8Array): void {
    if (this.closed) return;
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, "a");
    }
    if (typeof chunk === "string") writeSync(this.fd, chunk);
    else writeSync(this.fd, chunk);
  }

  /** Closes the file. */
  close(): void {
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
