import { expect, test } from "vitest";
import { FlowCache, flowEdges, unplaced } from "./flow.js";
import type { DesignDoc } from "./model.js";
import { moveTasks } from "./task-ops.js";
import { checkDoc } from "./validation.js";
import { parseYaml } from "./yaml-text.js";

function doc(yaml: string): DesignDoc {
  const r = parseYaml(`name: f\n${yaml}`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.doc;
}

const d = doc(
  "tasks:\n  a: { type: empty }\n  b: { type: empty, needs: [a] }\n  c: { type: empty, needs: [ghost] }\nui: { positions: { a: { x: 1, y: 2 } } }\n",
);

test("nodes carry task, position, issues and selection; unchanged nodes keep identity", () => {
  const cache = new FlowCache();
  const issues = checkDoc(d);
  const first = cache.nodesOf(d, issues, new Set(["a"]));
  expect(first.map((n) => [n.id, n.selected, n.data.issues.length])).toEqual([
    ["a", true, 0],
    ["b", false, 0],
    ["c", false, 1],
  ]);
  expect(first[0]!.position).toEqual({ x: 1, y: 2 });
  expect(first[2]!.ariaLabel).toBe("Task c, empty, 1 problem");
  const moved = moveTasks(d, { b: { x: 9, y: 9 } });
  const second = cache.nodesOf(moved, checkDoc(moved), new Set(["a"]));
  expect(second[0]).toBe(first[0]);
  expect(second[1]).not.toBe(first[1]);
  expect(second[2]).toBe(first[2]);
  expect(cache.nodesOf(moved, undefined, new Set())[0]).not.toBe(first[0]);
});

test("edges come from known needs; unplaced lists tasks without a position", () => {
  expect(flowEdges(d)).toEqual([{ id: "a->b", source: "a", target: "b", ariaLabel: "b needs a" }]);
  expect(unplaced(d)).toEqual(["b", "c"]);
});

test("a measured size is carried by the node and renews only that node", () => {
  const cache = new FlowCache();
  const first = cache.nodesOf(d, undefined, new Set());
  cache.measure("b", { width: 200, height: 60 });
  const second = cache.nodesOf(d, undefined, new Set());
  expect(second[0]).toBe(first[0]);
  expect(second[1]!.measured).toEqual({ width: 200, height: 60 });
  cache.measure("b", { width: 200, height: 60 });
  expect(cache.nodesOf(d, undefined, new Set())[1]).toBe(second[1]);
});
