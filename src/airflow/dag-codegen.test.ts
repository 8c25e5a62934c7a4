import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { effectiveTask } from "../spec/effective-task.js";
import { parseWorkflowText } from "../spec/parse.js";
import type { Workflow } from "../spec/types.js";
import { generateAirflowDag } from "./dag-codegen.js";
import { hostileWorkflows } from "./hostile-corpus.js";

const here = dirname(fileURLToPath(import.meta.url));
const goldenDir = join(here, "__golden__");
const checker = join(here, "check-dag-ast.py");
const PYTHON = "/usr/bin/python3";
const tmp = mkdtempSync(join(tmpdir(), "updraft-airflow-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function load(path: string): Workflow {
  return parseWorkflowText(readFileSync(path, "utf8"), { filename: path });
}

function python(args: string[], input?: string): string {
  return execFileSync(PYTHON, args, { encoding: "utf8", input });
}

describe("golden files", () => {
  const inputs = readdirSync(goldenDir).filter((f) => f.endsWith(".yaml"));
  it.each(inputs)("%s", (file) => {
    const code = generateAirflowDag(load(join(goldenDir, file)), {
      version: 7,
      source: `src/airflow/__golden__/${file}`,
    });
    const golden = join(goldenDir, file.replace(/\.yaml$/, ".py"));
    // UPDATE_GOLDEN=1 npx vitest run src/airflow rewrites the expected files.
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(golden, code);
    expect(code).toBe(readFileSync(golden, "utf8"));
  });

  it("the golden files pass the AST check", () => {
    const files = readdirSync(goldenDir)
      .filter((f) => f.endsWith(".py"))
      .map((f) => join(goldenDir, f));
    expect(python([checker, ...files])).toBe("");
  });
});

describe("the exported examples", () => {
  const examples = join(here, "..", "..", "examples");
  const files = readdirSync(examples).flatMap((d) =>
    readdirSync(join(examples, d))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join(examples, d, f)),
  );
  it.each(files.map((f) => [basename(f), f]))("%s compiles and is deterministic", (_n, file) => {
    const a = generateAirflowDag(load(file), { version: 1 });
    const b = generateAirflowDag(load(file), { version: 1 });
    expect(a).toBe(b);
    const out = join(tmp, `${basename(file)}.py`);
    writeFileSync(out, a);
    python(["-m", "py_compile", out]);
    expect(python([checker, out])).toBe("");
  });
});

// Reads every operator's `spec=` and the DAG's params back with ast.literal_eval.
const READ_BACK = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
specs, descriptions = [], []
for node in ast.walk(tree):
    if isinstance(node, ast.Call):
        kws = {k.arg: k.value for k in node.keywords}
        for k in node.keywords:
            if k.arg == "spec":
                # float("nan") is not a literal: read only the fields compared.
                fields = {ast.literal_eval(key): v for key, v in zip(k.value.keys, k.value.values)}
                spec = {f: ast.literal_eval(fields[f]) if f in fields else None for f in ("params", "env")}
                spec["inSpec"] = "connections" in fields
                spec["connections"] = ast.literal_eval(kws["connections"]) if "connections" in kws else None
                specs.append(spec)
            if k.arg == "description":
                descriptions.append(ast.literal_eval(k.value))
print(json.dumps({"specs": specs, "descriptions": descriptions}))
`;

describe("hostile corpus", () => {
  const corpus = hostileWorkflows();
  it("exports only the expected constructs, and every value reads back unchanged", () => {
    const files: string[] = [];
    for (const [i, workflow] of corpus.entries()) {
      const file = join(tmp, `hostile-${i}.py`);
      writeFileSync(file, generateAirflowDag(workflow, { version: 1, source: "a\nb\u2028\"'" }));
      files.push(file);
    }
    expect(python([checker, ...files])).toBe("");
    for (const [i, workflow] of corpus.entries()) {
      const back = JSON.parse(python(["-c", READ_BACK, files[i] ?? ""])) as {
        specs: Record<string, unknown>[];
        descriptions: string[];
      };
      const tasks = Object.keys(workflow.tasks).map((id) => effectiveTask(workflow, id));
      expect(back.specs.map((s) => s["params"])).toEqual(tasks.map((t) => t.params));
      expect(back.specs.map((s) => s["env"])).toEqual(tasks.map((t) => t.env));
      // Connections travel as their own operator argument, never inside `spec`.
      expect(back.specs.map((s) => s["connections"])).toEqual(
        tasks.map((t) => t.connections ?? null),
      );
      expect(back.specs.some((s) => s["inSpec"])).toBe(false);
      expect(tasks.some((t) => (t.connections ?? []).length > 0)).toBe(true);
      if (workflow.description !== undefined) {
        expect(back.descriptions).toContain(workflow.description);
      }
    }
  });

  it("keeps user text out of the Jinja templates", () => {
    for (const workflow of corpus) {
      const code = generateAirflowDag(workflow, { version: 1 });
      const templates = code.match(/"json:\{\{.*\}\}"/g) ?? [];
      for (const t of templates) {
        expect(t).toMatch(
          /^"json:\{\{ ti\.xcom_pull\(task_ids='[\w-]+', key='\w+'\) \| tojson \}\}"$/,
        );
      }
    }
  });
});

describe("connections", () => {
  const base = load(join(goldenDir, "connections.yaml"));

  it("become an operator argument in the task's order, and leave the spec", () => {
    const code = generateAirflowDag(base, { version: 1 });
    expect(code).toContain('connections=["warehouse", "reports_bucket"],');
    expect(code.match(/connections=/g)).toHaveLength(2);
    expect(code).not.toMatch(/"connections":/);
    expect(generateAirflowDag(base, { version: 1 })).toBe(code);
  });

  it("are left out for a task that names none", () => {
    const export_ = base.tasks["export"];
    if (export_ === undefined) throw new Error("golden file changed");
    const workflow: Workflow = {
      ...base,
      tasks: { ...base.tasks, export: { ...export_, connections: [] } },
    };
    const code = generateAirflowDag(workflow, { version: 1 });
    expect(code.match(/connections=/g)).toHaveLength(1);
  });
});

describe("the AST checker", () => {
  it("flags code that is not a literal", () => {
    const bad = join(tmp, "bad.py");
    writeFileSync(
      bad,
      'import os\nt_a = __import__("os").system("id")\nx = eval("1")\nt_a >> t_b + 1\n',
    );
    const r = (() => {
      try {
        python([checker, bad]);
        return "";
      } catch (err) {
        return String((err as { stdout?: string }).stdout);
      }
    })();
    for (const what of ["import os", "name __import__", "name eval", "assignment target", "Add"]) {
      expect(r).toContain(what);
    }
  });
});

describe("layout", () => {
  it("keeps lines within 88 columns unless one string is longer", () => {
    const code = generateAirflowDag(load(join(goldenDir, "all-task-types.yaml")), { version: 1 });
    for (const line of code.split("\n")) {
      if (line.length > 88) expect(line).toMatch(/^\s*("[^"]*": )?"(\\"|[^"])*",?$/);
    }
  });

  it("rejects a malformed start date", () => {
    expect(() =>
      generateAirflowDag(load(join(goldenDir, "minimal.yaml")), {
        version: 1,
        startDate: "2024-1-1",
      }),
    ).toThrow(/YYYY-MM-DD/);
  });
});
