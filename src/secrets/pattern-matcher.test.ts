import { describe, expect, it } from "vitest";
import { PatternMatcher } from "./pattern-matcher.js";

/** Every (end, length) match reported while feeding `text` byte by byte. */
function run(patterns: string[], text: string): [number, number][] {
  const m = new PatternMatcher(patterns.map((p) => Buffer.from(p)));
  const found: [number, number][] = [];
  let state = 0;
  Buffer.from(text).forEach((byte, i) => {
    state = m.step(state, byte);
    const length = m.matchLength(state);
    if (length > 0) found.push([i + 1, length]);
  });
  return found;
}

describe("PatternMatcher", () => {
  it("finds overlapping occurrences, reporting the longest match ending at each byte", () => {
    expect(run(["he", "she", "his", "hers"], "ushers")).toEqual([
      [4, 3],
      [6, 4],
    ]);
    expect(run(["aa"], "aaaa")).toEqual([
      [2, 2],
      [3, 2],
      [4, 2],
    ]);
  });

  it("tracks the depth of a partial match (what must be held back)", () => {
    const m = new PatternMatcher([Buffer.from("abcd")]);
    let s = 0;
    for (const b of Buffer.from("xab")) s = m.step(s, b);
    expect(m.depth(s)).toBe(2);
    s = m.step(s, "x".charCodeAt(0));
    expect(m.depth(s)).toBe(0);
    expect(m.maxLength).toBe(4);
  });

  it("handles no patterns and empty patterns", () => {
    expect(run([], "anything")).toEqual([]);
    expect(run([""], "anything")).toEqual([]);
    expect(new PatternMatcher([]).maxLength).toBe(0);
  });
});
