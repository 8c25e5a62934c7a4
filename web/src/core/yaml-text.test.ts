import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseWorkflowText, validateWorkflowDocument } from "../../../src/spec/parse.js";
import { writeDocument } from "./document-io.js";
import { emptyDoc, type DesignDoc } from "./model.js";
import { addTask } from "./task-ops.js";
import { parseYaml, splitPath, toYaml } from "./yaml-text.js";

const EXAMPLES = join(import.meta.dirname, "../../../examples");

function exampleFiles(): string[] {
  return readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(EXAMPLES, d.name))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(EXAMPLES, d.name, f)),
    );
}

function read(text: string): DesignDoc {
  const r = parseYaml(text);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.doc;
}

describe("YAML round trip of every example", () => {
  const files = exampleFiles();
  test("the examples are found", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });
  for (const file of files) {
    test(file.slice(EXAMPLES.length + 1), () => {
      const original = readFileSync(file, "utf8");
      const doc = read(original);
      const text = toYaml(doc);
      // Text -> doc -> text is a fixed point, and the doc survives the trip.
      expect(read(text)).toEqual(doc);
      expect(toYaml(read(text))).toBe(text);
      // The server reads the designer's text as the same workflow as the original file.
      expect(parseWorkflowText(text)).toEqual(parseWorkflowText(original));
    });
  }
});

describe("toYaml", () => {
  test("writes keys in a stable order whatever order they were set in", () => {
    const a = read(
      "tasks:\n  t: { outputs: [o], command: ls, type: shell, retries: 2 }\nname: x\n",
    );
    expect(toYaml(a)).toBe(
      "name: x\ntasks:\n  t:\n    type: shell\n    command: ls\n    outputs: [ o ]\n    retries: 2\n",
    );
  });

  test("quotes expressions and keeps unicode and multi-line code intact", () => {
    let doc = emptyDoc("uni");
    const added = addTask(doc, "python", { x: 0, y: 0 }, "t");
    if (!added.ok) throw new Error(added.message);
    doc = added.doc;
    const t = doc.tasks["t"]!;
    doc = {
      ...doc,
      top: { ...doc.top, description: "Ünïcödé — 日本語 🚀" },
      tasks: {
        t: {
          ...t,
          code: 'print("{{ not an expression }}")\nprint("é")\n',
          params: { a: "{{ params.x }}", b: "x {{ params.y }} y", c: "{{" },
        },
      },
    };
    const back = read(toYaml(doc));
    expect(back.tasks["t"]).toEqual(doc.tasks["t"]);
    expect(back.top["description"]).toBe("Ünïcödé — 日本語 🚀");
  });

  test("keeps unknown keys so the validator can report them", () => {
    const doc = read("name: x\nowner: me\ntasks:\n  t: { type: empty, retires: 3 }\n");
    const out = writeDocument(doc);
    expect(out["owner"]).toBe("me");
    expect((out["tasks"] as Record<string, Record<string, unknown>>)["t"]!["retires"]).toBe(3);
    const paths = validateWorkflowDocument(out).issues.map((i) => i.path);
    expect(paths).toEqual(["owner", "tasks.t.retires"]);
  });
});

describe("parseYaml on hostile or broken text", () => {
  test("a syntax error comes back with line and column", () => {
    const r = parseYaml("name: x\ntasks:\n  a: { type: empty\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]?.line).toBeGreaterThanOrEqual(3);
    expect(r.issues[0]?.column).toBeGreaterThanOrEqual(1);
    expect(r.issues[0]?.message).toMatch(/invalid YAML/);
  });

  test("text over 5 MB is refused without parsing", () => {
    const huge = `name: x\ndescription: "${"a".repeat(5 * 1024 * 1024)}"\ntasks: {}\n`;
    const r = parseYaml(huge);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.message).toMatch(/limit is 5 MB/);
  });

  test("deep nesting is refused, not a stack overflow", () => {
    const deep = `name: x\ntasks:\n  t:\n    type: empty\n    params:\n      p: ${"[".repeat(5000)}${"]".repeat(5000)}\n`;
    const r = parseYaml(deep);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.message).toMatch(/nesting is deeper/);
  });

  test("an alias bomb is refused", () => {
    const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    const r = parseYaml(`${lines.join("\n")}\nname: x\ntasks: {}\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.message).toMatch(/alias/);
  });

  test("duplicate keys and control characters are refused with positions", () => {
    const dup = parseYaml("name: x\ntasks:\n  a: { type: empty }\n  a: { type: empty }\n");
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.issues[0]).toMatchObject({ line: 4 });
    const nul = parseYaml("name: x\u0000\ntasks: {}\n");
    expect(nul.ok).toBe(false);
  });

  test("`{{` in plain strings reads as text and is left to the validator", () => {
    const r = parseYaml("name: x\ntasks:\n  t:\n    type: shell\n    command: echo {{ nope\n");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.doc.tasks["t"]!["command"]).toBe("echo {{ nope");
    const issues = validateWorkflowDocument(r.value, r.positionOf).issues;
    expect(issues[0]).toMatchObject({ path: "tasks.t.command", line: 5 });
  });

  test("shapes a graph cannot show are refused at their line", () => {
    const r = parseYaml("name: x\ntasks:\n  a: 3\n  b:\n    type: empty\n    needs: nope\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.path, i.line])).toEqual([
      ["tasks.a", 3],
      ["tasks.b.needs", 6],
    ]);
  });

  test("a document that is not a mapping, or empty text, is refused", () => {
    expect(parseYaml("- a\n- b\n").ok).toBe(false);
    expect(parseYaml("").ok).toBe(false);
    expect(parseYaml("name: x\nui: 3\ntasks: {}\n").ok).toBe(false);
  });

  test("a __proto__ task id stays data", () => {
    const r = parseYaml('name: x\ntasks:\n  "__proto__": { type: empty }\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.keys(r.doc.tasks)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(r.doc.tasks)).toBe(Object.prototype);
  });

  test("a large document (2,000 tasks) reads and writes", () => {
    const lines = ["name: big", "tasks:"];
    for (let i = 0; i < 2000; i++)
      lines.push(`  t${i}: { type: empty${i > 0 ? `, needs: [t${i - 1}]` : ""} }`);
    const doc = read(lines.join("\n"));
    expect(Object.keys(doc.tasks)).toHaveLength(2000);
    expect(read(toYaml(doc))).toEqual(doc);
  });
});

test("splitPath undoes formatPath", () => {
  expect(splitPath("tasks.a.needs[0]")).toEqual(["tasks", "a", "needs", 0]);
  expect(splitPath("tasks.a.args[1][2]")).toEqual(["tasks", "a", "args", 1, 2]);
  expect(splitPath("name")).toEqual(["name"]);
});
