import { expect, test } from "vitest";
import { runGraphLayout } from "./run-graph.js";

const doc = {
  name: "wf",
  tasks: {
    a: { type: "shell", command: "true" },
    b: { type: "notebook", notebook: "b.ipynb", needs: ["a"] },
    c: { type: "empty", needs: ["a", "b"] },
  },
};

test("auto-layout places every edge left to right and reports task types", () => {
  const l = runGraphLayout(doc, ["a", "b", "c"]);
  expect(l.edges.map((e) => e.id).sort()).toEqual(["a->b", "a->c", "b->c"]);
  for (const e of l.edges) expect(l.positions[e.source]!.x).toBeLessThan(l.positions[e.target]!.x);
  expect(l.types).toEqual({ a: "shell", b: "notebook", c: "empty" });
});

test("positions the designer saved are used when every task has one", () => {
  const saved = {
    ...doc,
    ui: { positions: { a: { x: 5, y: 6 }, b: { x: 300, y: 6 }, c: { x: 600, y: 6 } } },
  };
  expect(runGraphLayout(saved, ["a", "b", "c"]).positions["a"]).toEqual({ x: 5, y: 6 });
});

test("without a readable document, the run's tasks stand in a row, unconnected", () => {
  for (const d of [undefined, { tasks: 7 }] as ({ tasks: number } | undefined)[]) {
    const l = runGraphLayout(d, ["x", "y"]);
    expect(l.edges).toEqual([]);
    expect(l.positions["x"]!.y).toBe(l.positions["y"]!.y);
    expect(l.positions["x"]!.x).toBeLessThan(l.positions["y"]!.x);
  }
});

test("tasks only in the run are added below; tasks only in the document are left out", () => {
  const l = runGraphLayout(doc, ["a", "b", "extra"]);
  expect(Object.keys(l.positions).sort()).toEqual(["a", "b", "extra"]);
  expect(l.edges.map((e) => e.id)).toEqual(["a->b"]);
});
