/**
 * Server-sent events over a plain HTTP response: named events with JSON data, a comment
 * every 15 s so proxies keep the connection open, and a cap on what a slow client may
 * leave unread (past it the stream is closed: the client reconnects and re-reads state).
 */
import type { ServerResponse } from "node:http";

/** Unread bytes a client may hold before it is dropped. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

/** One open event stream. */
export class SseStream {
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly onCloseFns: (() => void)[] = [];

  constructor(private readonly res: ServerResponse) {
    res.statusCode = 200;
    res.setHeader("content-type", "text/event-stream; charset=utf-8");
    res.setHeader("cache-control", "no-store");
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
    // Tells nginx-like proxies not to buffer the stream.
    res.setHeader("x-accel-buffering", "no");
    res.flushHeaders();
    res.write(": connected\n\n");
    this.heartbeat = setInterval(() => this.write(": keep-alive\n\n"), HEARTBEAT_MS);
    this.heartbeat.unref();
    res.on("close", () => this.close());
  }

  /** True once the client left or the stream was ended. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends one event; `data` is sent as JSON on a single line. */
  send(event: string, data: unknown, id?: string): void {
    // JSON.stringify never emits raw newlines, so one `data:` line is enough.
    const head = id === undefined ? "" : `id: ${id.replace(/[\r\n]/g, "")}\n`;
    this.write(`${head}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Runs `fn` when the stream closes (client gone or `close`). */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.onCloseFns.push(fn);
  }

  /** Ends the stream. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const fn of this.onCloseFns.splice(0)) fn();
    this.res.end();
  }

  private write(text: string): void {
    if (this.closed) return;
    if (this.res.writableLength > MAX_BUFFERED_BYTES) {
      this.close();
      return;
    }
    this.res.write(text);
  }
}
