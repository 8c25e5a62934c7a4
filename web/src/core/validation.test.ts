import { expect, test } from "vitest";
import type { DesignDoc } from "./model.js";
import { checkDoc, issuesAt, placeIssues } from "./validation.js";
import { parseYaml } from "./yaml-text.js";

function doc(yaml: string): DesignDoc {
  const r = parseYaml(yaml);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.doc;
}

test("paths map onto nodes and fields", () => {
  const map = placeIssues(
    [
      { path: "tasks.train.params.x", message: "m1" },
      { path: "tasks.train", message: "m2" },
      { path: "tasks.train_2.needs[0]", message: "m3" },
      { path: "tasks.a.b.type", message: "m4" },
      { path: "ui.positions.train", message: "m5" },
      { path: "schedule", message: "m6" },
      { path: "", message: "m7" },
      { path: "tasks.ghost.type", message: "m8" },
    ],
    ["train", "train_2", "a.b"],
  );
  expect(map.tasks.get("train")).toEqual([
    { field: "params.x", message: "m1", path: "tasks.train.params.x" },
    { field: "", message: "m2", path: "tasks.train" },
    { field: "position", message: "m5", path: "ui.positions.train" },
  ]);
  expect(map.tasks.get("train_2")?.[0]?.field).toBe("needs[0]");
  expect(map.tasks.get("a.b")?.[0]?.field).toBe("type");
  expect(map.workflow.map((i) => i.field)).toEqual(["schedule", "", "tasks.ghost.type"]);
  expect(issuesAt(map.tasks.get("train"), "params").map((i) => i.message)).toEqual(["m1"]);
});

test("the server's validator finds every problem and each lands on its node", () => {
  const d = doc(
    [
      "name: Bad Name",
      "schedule: every day",
      "params: { n: { type: integer, default: 1.5 } }",
      "tasks:",
      "  prep: { type: shell, command: ls, outputs: [o] }",
      "  train:",
      "    type: notebook",
      "    notebook: t.ipynb",
      "    params: { p: '{{ tasks.prep.outputs.o }}', q: '{{ params.missing }}' }",
      "    retries: many",
      "  ghost: { type: empty, needs: [nobody] }",
    ].join("\n"),
  );
  const map = checkDoc(d);
  expect(map.workflow.map((i) => i.field).sort()).toEqual(["name", "params.n.default", "schedule"]);
  expect(
    map.tasks
      .get("train")
      ?.map((i) => i.field)
      .sort(),
  ).toEqual(["params.p", "params.q", "retries"]);
  expect(map.tasks.get("ghost")?.map((i) => i.field)).toEqual(["needs[0]"]);
  // A reference to a task that is not upstream says which need to add.
  const fixed = doc(
    "name: ok\ntasks:\n  prep: { type: shell, command: ls, outputs: [o] }\n  train: { type: notebook, notebook: t.ipynb, params: { p: '{{ tasks.prep.outputs.o }}' } }\n",
  );
  const issues = checkDoc(fixed).tasks.get("train");
  expect(issues?.map((i) => i.field)).toEqual(["params.p"]);
  expect(issues?.[0]?.message).toMatch(/needs/);
});
