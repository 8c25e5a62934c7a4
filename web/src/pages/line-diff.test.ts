import { expect, test } from "vitest";
import { MAX_CELLS, diffStats, lineDiff } from "./line-diff.js";

const show = (before: string, after: string) =>
  lineDiff(before, after).map((l) => `${{ same: " ", removed: "-", added: "+" }[l.kind]}${l.text}`);

test("kept, removed and added lines, with their line numbers on each side", () => {
  const before = "name: etl\nschedule: '@daily'\ntasks:\n  a: {type: empty}\n";
  const after = "name: etl\ntasks:\n  a: {type: empty}\n  b: {type: empty}\n";
  expect(show(before, after)).toEqual([
    " name: etl",
    "-schedule: '@daily'",
    " tasks:",
    "   a: {type: empty}",
    "+  b: {type: empty}",
  ]);
  const lines = lineDiff(before, after);
  expect(lines[1]).toEqual({ kind: "removed", text: "schedule: '@daily'", oldLine: 2 });
  expect(lines[4]).toEqual({ kind: "added", text: "  b: {type: empty}", newLine: 4 });
  expect(lines[3]).toMatchObject({ oldLine: 4, newLine: 3 });
  expect(diffStats(lines)).toEqual({ removed: 1, added: 1 });
});

test("a changed line in the middle is removed then added; equal texts have no change", () => {
  expect(show("a\nb\nc", "a\nB\nc")).toEqual([" a", "-b", "+B", " c"]);
  expect(diffStats(lineDiff("x\ny\n", "x\ny\n"))).toEqual({ removed: 0, added: 0 });
  expect(show("", "new")).toEqual(["+new"]);
  expect(show("old\r\n", "")).toEqual(["-old"]);
});

test("texts too large for the table still diff, without the quadratic table", () => {
  const n = Math.ceil(Math.sqrt(MAX_CELLS)) + 10;
  const before = Array.from({ length: n }, (_, i) => `a${i}`).join("\n");
  const after = Array.from({ length: n }, (_, i) => `b${i}`).join("\n");
  const t0 = performance.now();
  const lines = lineDiff(`head\n${before}\ntail`, `head\n${after}\ntail`);
  expect(performance.now() - t0).toBeLessThan(2000);
  expect(diffStats(lines)).toEqual({ removed: n, added: n });
  expect(lines[0]).toMatchObject({ kind: "same", text: "head" });
  expect(lines.at(-1)).toMatchObject({
    kind: "same",
    text: "tail",
    oldLine: n + 2,
    newLine: n + 2,
  });
});
