import { describe, expect, it } from "vitest";
import { ErrorCodes, ValidationError, type ValidationIssue } from "./errors.js";
import { parseWorkflowText, validateWorkflowDocument } from "./parse.js";

/** The ValidationError that parsing `text` throws. */
function parseError(text: string, filename?: string): ValidationError {
  try {
    parseWorkflowText(text, filename === undefined ? {} : { filename });
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error("expected a ValidationError");
}

function only(err: ValidationError): ValidationIssue {
  expect(err.issues).toHaveLength(1);
  return err.issues[0]!;
}

const minimal = "name: ok\ntasks:\n  a: { type: empty }\n";

describe("parseWorkflowText: syntax", () => {
  it("parses YAML and JSON", () => {
    expect(parseWorkflowText(minimal).tasks["a"]?.type).toBe("empty");
    const json = '{\n\t"name": "ok",\n\t"tasks": {"a": {"type": "empty"}}\n}';
    expect(parseWorkflowText(json, { filename: "wf.json" }).name).toBe("ok");
    expect(parseWorkflowText(json).name).toBe("ok");
  });

  it("gives line and column for malformed YAML", () => {
    const err = parseError("name: ok\ntasks:\n  a: [1, 2\n  b: 3\n");
    expect(err.code).toBe(ErrorCodes.PARSE);
    const issue = err.issues[0]!;
    expect(issue.message).toMatch(/^invalid YAML: /);
    expect(issue.line).toBeGreaterThanOrEqual(3);
    expect(issue.column).toBeGreaterThanOrEqual(1);
    expect(err.message).toMatch(/\(line \d+, column \d+\)/);
  });

  it("gives JSON-style errors with line and column for JSON", () => {
    const err = parseError('{\n  "name": "ok",\n  "tasks": {,}\n}', "wf.json");
    const issue = only(err);
    expect(err.code).toBe(ErrorCodes.PARSE);
    expect(issue.message).toMatch(/^invalid JSON: /);
    expect(issue.line).toBe(3);
  });

  it("reports duplicate keys with their position", () => {
    const err = parseError("name: ok\ntasks:\n  a: { type: empty }\n  a: { type: empty }\n");
    const issue = only(err);
    expect(err.code).toBe(ErrorCodes.PARSE);
    expect(issue.message).toMatch(/duplicate key "a"/);
    expect(issue.line).toBe(4);
  });

  it("reports duplicate keys in JSON too", () => {
    expect(
      only(parseError('{"name": "ok", "name": "ok2", "tasks": {}}', "x.json")).message,
    ).toMatch(/duplicate key/);
  });

  it("refuses several documents in one file", () => {
    expect(parseError(`${minimal}---\n${minimal}`).issues[0]?.message).toMatch(/invalid YAML/);
  });

  it("explains an empty file and a non-mapping", () => {
    expect(only(parseError("")).message).toMatch(/must be a mapping.*empty/);
    expect(only(parseError("- a\n- b\n")).message).toMatch(/must be a mapping.*a list/);
  });
});

describe("parseWorkflowText: hostile input", () => {
  it("refuses text over 5 MB before parsing it", () => {
    const big = `${minimal}description: "${"x".repeat(6 * 1024 * 1024)}"\n`;
    const err = parseError(big);
    expect(err.code).toBe(ErrorCodes.PARSE);
    expect(only(err).message).toMatch(/6\.0 MB; the limit is 5 MB/);
  });

  it("counts bytes, not characters, for the size limit", () => {
    const wide = `${minimal}description: "${"é".repeat(3 * 1024 * 1024)}"\n`; // 6 MB of UTF-8
    expect(only(parseError(wide)).message).toMatch(/limit is 5 MB/);
  });

  it("refuses an alias bomb (billion laughs)", () => {
    const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [prev, name] of [..."abcdefgh"].map((c, i, all) => [c, all[i + 1]] as const)) {
      if (name === undefined) break;
      rows.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const err = parseError(
      `name: ok\ntasks:\n  t: { type: empty }\nui:\n  positions:\n    x:\n${rows.map((r) => `      ${r}`).join("\n")}\n`,
    );
    expect(err.code).toBe(ErrorCodes.PARSE);
    expect(only(err).message).toMatch(/too many alias expansions.*billion laughs/);
  });

  it("still allows a few anchors and aliases", () => {
    const wf = parseWorkflowText(
      "name: ok\ndefaults: { env: &e { A: '1' } }\ntasks:\n  a: { type: empty, env: *e }\n",
    );
    expect(wf.tasks["a"]?.env).toEqual({ A: "1" });
  });

  it("refuses 10,000-deep nesting with a clear message (flow, block and JSON)", () => {
    const flow = `name: ok\ntasks: {a: {type: empty, params: {x: ${"[".repeat(10_000)}${"]".repeat(10_000)}}}}\n`;
    expect(only(parseError(flow)).message).toMatch(/nesting is deeper than 64 levels/);
    const block = `name: ok\ndescription:\n  ${"- ".repeat(10_000)}x\n`;
    expect(only(parseError(block)).message).toMatch(/deeper than 64/);
    const json = `{"name": "ok", "tasks": {"a": {"type": "empty", "params": {"x": ${"[".repeat(10_000)}${"]".repeat(10_000)}}}}}`;
    expect(only(parseError(json, "wf.json")).message).toMatch(/deeper than 64/);
    const deepObject = JSON.parse(`${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`) as unknown;
    const { issues } = validateWorkflowDocument(deepObject);
    expect(issues[0]?.message).toMatch(/deeper than 64/);
  });

  it("refuses NUL bytes and other control characters with their position", () => {
    const err = parseError("name: ok\ntasks:\n  a: { type: empty, description: 'x\u0000y' }\n");
    const issue = only(err);
    expect(err.code).toBe(ErrorCodes.PARSE);
    expect(issue.message).toMatch(/NUL character/);
    expect([issue.line, issue.column]).toEqual([3, 36]);
    expect(only(parseError("name: ok\u0007\n")).message).toMatch(/control character U\+0007/);
  });

  it("refuses NUL characters in documents that did not come from text", () => {
    const { issues } = validateWorkflowDocument({
      name: "ok",
      tasks: { a: { type: "shell", command: "rm -rf /tmp/x\u0000" } },
    });
    expect(issues).toEqual([{ path: "tasks.a.command", message: "contains a NUL character" }]);
  });

  it("rejects odd unicode in names and escapes it in messages", () => {
    const names = ["ev\u202eil", "zero\u200bwidth", "rocket🚀", "caf\u00e9", "ｆｕｌｌ"];
    for (const name of names) {
      const err = parseError(`name: ok\ntasks:\n  "${name}": { type: empty }\n`);
      const issue = only(err);
      expect(issue.path).toBe(`tasks.${name}`);
      expect(issue.message).toMatch(/task id .* is not valid/);
      expect(issue.message).not.toMatch(/[\u202e\u200b]/);
    }
    expect(only(parseError('name: "ok\u202e"\ntasks:\n  a: { type: empty }\n')).message).toMatch(
      /workflow name "ok\\u202e" is not valid/,
    );
    const param = only(
      parseError(
        'name: ok\nparams:\n  "x\u200d": { type: string }\ntasks:\n  a: { type: empty }\n',
      ),
    );
    expect(param.message).toMatch(/param name "x\\u200d" is not a valid name/);
  });

  it("reports {{ in plain strings that is not an expression, at the field", () => {
    const err = parseError(
      'name: ok\ntasks:\n  a:\n    type: shell\n    command: "echo {{ not valid"\n    env: { X: "{{ 1+1 }}" }\n',
    );
    expect(err.issues.map((i) => [i.path, i.line])).toEqual([
      ["tasks.a.command", 5],
      ["tasks.a.env.X", 6],
    ]);
    expect(err.issues[0]?.message).toMatch(/without a closing "}}"; write \\\{\{ for a literal/);
    expect(err.issues[1]?.message).toMatch(/not a valid expression/);
  });

  it("accepts the \\{{ escape and leaves inline code alone", () => {
    const wf = parseWorkflowText(
      'name: ok\ntasks:\n  a: { type: shell, command: "echo \\\\{{ x" }\n  b: { type: python, code: "print(f\\"{{x}}\\")" }\n',
    );
    expect(wf.tasks["a"]).toMatchObject({ command: "echo \\{{ x" });
  });

  it("keeps __proto__ and constructor keys as data without polluting prototypes", () => {
    const text = [
      "name: ok",
      "tasks:",
      "  constructor: { type: empty }",
      "  a:",
      "    type: empty",
      "    needs: [constructor]",
      "    params:",
      "      cfg: { __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } }",
    ].join("\n");
    const wf = parseWorkflowText(text);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.keys(wf.tasks)).toEqual(["constructor", "a"]);
    const cfg = wf.tasks["a"]?.params["cfg"] as Record<string, unknown>;
    expect(Object.hasOwn(cfg, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(cfg)).toBe(Object.prototype);

    const bad = parseError(
      "name: ok\nparams:\n  __proto__: { type: string }\ntasks:\n  a: { type: empty, needs: [toString] }\n",
    );
    expect(bad.issues.map((i) => i.path)).toEqual(["params.__proto__", "tasks.a.needs[0]"]);
    expect(bad.issues[0]?.message).toMatch(/reserved/);
    expect(bad.issues[1]?.message).toMatch(/unknown task "toString"/);
  });

  it("refuses .inf and .nan, which are not JSON", () => {
    const err = parseError("name: ok\ntasks:\n  a: { type: empty, params: { x: .inf } }\n");
    expect(only(err)).toMatchObject({ path: "tasks.a.params.x", line: 3 });
    expect(only(err).message).toMatch(/not a JSON number/);
  });

  it("validates 5,000 tasks with references in a chain (linear work)", () => {
    const rows = ["name: big", "params: { n: { type: integer, default: 1 } }", "tasks:"];
    rows.push("  t0: { type: shell, command: 'echo {{ params.n }}', outputs: [v] }");
    for (let i = 1; i < 5000; i++) {
      rows.push(
        `  t${i}: { type: shell, needs: [t${i - 1}], command: "echo {{ tasks.t${i - 1}.outputs.v }}", outputs: [v] }`,
      );
    }
    const wf = parseWorkflowText(rows.join("\n"));
    expect(Object.keys(wf.tasks)).toHaveLength(5000);
  });

  it("caps the number of reported issues", () => {
    const rows = ["name: big", "tasks:"];
    for (let i = 0; i < 3000; i++) rows.push(`  t${i}: { type: empty, needs: [missing] }`);
    const err = parseError(rows.join("\n"));
    expect(err.issues).toHaveLength(1001);
    expect(err.issues[1000]?.message).toBe("… and 2000 more issues");
  });
});
