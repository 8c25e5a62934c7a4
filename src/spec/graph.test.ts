import { describe, expect, it } from "vitest";
import { ErrorCodes, UpdraftError } from "./errors.js";
import {
  Ancestry,
  downstreamOf,
  findCycle,
  findCycles,
  topologicalOrder,
  upstreamOf,
  type GraphTasks,
} from "./graph.js";

const diamond: GraphTasks = {
  a: { needs: [] },
  b: { needs: ["a"] },
  c: { needs: ["a"] },
  d: { needs: ["c", "b"] },
  lone: { needs: [] },
};

describe("graph", () => {
  it("orders tasks after their needs, ties in declaration order", () => {
    expect(topologicalOrder({ tasks: diamond })).toEqual(["a", "lone", "b", "c", "d"]);
  });

  it("computes transitive upstream sets and direct downstream lists", () => {
    const up = upstreamOf({ tasks: diamond });
    expect([...(up.get("d") ?? [])].sort()).toEqual(["a", "b", "c"]);
    expect(up.get("a")?.size).toBe(0);
    expect(downstreamOf({ tasks: diamond }).get("a")).toEqual(["b", "c"]);
    expect(downstreamOf({ tasks: diamond }).get("d")).toEqual([]);
  });

  it("ignores needs naming unknown tasks", () => {
    expect(topologicalOrder({ tasks: { a: { needs: ["ghost"] } } })).toEqual(["a"]);
  });

  it("finds cycles in run order, one per component, self-needs included", () => {
    const tasks: GraphTasks = {
      a: { needs: ["c"] },
      b: { needs: ["a"] },
      c: { needs: ["b"] },
      x: { needs: ["x"] },
      ok: { needs: ["a"] },
    };
    expect(findCycle(tasks)).toEqual(["a", "b", "c", "a"]);
    expect(findCycles(tasks)).toEqual([
      ["a", "b", "c", "a"],
      ["x", "x"],
    ]);
    expect(findCycle(diamond)).toBeUndefined();
  });

  it("throws E_DAG_CYCLE naming the cycle", () => {
    try {
      topologicalOrder({ tasks: { a: { needs: ["b"] }, b: { needs: ["a"] } } });
      expect.fail("should throw");
    } catch (err) {
      expect(err).toBeInstanceOf(UpdraftError);
      expect((err as UpdraftError).code).toBe(ErrorCodes.DAG_CYCLE);
      expect((err as UpdraftError).message).toMatch(/a -> b -> a/);
    }
  });

  it("answers upstream queries on long chains without recursion", () => {
    const tasks: Record<string, { needs: string[] }> = {};
    for (let i = 0; i < 5000; i++) tasks[`t${i}`] = { needs: i === 0 ? [] : [`t${i - 1}`] };
    const ancestry = new Ancestry(tasks);
    expect(ancestry.isUpstream("t0", "t4999")).toBe(true);
    expect(ancestry.isUpstream("t4999", "t0")).toBe(false);
    expect(ancestry.isUpstream("t17", "t17")).toBe(false);
    expect(topologicalOrder({ tasks })).toHaveLength(5000);
    // a 5,000-task cycle is found iteratively too
    tasks["t0"] = { needs: ["t4999"] };
    expect(findCycle(tasks)).toHaveLength(5001);
  });
});
