import { describe, expect, it } from "vitest";
import type { ValidationIssue } from "./errors.js";
import { validateWorkflowDocument } from "./parse.js";

/** The issues of a document built from a tasks map (and optional top-level fields). */
function issuesOf(tasks: unknown, extra: Record<string, unknown> = {}): ValidationIssue[] {
  return validateWorkflowDocument({ name: "wf", ...extra, tasks }).issues;
}

/** Asserts exactly one issue, at `path`, whose message matches `phrase`. */
function expectIssue(issues: ValidationIssue[], path: string, phrase: RegExp | string): void {
  expect(issues.map((i) => i.path)).toEqual([path]);
  expect(issues[0]?.message).toMatch(phrase);
}

const empty = { type: "empty" };

describe("validate: expressions", () => {
  const prep = { type: "empty", outputs: ["path"] };

  it("accepts declared params, upstream outputs, run and workflow fields", () => {
    const issues = issuesOf(
      {
        prep,
        mid: { type: "empty", needs: ["prep"] },
        train: {
          type: "shell",
          needs: ["mid"],
          command: "run {{ params.n }} {{ tasks.prep.outputs.path }} {{ run.id }} {{ run.ds }}",
          env: { WHEN: "{{ run.logical_date }}", WF: "{{ workflow.name }}" },
        },
      },
      { params: { n: { type: "integer", default: 1 } } },
    );
    expect(issues).toEqual([]);
  });

  it("requires params to be declared", () => {
    expectIssue(
      issuesOf(
        { a: { type: "empty", params: { x: "{{ params.sizee }}" } } },
        { params: { size: { type: "number" } } },
      ),
      "tasks.a.params.x",
      /reads param "sizee", which is not declared \(did you mean "size"\?\)/,
    );
  });

  it("rejects fields of non-object params", () => {
    expectIssue(
      issuesOf(
        { a: { type: "empty", params: { x: "{{ params.n.y }}" } } },
        { params: { n: { type: "integer" } } },
      ),
      "tasks.a.params.x",
      /param "n" is integer, so it has no field "y"/,
    );
  });

  it("requires the task to exist", () => {
    expectIssue(
      issuesOf({ prep, a: { type: "shell", command: "{{ tasks.prepp.outputs.path }}" } }),
      "tasks.a.command",
      /reads task "prepp", which does not exist \(did you mean "prep"\?\)/,
    );
  });

  it("requires the task to be upstream and says which needs to add", () => {
    expectIssue(
      issuesOf({ prep, a: { type: "empty", params: { p: "{{ tasks.prep.outputs.path }}" } } }),
      "tasks.a.params.p",
      /task "prep" is not upstream of "a".*add `needs: \[prep\]` to task "a"/,
    );
    expectIssue(
      issuesOf({
        prep,
        other: empty,
        a: {
          type: "shell",
          needs: ["other"],
          command: ["echo", "{{ tasks.prep.outputs.path }}"],
        },
      }),
      "tasks.a.command[1]",
      /add `needs: \[other, prep\]` to task "a"/,
    );
  });

  it("requires the output to be declared", () => {
    expectIssue(
      issuesOf({
        prep,
        a: { type: "empty", needs: ["prep"], params: { p: "{{ tasks.prep.outputs.pth }}" } },
      }),
      "tasks.a.params.p",
      /task "prep" does not declare output "pth" \(did you mean "path"\?\); add it to tasks.prep.outputs \(declared: path\)/,
    );
  });

  it("rejects reading a task's own outputs and unknown roots", () => {
    expectIssue(
      issuesOf({ a: { type: "empty", outputs: ["x"], params: { p: "{{ tasks.a.outputs.x }}" } } }),
      "tasks.a.params.p",
      /cannot read its own outputs/,
    );
    expectIssue(
      issuesOf({ a: { type: "shell", command: "{{ env.HOME }}" } }),
      "tasks.a.command",
      /reads nothing known: expressions read params.NAME, tasks.ID.outputs.NAME, run.id/,
    );
    expectIssue(
      issuesOf({ a: { type: "shell", command: "{{ run.date }}" } }),
      "tasks.a.command",
      /nothing known/,
    );
  });

  it("points at the exact nested field", () => {
    expectIssue(
      issuesOf({ a: { type: "empty", params: { cfg: { list: [1, "{{ params.nope }}"] } } } }),
      "tasks.a.params.cfg.list[1]",
      /not declared/,
    );
  });

  it("forbids task outputs in defaults", () => {
    expectIssue(
      issuesOf({ a: empty }, { defaults: { env: { X: "{{ tasks.a.outputs.y }}" } } }),
      "defaults.env.X",
      /defaults apply to every task, so they cannot read task outputs/,
    );
  });

  it("does not template descriptions or inline code", () => {
    expect(
      issuesOf({ a: { type: "python", description: "uses {{ braces", code: "f'{{x}}'" } }),
    ).toEqual([]);
  });
});
