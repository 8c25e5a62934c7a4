import { expect, test } from "vitest";
import { appendTail, EMPTY_TAIL, tailOf } from "./log-tail.js";

test("10 MB of log appended in pieces keeps at most the cap plus a quarter, counting what was dropped", () => {
  const line = `${"x".repeat(99)}\n`;
  const piece = line.repeat(1000); // 100 kB
  let tail = EMPTY_TAIL;
  for (let i = 0; i < 100; i++) tail = appendTail(tail, piece, 64 * 1024);
  expect(tail.text.length).toBeLessThanOrEqual(80 * 1024);
  expect(tail.text.length + tail.dropped).toBe(100 * piece.length);
  expect(tail.text.startsWith("x")).toBe(true); // cut at a line start
  expect(tail.text.endsWith("x\n")).toBe(true);
});

test("ANSI colour codes are removed, text kept; an empty piece changes nothing", () => {
  const t = tailOf("\u001b[31mred\u001b[0m plain\n");
  expect(t.text).toBe("red plain\n");
  expect(appendTail(t, "")).toBe(t);
});

test("a single huge line is cut anyway", () => {
  const t = tailOf("y".repeat(1_000_000), 1000);
  expect(t.text.length).toBe(1000);
  expect(t.dropped).toBe(999_000);
});
