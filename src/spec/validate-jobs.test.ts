import { describe, expect, it } from "vitest";
import { parseWorkflowText, validateWorkflowDocument } from "./parse.js";

function issuesOf(tasks: unknown, extra: Record<string, unknown> = {}) {
  return validateWorkflowDocument({ name: "wf", ...extra, tasks }).issues;
}

describe("validate: job tasks (launch, ps)", () => {
  it("accepts launch and ps where they belong and keeps them after parsing", () => {
    const wf = parseWorkflowText(`name: wf
defaults: { image: "ml:1" }
tasks:
  t: { type: tensorflow, script: t.py, replicas: 3, ps: 2, launch: kubernetes }
  p: { type: torch, script: p.py, launch: local }
  s: { type: spark, application: a.py, launch: kubernetes }
`);
    expect(wf.tasks["t"]).toMatchObject({ replicas: 3, ps: 2, launch: "kubernetes" });
    expect(wf.tasks["p"]).toMatchObject({ launch: "local" });
    expect(wf.tasks["s"]).toMatchObject({ launch: "kubernetes" });
  });

  it("refuses ps outside tensorflow, unknown launch modes and out-of-range counts", () => {
    expect(issuesOf({ a: { type: "torch", script: "a.py", ps: 1 } }).map((i) => i.path)).toEqual([
      "tasks.a.ps",
    ]);
    expect(
      issuesOf({ a: { type: "dask", script: "a.py", launch: "moon" } }).map((i) => i.path),
    ).toEqual(["tasks.a.launch"]);
    expect(
      issuesOf({ a: { type: "python", code: "1", launch: "local" } }).map((i) => i.path),
    ).toEqual(["tasks.a.launch"]);
    for (const replicas of [0, -1, 1.5, 100_000, "2"]) {
      expect(
        issuesOf({ a: { type: "torch", script: "a.py", replicas } }).map((i) => i.path),
      ).toEqual(["tasks.a.replicas"]);
    }
    expect(
      issuesOf({ a: { type: "tensorflow", script: "a.py", ps: -1 } }).map((i) => i.path),
    ).toEqual(["tasks.a.ps"]);
  });

  it("needs an image for launch: kubernetes, from the task or the defaults", () => {
    const issues = issuesOf({ a: { type: "torch", script: "a.py", launch: "kubernetes" } });
    expect(issues.map((i) => i.path)).toEqual(["tasks.a.image"]);
    expect(issues[0]?.message).toMatch(/launch: kubernetes runs in a container; set image/);
    expect(
      issuesOf(
        { a: { type: "torch", script: "a.py", launch: "kubernetes" } },
        { defaults: { image: "x" } },
      ),
    ).toEqual([]);
  });
});
