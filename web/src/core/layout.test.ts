import { expect, test } from "vitest";
import { edgesOf } from "./graph.js";
import { autoLayout, layoutPositions, NODE_SIZE } from "./layout.js";
import type { DesignDoc } from "./model.js";
import { parseYaml } from "./yaml-text.js";

function doc(yaml: string): DesignDoc {
  const r = parseYaml(`name: l\n${yaml}`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.doc;
}

const diamond = doc(
  [
    "tasks:",
    "  a: { type: empty }",
    "  b: { type: empty, needs: [a] }",
    "  c: { type: empty, needs: [a] }",
    "  d: { type: empty, needs: [b, c] }",
    "  lone: { type: empty }",
  ].join("\n"),
);

test("layers run left to right: every edge points right, one layer per depth", () => {
  const p = layoutPositions(diamond);
  expect(Object.keys(p).sort()).toEqual(["a", "b", "c", "d", "lone"]);
  for (const [s, t] of edgesOf(diamond))
    expect(p[t]!.x).toBeGreaterThanOrEqual(p[s]!.x + NODE_SIZE.width);
  expect(p["b"]!.x).toBe(p["c"]!.x);
  expect(Math.abs(p["b"]!.y - p["c"]!.y)).toBeGreaterThanOrEqual(NODE_SIZE.height);
});

test("autoLayout moves every task and is deterministic", () => {
  const once = autoLayout(diamond);
  expect(autoLayout(diamond).positions).toEqual(once.positions);
  expect(Object.keys(once.positions)).toHaveLength(5);
  expect(autoLayout(once)).toBe(once);
});

test("a document with a cycle still gets a layout", () => {
  const cyclic = doc(
    "tasks:\n  a: { type: empty, needs: [b] }\n  b: { type: empty, needs: [a] }\n",
  );
  expect(Object.keys(layoutPositions(cyclic))).toEqual(["a", "b"]);
});

test("a large graph (cheaper ranking past 150 tasks) still points every edge right", () => {
  const lines = ["tasks:"];
  for (let i = 0; i < 200; i++) {
    lines.push(
      `  t${i}: { type: empty${i >= 20 ? `, needs: [t${i - 20}, t${i - 19 - (i % 20 === 19 ? 20 : 0)}]` : ""} }`,
    );
  }
  const big = doc(lines.join("\n"));
  const p = layoutPositions(big);
  for (const [s, t] of edgesOf(big)) expect(p[t]!.x).toBeGreaterThan(p[s]!.x);
});
