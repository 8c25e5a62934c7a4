/**
 * Server-sent events read from a fetch() body. Browsers' EventSource cannot send an
 * Authorization header, so the app streams with fetch and parses the event-stream format
 * (WHATWG HTML §9.2) here: CR, LF and CRLF line ends (also split across chunks), comments
 * (the server's keep-alives), `event`, `data` (multi-line), `id` and `retry` fields. The
 * input is untrusted: invalid UTF-8 becomes U+FFFD, and a line or event past a size cap is
 * dropped (counted) instead of growing memory without bound.
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event` field, `message` when none was given. */
  event: string;
  /** The `data` lines joined with `\n`. */
  data: string;
  /** The last event id seen on the stream so far (undefined when none). */
  id: string | undefined;
}

/** Size caps on what one stream may make the parser hold. */
export interface SseLimits {
  /** Longest line kept, in UTF-16 code units; a longer line drops its event. */
  maxLineChars: number;
  /** Largest `data` of one event, in code units; a larger event is dropped. */
  maxEventChars: number;
}

/** Caps large enough for the server's biggest event (a 64 KiB log chunk as JSON). */
export const DEFAULT_SSE_LIMITS: SseLimits = {
  maxLineChars: 2 * 1024 * 1024,
  maxEventChars: 4 * 1024 * 1024,
};

/** Incremental event-stream parser: feed it text, it returns the events completed. */
export class SseParser {
  private line = "";
  private lineTooLong = false;
  private afterCr = false;
  private data: string[] = [];
  private dataChars = 0;
  private eventType = "";
  private eventTooLarge = false;
  private started = false;
  /** The stream's last event id (kept across events, as the spec says). */
  lastEventId: string | undefined;
  /** The reconnection delay the server asked for with `retry:`, in ms. */
  retryMs: number | undefined;
  /** Events dropped because a line or the event exceeded a cap. */
  dropped = 0;

  constructor(private readonly limits: SseLimits = DEFAULT_SSE_LIMITS) {}

  /** Parses the next piece of decoded text. */
  push(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let s = text;
    if (!this.started && s.length > 0) {
      this.started = true;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    let i = 0;
    while (i < s.length) {
      if (this.afterCr) {
        this.afterCr = false;
        // The LF of a CRLF split across chunks ends nothing more.
        if (s.charCodeAt(i) === 10) {
          i++;
          continue;
        }
      }
      const cr = s.indexOf("\r", i);
      const lf = s.indexOf("\n", i);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) {
        this.append(s.slice(i));
        break;
      }
      this.append(s.slice(i, end));
      if (s.charCodeAt(end) === 13) {
        if (end + 1 < s.length) {
          i = s.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
        } else {
          this.afterCr = true;
          i = end + 1;
        }
      } else {
        i = end + 1;
      }
      this.endLine(out);
    }
    return out;
  }

  /** Ends the stream: an event without its closing blank line is discarded, per the spec. */
  finish(): void {
    this.line = "";
    this.lineTooLong = false;
    this.resetEvent();
  }

  private append(piece: string): void {
    if (this.lineTooLong) return;
    if (this.line.length + piece.length > this.limits.maxLineChars) {
      this.lineTooLong = true;
      this.line = "";
      return;
    }
    this.line += piece;
  }

