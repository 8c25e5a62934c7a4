import { expect, test } from "vitest";
import type { DesignDoc } from "./model.js";
import { checkDoc } from "./validation.js";
import {
  removeWorkflowParam,
  renameWorkflowParam,
  setTopField,
  setWorkflowParam,
  workflowParams,
} from "./workflow-fields.js";
import { parseYaml } from "./yaml-text.js";

function doc(yaml: string): DesignDoc {
  const r = parseYaml(`name: w\n${yaml}`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.doc;
}

const d = doc(
  [
    "params: { lr: { type: number, default: 0.1 } }",
    "defaults: { env: { LR: '{{ params.lr }}' } }",
    "tasks:",
    "  t: { type: shell, command: 'echo {{ params.lr }} {{ params.lr2 }}', params: { a: '{{ params.lr }}' } }",
  ].join("\n"),
);

test("setWorkflowParam adds typed params and refuses bad names and types", () => {
  const r = setWorkflowParam(d, "batch", { type: "integer", default: 32, minimum: 1 });
  if (!r.ok) throw new Error(r.message);
  expect(workflowParams(r.doc)["batch"]).toEqual({ type: "integer", default: 32, minimum: 1 });
  expect(Object.keys(workflowParams(r.doc))).toEqual(["lr", "batch"]);
  expect(setWorkflowParam(d, "2x", { type: "string" }).ok).toBe(false);
  expect(setWorkflowParam(d, "class", { type: "string" }).ok).toBe(false);
  expect(setWorkflowParam(d, "x", { type: "date" as "string" }).ok).toBe(false);
});

test("a default of the wrong type is kept and the server's validator places it", () => {
  const r = setWorkflowParam(d, "batch", { type: "integer", default: "many" });
  if (!r.ok) throw new Error(r.message);
  expect(checkDoc(r.doc).workflow.map((i) => i.field)).toEqual(["params.batch.default"]);
});

test("renameWorkflowParam rewrites references in tasks and defaults, not lookalikes", () => {
  const r = renameWorkflowParam(d, "lr", "rate");
  if (!r.ok) throw new Error(r.message);
  expect(Object.keys(workflowParams(r.doc))).toEqual(["rate"]);
  expect(r.doc.tasks["t"]!["command"]).toBe("echo {{ params.rate }} {{ params.lr2 }}");
  expect(r.doc.tasks["t"]!.params).toEqual({ a: "{{ params.rate }}" });
  expect(r.doc.top["defaults"]).toEqual({ env: { LR: "{{ params.rate }}" } });
  expect(renameWorkflowParam(d, "nope", "x").ok).toBe(false);
  expect(renameWorkflowParam(d, "lr", "bad name").ok).toBe(false);
});

test("removeWorkflowParam removes it; dangling references are flagged on the task", () => {
  const out = removeWorkflowParam(d, "lr");
  expect(out.top["params"]).toBeUndefined();
  expect(removeWorkflowParam(out, "lr")).toBe(out);
  expect(
    checkDoc(out)
      .tasks.get("t")
      ?.map((i) => i.field),
  ).toEqual(expect.arrayContaining(["params.a"]) as unknown);
});

test("setTopField sets and removes workflow fields", () => {
  const s = setTopField(d, "schedule", "@daily");
  expect(s.top["schedule"]).toBe("@daily");
  expect("schedule" in setTopField(s, "schedule", undefined).top).toBe(false);
});
