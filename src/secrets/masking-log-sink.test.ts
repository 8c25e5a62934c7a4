import { describe, expect, it } from "vitest";
import { ErrorCodes } from "../spec/errors.js";
import type { LogSink } from "../tasks/types.js";
import { MaskingLogSink } from "./masking-log-sink.js";
import { secretVariants } from "./secret-variants.js";

/** A LogSink that keeps everything written, as bytes. */
class Collect implements LogSink {
  chunks: Buffer[] = [];
  write(chunk: string | Uint8Array): void {
    this.chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/** Masks `text` in one go, the obvious way: the union of every occurrence of every variant. */
function reference(text: string, secrets: string[]): string {
  const bytes = Buffer.from(text);
  const covered = new Uint8Array(bytes.length);
  for (const secret of secrets)
    for (const variant of secretVariants(secret)) {
      const v = Buffer.from(variant);
      for (let i = bytes.indexOf(v); i !== -1; i = bytes.indexOf(v, i + 1))
        covered.fill(1, i, i + v.length);
    }
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length;) {
    if (covered[i] === 1) {
      while (covered[i] === 1) i++;
      out.push(Buffer.from("***"));
    } else {
      const start = i;
      while (i < bytes.length && covered[i] !== 1) i++;
      out.push(bytes.subarray(start, i));
    }
  }
  return Buffer.concat(out).toString("utf8");
}

function masked(secrets: string[], chunks: (string | Uint8Array)[]): string {
  const out = new Collect();
  const sink = new MaskingLogSink(out, secrets);
  for (const c of chunks) sink.write(c);
  sink.flush();
  return out.text;
}

/** Deterministic pseudo-random numbers (the test must not depend on luck). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

function splitRandomly(bytes: Buffer, random: () => number, maxChunk: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length;) {
    const n = 1 + Math.floor(random() * maxChunk);
    chunks.push(bytes.subarray(i, i + n));
    i += n;
  }
  return chunks;
}

describe("MaskingLogSink", () => {
  it("masks a secret inside one chunk and passes everything else through", () => {
    expect(masked(["hunter2hunter2"], ["password is hunter2hunter2, ok\n"])).toBe(
      "password is ***, ok\n",
    );
    expect(masked(["hunter2hunter2"], ["nothing to see\n"])).toBe("nothing to see\n");
  });

  it("masks a secret split across chunks, down to one byte per chunk, and holds back only a possible start", () => {
    const out = new Collect();
    const sink = new MaskingLogSink(out, ["s3cr3t-value"]);
    sink.write("line 1\nthe key: s3cr");
    expect(out.text).toBe("line 1\nthe key: ");
    sink.write("3t-value\nline 3\n");
    expect(out.text).toBe("line 1\nthe key: ***\nline 3\n");
    for (const c of "x s3cr3t-value y") sink.write(c);
    sink.flush();
    expect(out.text).toBe("line 1\nthe key: ***\nline 3\nx *** y");
  });

  it("writes a held-back partial secret on flush when the secret never completes", () => {
    const out = new Collect();
    const sink = new MaskingLogSink(out, ["abcdefghij"]);
    sink.write("xx abcdefg");
    expect(out.text).toBe("xx ");
    sink.flush();
    expect(out.text).toBe("xx abcdefg");
    sink.flush();
    expect(out.text).toBe("xx abcdefg");
  });

  it("masks the base64, base64url, URL-encoded and JSON-escaped forms", () => {
    const secret = 'p@ss w/rd+"quote"?';
    const b64 = Buffer.from(secret).toString("base64");
    const basic = Buffer.from(`user:${secret}`).toString("base64");
    const text = [
      `raw ${secret}`,
      `b64 ${b64}`,
      `b64url ${Buffer.from(secret).toString("base64url")}`,
      `url ${encodeURIComponent(secret)}`,
      `form ${encodeURIComponent(secret).replace(/%20/g, "+")}`,
      `json ${JSON.stringify({ password: secret })}`,
      `basic Authorization: Basic ${basic}`,
    ].join("\n");
    const out = masked([secret], [text]);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(b64.slice(0, 12));
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain(JSON.stringify(secret).slice(1, -1));
    // Of the Basic header only what encodes "user:" and the padding bits remain.
    const basicLine = out.split("\n").at(-1) ?? "";
    expect(basicLine).toMatch(/^basic Authorization: Basic dXNlcj\S{0,2}\*\*\*\S{0,3}$/);
    expect(out.split("\n").map((l) => l.split(" ")[0])).toEqual([
      "raw",
      "b64",
      "b64url",
      "url",
      "form",
      "json",
      "basic",
    ]);
  });

  it("masks unicode secrets, in raw, JSON \\u-escaped and URL-encoded form, split inside a character", () => {
    const secret = "pässwörd-日本語-🔑";
    const bytes = Buffer.from(
      `a ${secret} b ${JSON.stringify(secret).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)} c ${encodeURIComponent(secret)}`,
    );
    const chunks = [...bytes].map((b) => Uint8Array.of(b));
    expect(masked([secret], chunks)).toBe('a *** b "***" c ***');
  });

  it("masks the union of overlapping and adjacent secrets as one mask", () => {
    expect(masked(["abcdefgh", "efghijkl"], ["xx abcdefghijkl yy"])).toBe("xx *** yy");
    expect(masked(["abcdefgh", "efgh1234"], ["abcdefgh1234"])).toBe("***");
    expect(masked(["abcdefgh", "cdef1234"], ["abcdef1234"])).toBe("ab***");
    expect(masked(["secret12"], ["secret12secret12 and secret12"])).toBe("*** and ***");
    // A short secret inside a long one, and a long one that starts before the short one.
    expect(masked(["bcdefghi", "abcdefghijklmnop"], ["-abcdefghijklmnoq-"])).toBe("-a***jklmnoq-");
    expect(masked(["bcdefghi", "abcdefghijklmnop"], ["-abcdefghijklmnop-"])).toBe("-***-");
  });

  it("keeps masking across a long run of overlapping repeats without holding unbounded output", () => {
    const out = new Collect();
    const sink = new MaskingLogSink(out, ["aaaaaaaa"]);
    for (let i = 0; i < 100_000; i++) sink.write("a");
    // Everything but a possible secret's start has been written as one growing mask.
    expect(out.text).toBe("***");
    sink.write("b");
    sink.flush();
    expect(out.text).toBe("***b");
  });

  it("matches the one-shot reference on random text with random chunking", () => {
    const random = rng(42);
    const secrets = ["hunter2hunter2", "abcabcabcabc", "ábcdéfgh", "xyzxyzxy", "token:xyzxyzxy!"];
    const alphabet = [
      "a",
      "b",
      "c",
      "x",
      "y",
      "z",
      "á",
      "é",
      "h",
      "u",
      "n",
      "t",
      "e",
      "r",
      "2",
      ":",
      "!",
      " ",
      "\n",
      ...secrets,
      ...secrets.flatMap(secretVariants),
    ];
    for (let round = 0; round < 60; round++) {
      let text = "";
      while (text.length < 400) text += alphabet[Math.floor(random() * alphabet.length)] ?? "";
      const bytes = Buffer.from(text);
      const expected = reference(text, secrets);
      expect(masked(secrets, splitRandomly(bytes, random, 1 + (round % 17)))).toBe(expected);
      expect(masked(secrets, [text])).toBe(expected);
    }
  });

  it("streams a 2 MB log in 1-byte chunks with constant held-back state", () => {
    const secret = "correct-horse-battery";
    const line = `progress ${".".repeat(40)} ${secret.slice(0, 10)} not quite, but this is: ${secret}\n`;
    const text = line.repeat(Math.ceil(2_000_000 / line.length));
    const out = new Collect();
    const sink = new MaskingLogSink(out, [secret]);
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i++) sink.write(bytes.subarray(i, i + 1));
    sink.flush();
    expect(out.text).toBe(reference(text, [secret]));
    expect(out.text).not.toContain(secret);
  });

  it("refuses secrets too short to mask safely, ignores empty ones, and passes through with none", () => {
    expect(() => new MaskingLogSink(new Collect(), ["x"])).toThrow(
      expect.objectContaining({
        code: ErrorCodes.VALIDATION,
        message: expect.stringContaining("too short") as unknown,
      }) as Error,
    );
    expect(() => new MaskingLogSink(new Collect(), ["1234567"])).toThrow(/at least 8/);
    expect(() => new MaskingLogSink(new Collect(), ["🔑🔑🔑🔑🔑🔑🔑"])).toThrow(/too short/); // 7 characters, 28 bytes
    expect(() => new MaskingLogSink(new Collect(), ["x".repeat(70_000)])).toThrow(/longer than/);
    const out = new Collect();
    const sink = new MaskingLogSink(out, ["", ""]);
    sink.write("all of it");
    sink.write(Uint8Array.of(0xff, 0x00));
    expect(Buffer.concat(out.chunks)).toEqual(
      Buffer.concat([Buffer.from("all of it"), Buffer.from([0xff, 0x00])]),
    );
  });

  it("does not leak the secret through its error messages", () => {
    try {
      new MaskingLogSink(new Collect(), ["shorty"]);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain("shorty");
    }
  });

  it("masks secrets containing NUL bytes, newlines and regex metacharacters in binary output", () => {
    const secret = "a.*b\u0000c\nd$^(e)";
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(secret),
      Buffer.from([0x80]),
    ]);
    const out = new Collect();
    const sink = new MaskingLogSink(out, [secret]);
    for (const b of bytes) sink.write(Uint8Array.of(b));
    sink.flush();
    expect(Buffer.concat(out.chunks)).toEqual(
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("***"), Buffer.from([0x80])]),
    );
  });
});
