import { describe, expect, test } from "vitest";
import {
  connect,
  disconnect,
  downstreamPath,
  downstreamSet,
  edgesOf,
  upstreamSet,
} from "./graph.js";
import type { DesignDoc } from "./model.js";
import { parseYaml } from "./yaml-text.js";

function doc(yaml: string): DesignDoc {
  const r = parseYaml(`name: g\n${yaml}`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.doc;
}

const chain = doc(
  "tasks:\n  a: { type: empty }\n  b: { type: empty, needs: [a] }\n  c: { type: empty, needs: [b] }\n  d: { type: empty }\n",
);

describe("connect", () => {
  test("adds the source to the target's needs", () => {
    const r = connect(chain, "c", "d");
    expect(r.ok && r.doc.tasks["d"]!.needs).toEqual(["c"]);
    expect(r.ok && r.doc.tasks["a"]).toBe(chain.tasks["a"]);
  });

  test("an existing edge gives the same document", () => {
    const r = connect(chain, "a", "b");
    expect(r.ok && r.doc).toBe(chain);
  });

  test("refuses a cycle and names it in run order", () => {
    const r = connect(chain, "c", "a");
    expect(r).toEqual({
      ok: false,
      message: "connecting c -> a would make a cycle: a -> b -> c -> a; a workflow must be a DAG",
    });
  });

  test("refuses a self-loop and unknown tasks", () => {
    expect(connect(chain, "a", "a")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/itself/) as unknown,
    });
    expect(connect(chain, "zz", "a")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/no task "zz"/) as unknown,
    });
    expect(connect(chain, "a", "zz")).toMatchObject({ ok: false });
  });
});

test("disconnect removes the need and nothing else", () => {
  const d = disconnect(chain, "a", "b");
  expect(d.tasks["b"]!.needs).toEqual([]);
  expect(disconnect(chain, "a", "c")).toBe(chain);
});

test("graph walks tolerate a document with a cycle", () => {
  const cyclic = doc(
    "tasks:\n  a: { type: empty, needs: [b] }\n  b: { type: empty, needs: [a] }\n",
  );
  expect([...upstreamSet(cyclic, "a")].sort()).toEqual(["a", "b"]);
  expect([...downstreamSet(cyclic, "a")].sort()).toEqual(["a", "b"]);
  expect(downstreamPath(cyclic, "a", "b")).toEqual(["a", "b"]);
});

test("edgesOf skips unknown needs and duplicates", () => {
  const d = doc("tasks:\n  a: { type: empty }\n  b: { type: empty, needs: [a, a, ghost] }\n");
  expect(edgesOf(d)).toEqual([["a", "b"]]);
});
