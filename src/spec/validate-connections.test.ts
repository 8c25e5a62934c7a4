import { describe, expect, it } from "vitest";
import { workflowToDocument } from "./document.js";
import { ValidationError } from "./errors.js";
import { MAX_TASK_CONNECTIONS } from "./names.js";
import { parseWorkflowText, validateWorkflowDocument } from "./parse.js";
import { workflowJsonSchema } from "./schema.js";
import { TASK_TYPES } from "./types.js";

/** The issues of a one-task workflow whose task `a` has `connections: value`. */
function issuesWith(value: unknown, task: Record<string, unknown> = { type: "empty" }) {
  return validateWorkflowDocument({ name: "wf", tasks: { a: { ...task, connections: value } } })
    .issues;
}

/** A minimal valid task of each type. */
const TASK_OF: Record<string, Record<string, unknown>> = {
  notebook: { type: "notebook", notebook: "nb.ipynb" },
  python: { type: "python", code: "print(1)" },
  r: { type: "r", code: "print(1)" },
  rmarkdown: { type: "rmarkdown", file: "r.Rmd" },
  shell: { type: "shell", command: "true" },
  torch: { type: "torch", script: "t.py" },
  tensorflow: { type: "tensorflow", script: "t.py" },
  dask: { type: "dask", script: "t.py" },
  spark: { type: "spark", application: "a.py" },
  condition: { type: "condition", left: 1, op: "==", right: 1 },
  empty: { type: "empty" },
};