  private endLine(out: SseEvent[]): void {
    const line = this.line;
    const tooLong = this.lineTooLong;
    this.line = "";
    this.lineTooLong = false;
    if (tooLong) {
      this.eventTooLarge = true;
      return;
    }
    if (line === "") {
      this.dispatch(out);
      return;
    }
    if (line.startsWith(":")) return; // a comment (keep-alive)
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.dataChars += value.length + 1;
        if (this.dataChars > this.limits.maxEventChars) this.eventTooLarge = true;
        else this.data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^[0-9]{1,9}$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  private dispatch(out: SseEvent[]): void {
    if (this.eventTooLarge) {
      this.dropped++;
    } else if (this.data.length > 0) {
      out.push({
        event: this.eventType === "" ? "message" : this.eventType,
        data: this.data.join("\n"),
        id: this.lastEventId,
      });
    }
    this.resetEvent();
  }

  private resetEvent(): void {
    this.data = [];
    this.dataChars = 0;
    this.eventType = "";
    this.eventTooLarge = false;
  }
}

/**
 * Reads an event-stream body to its end (or until `signal` aborts, which cancels the
 * body and resolves), calling `onEvent` for each event. Returns the parser, whose
 * `lastEventId` and `retryMs` a reconnect uses.
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (e: SseEvent) => void,
  signal?: AbortSignal,
  parser: SseParser = new SseParser(),
): Promise<SseParser> {
  const reader = body.getReader();
  // Not fatal: a stray invalid byte from the server becomes U+FFFD, not a dead stream.
  const decoder = new TextDecoder("utf-8");
  const abort = () => void reader.cancel().catch(() => undefined);
  if (signal?.aborted) {
    abort();
    return parser;
  }
  signal?.addEventListener("abort", abort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const e of parser.push(decoder.decode(value, { stream: true }))) {
        if (signal?.aborted) return parser;
        onEvent(e);
      }
    }
    for (const e of parser.push(decoder.decode())) onEvent(e);
    parser.finish();
    return parser;
  } catch (err) {
    if (signal?.aborted) return parser;
    throw err;
  } finally {
    signal?.removeEventListener("abort", abort);
  }
}

/** How {@link followSse} opens, reads and reopens a stream. */
export interface FollowSseOptions {
  /** Opens the stream; `lastEventId` is the id to send as `Last-Event-ID`, when one was seen. */
  open: (lastEventId: string | undefined, signal: AbortSignal) => Promise<Response>;
  onEvent: (e: SseEvent) => void;
  /** Called each time a stream opens (the first time and after each reconnect). */
  onOpen?: (reconnect: boolean) => void;
  /** Called when a stream fails and a reconnect is scheduled. */
  onRetry?: (err: unknown, delayMs: number) => void;
  /** Whether to open again after the server ended the stream cleanly (default true). */
  reconnectOnEnd?: () => boolean;
  signal: AbortSignal;
  /** First reconnection delay; doubled on each failure in a row, up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Failures in a row after which the last error is thrown (default: never give up). */
  maxFailures?: number;
  /** Waits `ms` unless aborted (injected so tests need not wait). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Follows an event stream across disconnects: reopens it after an error (with backoff)
 * or a clean end (unless `reconnectOnEnd` says no), sending the last event id seen. The
 * server may close a slow client's stream on purpose, so callers re-read state in
 * `onOpen(true)`. Resolves when aborted or when the stream ends for good; throws a
 * non-retryable error (a 4xx answer) or after `maxFailures`.
 */
export async function followSse(opts: FollowSseOptions): Promise<void> {
  const { signal } = opts;
  const sleep = opts.sleep ?? abortableSleep;
  const base = opts.retryMs ?? 1000;
  const max = opts.maxRetryMs ?? 30_000;
  let lastId: string | undefined;
  let serverRetry: number | undefined;
  let failures = 0;
  let opened = false;
  while (!signal.aborted) {
    let delay: number;
    try {
      const res = await opts.open(lastId, signal);
      if (res.body === null) throw new Error("the event stream has no body");
      opts.onOpen?.(opened);
      opened = true;
      failures = 0;
      const parser = new SseParser();
      parser.lastEventId = lastId;
      const done = await readSse(res.body, opts.onEvent, signal, parser);
      lastId = done.lastEventId;
      serverRetry = done.retryMs ?? serverRetry;
      if (signal.aborted || !(opts.reconnectOnEnd?.() ?? true)) return;
      delay = serverRetry ?? base;
    } catch (err) {
      if (signal.aborted) return;
      if (isClientError(err)) throw err;
      failures++;
      if (opts.maxFailures !== undefined && failures >= opts.maxFailures) throw err;
      delay = Math.min(max, (serverRetry ?? base) * 2 ** (failures - 1));
      opts.onRetry?.(err, delay);
    }
    await sleep(delay, signal);
  }
}

// A 4xx (bad id, no such run, signed out) will not get better by asking again.
function isClientError(err: unknown): boolean {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 400 && status < 500;
}
