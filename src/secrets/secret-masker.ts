/**
 * Masking of one set of secrets everywhere an attempt's data leaves the process: log
 * streams (through MaskingLogSink), single strings (an error message) and JSON values
 * (outputs, an executed notebook). The automaton is built once and shared.
 */
import { setOwn } from "../spec/json.js";
import type { JsonValue } from "../spec/types.js";
import type { LogSink } from "../tasks/types.js";
import { MaskingLogSink, secretMatcher } from "./masking-log-sink.js";
import type { PatternMatcher } from "./pattern-matcher.js";

/** Masks `secrets` (and their encodings, see secretVariants) by `***`. */
export class SecretMasker {
  private readonly matcher: PatternMatcher;

  /** Throws E_VALIDATION for a secret too short or too long to mask (see maskableSecret). */
  constructor(secrets: Iterable<string>) {
    this.matcher = secretMatcher(secrets);
  }

  /** False when there is nothing to mask (every secret empty). */
  get active(): boolean {
    return this.matcher.maxLength > 0;
  }

  /** A sink writing into `inner` with the secrets masked; `flush()` it when the output ends. */
  wrap(inner: LogSink): MaskingLogSink {
    return new MaskingLogSink(inner, this.matcher);
  }

  /** `text` with every secret replaced by `***`. */
  text(text: string): string {
    if (!this.active || text.length === 0) return text;
    const parts: Buffer[] = [];
    const sink = new MaskingLogSink(
      { write: (c) => void parts.push(Buffer.from(c)) },
      this.matcher,
    );
    sink.write(text);
    sink.flush();
    return Buffer.concat(parts).toString("utf8");
  }

  /** A copy of `value` with every string in it, object keys included, masked. */
  json(value: JsonValue): JsonValue {
    if (!this.active) return value;
    if (typeof value === "string") return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.json(v));
    if (value !== null && typeof value === "object") {
      const out: { [key: string]: JsonValue } = {};
      for (const [k, v] of Object.entries(value)) setOwn(out, this.text(k), this.json(v));
      return out;
    }
    return value;
  }
}