describe("task connections", () => {
  it("are accepted by every task type and kept by the normalized document", () => {
    expect(Object.keys(TASK_OF).sort()).toEqual([...TASK_TYPES].sort());
    for (const [type, task] of Object.entries(TASK_OF)) {
      const { workflow, issues } = validateWorkflowDocument({
        name: "wf",
        tasks: { a: { ...task, connections: ["warehouse", "s3_raw"] } },
      });
      expect(issues, type).toEqual([]);
      expect(workflow?.tasks["a"]?.connections, type).toEqual(["warehouse", "s3_raw"]);
      const doc = workflowToDocument(workflow!);
      expect((doc["tasks"] as Record<string, { connections?: unknown }>)["a"]?.connections).toEqual(
        ["warehouse", "s3_raw"],
      );
      // The stored document validates back to an equal workflow.
      expect(validateWorkflowDocument(JSON.parse(JSON.stringify(doc))).workflow).toEqual(workflow);
    }
  });

  it("stay absent when not written, and an empty list is kept as written", () => {
    const none = parseWorkflowText("name: wf\ntasks:\n  a: { type: empty }\n");
    expect(none.tasks["a"]).not.toHaveProperty("connections");
    expect(JSON.stringify(workflowToDocument(none))).not.toContain("connections");
    const emptyList = parseWorkflowText(
      "name: wf\ntasks:\n  a: { type: empty, connections: [] }\n",
    );
    expect(emptyList.tasks["a"]?.connections).toEqual([]);
  });

  it("are described in the JSON Schema with the vault's name rule and the limit", () => {
    const defs = workflowJsonSchema["definitions"] as Record<
      string,
      { properties: Record<string, { maxItems?: number; items?: { pattern?: string } }> }
    >;
    const field = defs["shellTask"]?.properties["connections"];
    expect(field?.maxItems).toBe(MAX_TASK_CONNECTIONS);
    expect(field?.items?.pattern).toBe("^[a-z][a-z0-9_]{0,62}$");
  });

  it("report a duplicate at its index", () => {
    const issues = issuesWith(["warehouse", "api", "warehouse", "api", "api"]);
    expect(issues.map((i) => i.path)).toEqual([
      "tasks.a.connections[2]",
      "tasks.a.connections[3]",
      "tasks.a.connections[4]",
    ]);
    expect(issues[0]?.message).toBe('connection "warehouse" is listed twice; remove the duplicate');
  });

  it("refuse more than the limit, saying how many there are", () => {
    const names = Array.from({ length: MAX_TASK_CONNECTIONS + 1 }, (_, i) => `c${i}`);
    const issues = issuesWith(names);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("tasks.a.connections");
    expect(issues[0]?.message).toBe(
      `must list at most ${MAX_TASK_CONNECTIONS} items (it has ${MAX_TASK_CONNECTIONS + 1})`,
    );
    expect(issuesWith(names.slice(0, MAX_TASK_CONNECTIONS))).toEqual([]);
  });

  it("refuse malformed names, each at its path", () => {
    const bad = [
      "Warehouse", // upper case
      "1db", // digit first
      "_hidden",
      "my-db", // '-' cannot be part of a variable name
      "",
      "a".repeat(64),
      "{{ params.conn }}", // no expressions: grants are fixed by the workflow
      "wаrehouse", // Cyrillic 'а'
      "db\u0000x",
      "db x",
      "__proto__",
      "../etc",
    ];
    const issues = issuesWith(bad);
    // NUL makes the raw-shape check refuse the document before the schema runs.
    expect(issues.length).toBeGreaterThanOrEqual(1);
    const clean = issuesWith(bad.filter((b) => !b.includes("\u0000")));
    expect(clean.map((i) => i.path)).toEqual(
      bad.filter((b) => !b.includes("\u0000")).map((_, i) => `tasks.a.connections[${i}]`),
    );
    for (const issue of clean) expect(issue.message).toMatch(/^connection name .* is not valid/);
    expect(issues.some((i) => /NUL|control/i.test(i.message))).toBe(true);
  });

  it("refuse values of the wrong type", () => {
    expect(issuesWith("warehouse")).toEqual([
      { path: "tasks.a.connections", message: "must be a list, not a string" },
    ]);
    expect(issuesWith({ warehouse: true })[0]?.message).toMatch(/^must be a list, not/);
    expect(issuesWith(null)[0]?.message).toMatch(/^must be a list, not/);
    const mixed = issuesWith(["ok", 1, null, ["x"], { a: 1 }, true]);
    expect(mixed.map((i) => i.path)).toEqual([
      "tasks.a.connections[1]",
      "tasks.a.connections[2]",
      "tasks.a.connections[3]",
      "tasks.a.connections[4]",
      "tasks.a.connections[5]",
    ]);
    for (const i of mixed) expect(i.message).toMatch(/^must be a string, not/);
  });

  it("are not a defaults field (each task names its own)", () => {
    const { issues } = validateWorkflowDocument({
      name: "wf",
      defaults: { connections: ["warehouse"] },
      tasks: { a: { type: "empty" } },
    });
    expect(issues.map((i) => i.path)).toEqual(["defaults.connections"]);
    expect(issues[0]?.message).toMatch(/unknown field "connections"/);
  });

  it("survive a hostile, oversized list without flooding the report", () => {
    const huge = Array.from({ length: 20_000 }, () => "x".repeat(100));
    const issues = issuesWith(huge);
    expect(issues.length).toBeLessThanOrEqual(1001);
    expect(issues.some((i) => i.path === "tasks.a.connections")).toBe(true);
  });

  it("come with line and column from YAML", () => {
    let caught: unknown;
    try {
      parseWorkflowText(
        "name: wf\ntasks:\n  a:\n    type: shell\n    command: 'true'\n    connections: [ok, Bad]\n",
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const issue = (caught as ValidationError).issues[0];
    expect(issue?.path).toBe("tasks.a.connections[1]");
    expect(issue?.line).toBe(6);
  });
});

describe("task connections on Kubernetes", () => {
  it("are refused, since pods would carry the secrets in their manifest", () => {
    const { issues } = validateWorkflowDocument({
      name: "wf",
      tasks: {
        a: {
          type: "torch",
          script: "t.py",
          launch: "kubernetes",
          image: "pytorch:2",
          connections: ["warehouse"],
        },
        b: { type: "torch", script: "t.py", launch: "kubernetes", image: "x", connections: [] },
      },
    });
    expect(issues.map((i) => i.path)).toEqual(["tasks.a.connections"]);
    expect(issues[0]?.message).toMatch(/not to launch: kubernetes/);
  });
});
