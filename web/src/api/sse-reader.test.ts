import { describe, expect, test } from "vitest";
import { followSse, readSse, SseParser, type SseEvent } from "./sse-reader.js";

const enc = new TextEncoder();

/** A body that yields the given byte chunks. */
function body(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(typeof ch === "string" ? enc.encode(ch) : ch);
      c.close();
    },
  });
}

async function all(chunks: (string | Uint8Array)[]): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  await readSse(body(chunks), (e) => out.push(e));
  return out;
}

/** Every way of cutting `text` in two between code points. */
function splits(text: string): [string, string][] {
  const cps = Array.from(text);
  return cps.map((_, i) => [cps.slice(0, i).join(""), cps.slice(i).join("")]);
}

const STREAM =
  ': connected\n\nevent: task\ndata: {"a":1}\n\n: keep-alive\n\nevent: run\r\ndata: x\r\ndata: y\r\n\r\nid: 7\rdata: z\r\r';

describe("SseParser", () => {
  test("parses named events, comments, multi-line data and every line ending", async () => {
    expect(await all([STREAM])).toEqual([
      { event: "task", data: '{"a":1}', id: undefined },
      { event: "run", data: "x\ny", id: undefined },
      { event: "message", data: "z", id: "7" },
    ]);
  });

  test("gives the same events however the bytes are split, CRLF and UTF-8 included", async () => {
    const text = `${STREAM}event: log\r\ndata: {"text":"héllo → ✓ 😀"}\r\n\r\n`;
    const whole = await all([text]);
    expect(whole).toHaveLength(4);
    const bytes = enc.encode(text);
    for (let i = 0; i <= bytes.length; i++) {
      expect(await all([bytes.slice(0, i), bytes.slice(i)])).toEqual(whole);
    }
    for (const [a, b] of splits(text)) expect(await all([a, b])).toEqual(whole);
    // One byte at a time.
    expect(await all([...bytes].map((b) => Uint8Array.of(b)))).toEqual(whole);
  });

  test("strips one leading BOM, ignores unknown fields, a space after the colon only once", async () => {
    expect(await all(["\ufeffdata:  two spaces\nfoo: bar\ndata\n\n"])).toEqual([
      { event: "message", data: " two spaces\n", id: undefined },
    ]);
  });

  test("dispatches nothing for an event without data or a stream cut before its blank line", async () => {
    expect(await all(["event: x\n\nid: 3\n\ndata: cut"])).toEqual([]);
  });

  test("keeps the last id across events, ignores an id holding NUL, reads retry", () => {
    const p = new SseParser();
    const events = p.push(
      "id: a\ndata: 1\n\ndata: 2\n\nid: b\0c\nretry: 2500\nretry: soon\ndata: 3\n\n",
    );
    expect(events.map((e) => e.id)).toEqual(["a", "a", "a"]);
    expect(p.retryMs).toBe(2500);
  });

  test("turns invalid UTF-8 into U+FFFD without dying", async () => {
    const bad = Uint8Array.of(...enc.encode("data: a"), 0xff, 0xc3, ...enc.encode("b\n\n"));
    expect(await all([bad])).toEqual([{ event: "message", data: "a\ufffd\ufffdb", id: undefined }]);
  });

  test("drops an event whose line or total data exceeds the caps, and goes on", () => {
    const p = new SseParser({ maxLineChars: 100, maxEventChars: 150 });
    const huge = "x".repeat(60);
    const events = [
      ...p.push(`data: ${huge}`),
      ...p.push(`${huge}\n\ndata: ok\n\n`), // a 126-char line, split across pushes
      ...p.push(`data: ${huge}\ndata: ${huge}\ndata: ${huge}\n\ndata: after\n\n`),
    ];
    expect(events.map((e) => e.data)).toEqual(["ok", "after"]);
    expect(p.dropped).toBe(2);
  });

  test("a 10 MB line with no newline is held only up to the cap", () => {
    const p = new SseParser({ maxLineChars: 1024, maxEventChars: 4096 });
    const chunk = "y".repeat(1024 * 1024);
    for (let i = 0; i < 10; i++) expect(p.push(chunk)).toEqual([]);
    expect((p as unknown as { line: string }).line.length).toBeLessThanOrEqual(1024);
    expect(p.push("\n\ndata: fine\n\n").map((e) => e.data)).toEqual(["fine"]);
  });
});

describe("readSse", () => {
  test("abort cancels the body and resolves", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode("data: first\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    const ac = new AbortController();
    const seen: string[] = [];
    await readSse(
      stream,
      (e) => {
        seen.push(e.data);
        ac.abort();
      },
      ac.signal,
    );
    expect(seen).toEqual(["first"]);
    expect(cancelled).toBe(true);
  });
});

describe("followSse", () => {
  test("reconnects after an end and an error, sending the last id, with growing delays", async () => {
    const ac = new AbortController();
    const ids: (string | undefined)[] = [];
    const delays: number[] = [];
    const opens: boolean[] = [];
    const seen: string[] = [];
    let n = 0;
    await followSse({
      signal: ac.signal,
      retryMs: 10,
      open: (lastId) => {
        ids.push(lastId);
        n++;
        if (n === 1) return Promise.resolve(new Response(body(["id: 1\ndata: a\n\n"])));
        if (n === 2 || n === 3) return Promise.reject(new Error("network down"));
        return Promise.resolve(new Response(body(["data: b\n\n"])));
      },
      onOpen: (again) => opens.push(again),
      onEvent: (e) => {
        seen.push(e.data);
        if (e.data === "b") ac.abort();
      },
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    });
    expect(seen).toEqual(["a", "b"]);
    expect(ids).toEqual([undefined, "1", "1", "1"]);
    expect(opens).toEqual([false, true]);
    expect(delays).toEqual([10, 10, 20]);
  });

  test("stops when the stream ends and reconnectOnEnd says no; a 4xx is thrown at once", async () => {
    let opens = 0;
    await followSse({
      signal: new AbortController().signal,
      open: () => {
        opens++;
        return Promise.resolve(new Response(body(["event: end\ndata: {}\n\n"])));
      },
      onEvent: () => undefined,
      reconnectOnEnd: () => false,
    });
    expect(opens).toBe(1);
    const notFound = Object.assign(new Error("no run"), { status: 404 });
    await expect(
      followSse({
        signal: new AbortController().signal,
        open: () => Promise.reject(notFound),
        onEvent: () => undefined,
        sleep: () => Promise.resolve(),
      }),
    ).rejects.toBe(notFound);
  });

  test("gives up after maxFailures in a row", async () => {
    let opens = 0;
    await expect(
      followSse({
        signal: new AbortController().signal,
        open: () => {
          opens++;
          return Promise.reject(new Error("refused"));
        },
        onEvent: () => undefined,
        maxFailures: 3,
        sleep: () => Promise.resolve(),
      }),
    ).rejects.toThrow("refused");
    expect(opens).toBe(3);
  });
});
