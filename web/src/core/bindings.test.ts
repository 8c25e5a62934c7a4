import { describe, expect, test } from "vitest";
import { bindingChoices, bindingOf, bindingValue, bindParam } from "./bindings.js";
import type { DesignDoc } from "./model.js";
import { checkDoc } from "./validation.js";
import { parseYaml } from "./yaml-text.js";

function doc(yaml: string): DesignDoc {
  const r = parseYaml(`name: b\n${yaml}`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.doc;
}

const d = doc(
  [
    "params: { lr: { type: number, default: 0.1 }, name: { type: string } }",
    "tasks:",
    "  prep: { type: shell, command: ls, outputs: [path, rows] }",
    "  other: { type: shell, command: ls, outputs: [x] }",
    "  train: { type: notebook, notebook: t.ipynb, needs: [prep], outputs: [acc] }",
    "  report: { type: notebook, notebook: r.ipynb, needs: [train] }",
  ].join("\n"),
);

test("bindingOf reads the kind of a value", () => {
  expect(bindingOf(undefined)).toEqual({ kind: "unset" });
  expect(bindingOf(3)).toEqual({ kind: "literal", value: 3 });
  expect(bindingOf("plain")).toEqual({ kind: "literal", value: "plain" });
  expect(bindingOf("{{ params.lr }}")).toEqual({ kind: "param", name: "lr" });
  expect(bindingOf("{{tasks.prep.outputs.path}}")).toEqual({
    kind: "output",
    task: "prep",
    output: "path",
  });
  expect(bindingOf("a {{ params.lr }}")).toEqual({ kind: "template", text: "a {{ params.lr }}" });
  expect(bindingOf("{{ params.cfg.deep }}")).toMatchObject({ kind: "template" });
  expect(bindingOf("{{ broken")).toMatchObject({ kind: "template" });
  for (const b of [bindingOf("{{ params.lr }}"), bindingOf("{{ tasks.prep.outputs.path }}")]) {
    expect(bindingOf(bindingValue(b))).toEqual(b);
  }
});

test("bindingChoices lists params and outputs of tasks that cannot close a cycle", () => {
  const choices = bindingChoices(d, "train");
  expect(choices).toEqual([
    { kind: "param", name: "lr", type: "number" },
    { kind: "param", name: "name", type: "string" },
    { kind: "output", task: "prep", output: "path", upstream: true },
    { kind: "output", task: "prep", output: "rows", upstream: true },
    { kind: "output", task: "other", output: "x", upstream: false },
  ]);
});

describe("bindParam", () => {
  test("binding a workflow param writes the expression", () => {
    const r = bindParam(d, "train", "lr", { kind: "param", name: "lr" });
    expect(r.ok && r.doc.tasks["train"]!.params).toEqual({ lr: "{{ params.lr }}" });
  });

  test("an upstream output needs no new edge", () => {
    const r = bindParam(d, "train", "p", { kind: "output", task: "prep", output: "path" });
    expect(r.ok && r.doc.tasks["train"]!.needs).toEqual(["prep"]);
  });

  test("an output of a task not upstream adds the edge, and the result validates", () => {
    const r = bindParam(d, "train", "x", { kind: "output", task: "other", output: "x" });
    if (!r.ok) throw new Error(r.message);
    expect(r.doc.tasks["train"]!.needs).toEqual(["prep", "other"]);
    expect(r.doc.tasks["train"]!.params).toEqual({ x: "{{ tasks.other.outputs.x }}" });
    expect(checkDoc(r.doc).all).toEqual([]);
  });

  test("an output of a downstream task is refused, naming the cycle", () => {
    const r = bindParam(d, "prep", "acc", { kind: "output", task: "train", output: "acc" });
    expect(r).toEqual({
      ok: false,
      message:
        "connecting train -> prep would make a cycle: prep -> train -> prep; a workflow must be a DAG",
    });
  });

  test("an output the source does not declare yet is declared", () => {
    const r = bindParam(d, "report", "loss", { kind: "output", task: "train", output: "loss" });
    expect(r.ok && r.doc.tasks["train"]!.outputs).toEqual(["acc", "loss"]);
  });

  test("unset removes the param; a literal sets it; unknown tasks are refused", () => {
    const set = bindParam(d, "train", "k", { kind: "literal", value: [1, 2] });
    if (!set.ok) throw new Error(set.message);
    expect(set.doc.tasks["train"]!.params).toEqual({ k: [1, 2] });
    const unset = bindParam(set.doc, "train", "k", { kind: "unset" });
    expect(unset.ok && unset.doc.tasks["train"]!.params).toEqual({});
    expect(bindParam(d, "ghost", "k", { kind: "unset" }).ok).toBe(false);
    expect(bindParam(d, "train", "k", { kind: "output", task: "ghost", output: "o" }).ok).toBe(
      false,
    );
  });
});
