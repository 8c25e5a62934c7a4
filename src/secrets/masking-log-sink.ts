/**
 * A LogSink that replaces every secret, in each of its common encodings, by `***` before
 * the log is written, even when a secret is split across writes (a process's output comes
 * in arbitrary chunks). Works on UTF-8 bytes, so multi-byte characters split between
 * chunks are no problem. Only the bytes that could still be the start of a secret are
 * held back; `flush()` writes them when the output ends.
 */
import type { LogSink } from "../tasks/types.js";
import { PatternMatcher } from "./pattern-matcher.js";
import { maskableSecret, secretVariants } from "./secret-variants.js";

/** What replaces a secret. */
export const MASK = "***";

/** A half-open byte range [start, end) of the stream to mask; `emitted`: its MASK is already written. */
interface Span {
  start: number;
  end: number;
  emitted: boolean;
}

/**
 * The automaton matching every variant of `secrets`; build it once to share between
 * sinks. Empty secrets are ignored; one too short or too long to mask throws E_VALIDATION.
 */
export function secretMatcher(secrets: Iterable<string>): PatternMatcher {
  const patterns = new Set<string>();
  for (const secret of secrets) {
    const value = maskableSecret(secret);
    if (value !== undefined) for (const variant of secretVariants(value)) patterns.add(variant);
  }
  return new PatternMatcher([...patterns].map((p) => Buffer.from(p, "utf8")));
}

/** Masks secrets in everything written through it. */
export class MaskingLogSink implements LogSink {
  private readonly matcher: PatternMatcher;
  private readonly mask = Buffer.from(MASK, "utf8");
  private state = 0;
  /** Bytes read but not yet written, starting at stream offset `pendingStart`. */
  private pending: Buffer = Buffer.alloc(0);
  private pendingStart = 0;
  /** Spans to mask that reach into `pending`, in order, disjoint and not touching. */
  private spans: Span[] = [];

  /**
   * Wraps `inner`. Empty secrets are ignored; one shorter than MIN_SECRET_LENGTH is refused
   * with E_VALIDATION (it cannot be masked without masking ordinary text). `secrets` may
   * also be a matcher from {@link secretMatcher}, shared by many sinks.
   */
  constructor(
    private readonly inner: LogSink,
    secrets: Iterable<string> | PatternMatcher,
  ) {
    this.matcher = secrets instanceof PatternMatcher ? secrets : secretMatcher(secrets);
  }

  /** Writes `chunk` with its secrets masked (possibly holding back a possible secret's start). */
  write(chunk: string | Uint8Array): void {
    if (this.matcher.maxLength === 0) {
      this.inner.write(chunk);
      return;
    }
    const bytes =
      typeof chunk === "string"
        ? Buffer.from(chunk, "utf8")
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let offset = this.pendingStart + this.pending.length;
    let state = this.state;
    for (let i = 0; i < bytes.length; i++) {
      state = this.matcher.step(state, bytes[i] ?? 0);
      offset++;
      const length = this.matcher.matchLength(state);
      if (length > 0) this.addSpan(offset - length, offset);
    }
    this.state = state;
    const all = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    this.emit(all, offset - this.matcher.depth(state));
  }

  /** Writes everything held back; call when the output ends (a secret split across a flush is not recognized). */
  flush(): void {
    if (this.pending.length === 0 && this.spans.length === 0) return;
    this.emit(this.pending, this.pendingStart + this.pending.length);
    this.spans = [];
    this.state = 0;
  }

  /** Adds [start, end), merging with spans it overlaps or touches; ends arrive in non-decreasing order. */
  private addSpan(start: number, end: number): void {
    let s = start;
    let emitted = false;
    for (
      let last = this.spans.at(-1);
      last !== undefined && last.end >= s;
      last = this.spans.at(-1)
    ) {
      s = Math.min(s, last.start);
      emitted ||= last.emitted;
      this.spans.pop();
    }
    this.spans.push({ start: s, end: Math.max(end, s), emitted });
  }

  /** Writes stream bytes [pendingStart, safe) of `all` (which starts at pendingStart), masked. */
  private emit(all: Buffer, safe: number): void {
    const base = this.pendingStart;
    const out: Buffer[] = [];
    let cursor = base;
    const kept: Span[] = [];
    for (const span of this.spans) {
      if (span.start >= safe) {
        kept.push(span);
        continue;
      }
      if (span.start > cursor) out.push(all.subarray(cursor - base, span.start - base));
      if (!span.emitted) out.push(this.mask);
      cursor = Math.min(span.end, safe);
      // A span ending exactly at `safe` stays as an empty marker, so a secret that starts
      // right after it joins its mask instead of writing a second one.
      if (span.end >= safe) kept.push({ start: safe, end: span.end, emitted: true });
    }
    if (safe > cursor) out.push(all.subarray(cursor - base, safe - base));
    this.spans = kept;
    // A copy: the held-back tail is small, and must not pin the caller's large chunk.
    this.pending = Buffer.from(all.subarray(safe - base));
    this.pendingStart = safe;
    if (out.length > 0)
      this.inner.write(out.length === 1 ? Buffer.from(out[0] ?? []) : Buffer.concat(out));
  }
}
