import { describe, expect, it } from "vitest";
import { ValidationError, type ValidationIssue } from "./errors.js";
import { parseWorkflowText, validateWorkflowDocument } from "./parse.js";
import { checkSchedule, checkTimezone } from "./validate.js";

function parseError(text: string): ValidationError {
  try {
    parseWorkflowText(text);
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error("expected a ValidationError");
}

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

describe("validate: names", () => {
  it("checks the workflow name", () => {
    expectIssue(
      validateWorkflowDocument({ name: "My Flow", tasks: { a: empty } }).issues,
      "name",
      /workflow name "My Flow" is not valid/,
    );
    expect(
      validateWorkflowDocument({ name: "a".repeat(64), tasks: { a: empty } }).issues,
    ).toHaveLength(1);
    expect(validateWorkflowDocument({ name: "a".repeat(63), tasks: { a: empty } }).issues).toEqual(
      [],
    );
  });

  it("checks task ids: letter first, then letters, digits, _ and -", () => {
    expect(issuesOf({ "Prep_data-2": empty })).toEqual([]);
    expectIssue(issuesOf({ "2fast": empty }), "tasks.2fast", /task id "2fast" is not valid/);
    expectIssue(issuesOf({ "a.b": empty }), "tasks.a.b", /task id/);
  });

  it("checks param names are identifiers and not reserved words", () => {
    expectIssue(
      issuesOf({ a: empty }, { params: { "my-param": { type: "string" } } }),
      "params.my-param",
      /param name "my-param" is not a valid name.*environment variable/,
    );
    expectIssue(
      issuesOf({ a: { type: "empty", params: { "x y": 1 } } }),
      "tasks.a.params.x y",
      /not a valid name/,
    );
    expectIssue(
      issuesOf({ a: { type: "empty", params: { lambda: 1 } } }),
      "tasks.a.params.lambda",
      /reserved/,
    );
  });

  it("checks output names are identifiers, unique and not reserved", () => {
    const issues = issuesOf({ a: { type: "empty", outputs: ["ok", "not-ok", "ok", "None"] } });
    expect(issues.map((i) => i.path)).toEqual([
      "tasks.a.outputs[1]",
      "tasks.a.outputs[2]",
      "tasks.a.outputs[3]",
    ]);
    expect(issues[0]?.message).toMatch(/output name "not-ok" is not a valid name/);
    expect(issues[1]?.message).toMatch(/output "ok" is declared twice/);
    expect(issues[2]?.message).toMatch(/reserved/);
  });
});

describe("validate: task types and fields", () => {
  it("lists the valid types for an unknown type", () => {
    expectIssue(
      issuesOf({ a: { type: "jupyter" } }),
      "tasks.a.type",
      /unknown task type "jupyter"; valid types: notebook, python, r, rmarkdown, shell/,
    );
  });

  it("reports unknown fields with the allowed ones", () => {
    expectIssue(
      issuesOf({ a: { type: "shell", command: "x", comand: "y" } }),
      "tasks.a.comand",
      /unknown field "comand" in a shell task \(did you mean "command"\?\); allowed fields: .*command/,
    );
    expectIssue(
      validateWorkflowDocument({ name: "wf", tasks: { a: empty }, version: 2 }).issues,
      "version",
      /unknown field "version" in a workflow/,
    );
    expectIssue(
      issuesOf({ a: empty }, { defaults: { retries: 1, notebook: "x" } }),
      "defaults.notebook",
      /unknown field "notebook"/,
    );
  });

  it("reports missing required fields per type", () => {
    expectIssue(
      issuesOf({ a: { type: "notebook" } }),
      "tasks.a.notebook",
      /a notebook task needs the field "notebook"/,
    );
    expectIssue(
      issuesOf({ a: { type: "spark" } }),
      "tasks.a.application",
      /needs the field "application"/,
    );
    expect(issuesOf({ a: { type: "condition" } }).map((i) => i.path)).toEqual([
      "tasks.a.left",
      "tasks.a.op",
      "tasks.a.right",
    ]);
  });

  it("requires exactly one of script and code for python and r", () => {
    expectIssue(
      issuesOf({ a: { type: "python" } }),
      "tasks.a.script",
      /needs script \(a file\) or code/,
    );
    expectIssue(
      issuesOf({ a: { type: "r", script: "x.R", code: "1" } }),
      "tasks.a.code",
      /either script \(a file\) or code \(inline source\), not both/,
    );
    expect(issuesOf({ a: { type: "python", code: "print(1)", args: [1, "x"] } })).toEqual([]);
  });

  it("checks the condition operator", () => {
    expectIssue(
      issuesOf({ a: { type: "condition", left: 1, op: "=>", right: 2 } }),
      "tasks.a.op",
      /"=>" is not allowed here.*use one of: ==, !=, >, >=, <, <=/,
    );
  });

  it("checks trigger rules and backoff", () => {
    expectIssue(
      issuesOf({ a: { type: "empty", when: "all_succes" } }),
      "tasks.a.when",
      /\(did you mean "all_success"\?\); use one of: all_success, all_done/,
    );
    expectIssue(
      issuesOf({ a: { type: "empty", retryBackoff: "linear" } }),
      "tasks.a.retryBackoff",
      /use one of: fixed, exponential/,
    );
  });

  it("checks retries is a non-negative integer", () => {
    expectIssue(issuesOf({ a: { type: "empty", retries: -1 } }), "tasks.a.retries", /at least 0/);
    expectIssue(
      issuesOf({ a: { type: "empty", retries: 1.5 } }),
      "tasks.a.retries",
      /must be a whole number/,
    );
    expectIssue(
      issuesOf({ a: empty }, { defaults: { retries: "2" } }),
      "defaults.retries",
      /whole number, not a string/,
    );
  });

  it("checks durations", () => {
    expectIssue(
      issuesOf({ a: { type: "empty", timeout: "30 mins" } }),
      "tasks.a.timeout",
      /invalid duration "30 mins"/,
    );
    expectIssue(
      issuesOf({ a: { type: "empty", retryDelay: "5x" } }),
      "tasks.a.retryDelay",
      /250ms, 10s/,
    );
    expectIssue(
      issuesOf({ a: empty }, { defaults: { retryMaxDelay: "1m1h" } }),
      "defaults.retryMaxDelay",
      /largest first/,
    );
    expectIssue(issuesOf({ a: { type: "empty", timeout: 0 } }), "tasks.a.timeout", /longer than 0/);
    expect(issuesOf({ a: { type: "empty", timeout: 90, retryDelay: "1h30m" } })).toEqual([]);
  });

  it("needs at least one task", () => {
    expectIssue(issuesOf({}), "tasks", /at least one task/);
  });
});

describe("validate: needs and cycles", () => {
  it("suggests the closest id for an unknown need", () => {
    expectIssue(
      issuesOf({ prepare: empty, train: { type: "empty", needs: ["prepar"] } }),
      "tasks.train.needs[0]",
      /unknown task "prepar" in needs \(did you mean "prepare"\?\)/,
    );
  });

  it("reports self-needs and duplicates", () => {
    const issues = issuesOf({ a: empty, b: { type: "empty", needs: ["a", "b", "a"] } });
    expect(issues.map((i) => i.path)).toEqual(["tasks.b.needs[1]", "tasks.b.needs[2]"]);
    expect(issues[0]?.message).toMatch(/task "b" needs itself/);
    expect(issues[1]?.message).toMatch(/listed twice/);
  });

  it("names the tasks of a cycle in order", () => {
    const issues = issuesOf({
      a: { type: "empty", needs: ["c"] },
      b: { type: "empty", needs: ["a"] },
      c: { type: "empty", needs: ["b"] },
      d: { type: "empty", needs: ["a"] },
    });
    expectIssue(issues, "tasks.a.needs[0]", "the tasks form a cycle: a -> b -> c -> a");
  });

  it("reports each separate cycle", () => {
    const issues = issuesOf({
      a: { type: "empty", needs: ["b"] },
      b: { type: "empty", needs: ["a"] },
      x: { type: "empty", needs: ["y"] },
      y: { type: "empty", needs: ["x"] },
    });
    expect(issues.map((i) => i.message.match(/cycle: (.*?) \(/)?.[1])).toEqual([
      "a -> b -> a",
      "x -> y -> x",
    ]);
  });
});

describe("validate: params, schedule, timezone", () => {
  it("checks param defaults against type, enum, minimum and maximum", () => {
    const issues = issuesOf(
      { a: empty },
      {
        params: {
          n: { type: "integer", default: "3" },
          model: { type: "string", enum: ["a", "b"], default: "c" },
          rate: { type: "number", minimum: 0, maximum: 1, default: 2 },
          low: { type: "number", minimum: 5, default: 1 },
          bad: { type: "string", minimum: 1 },
          odd: { type: "integer", enum: [1, "two"] },
          range: { type: "number", minimum: 2, maximum: 1 },
        },
      },
    );
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ["params.n.default", 'default must be a whole number, not a string "3"'],
      ["params.model.default", 'default value: "c" is not one of the allowed values: "a", "b"'],
      ["params.rate.default", "default value: 2 is above the maximum 1"],
      ["params.low.default", "default value: 1 is below the minimum 5"],
      ["params.bad.minimum", "minimum applies only to number and integer params, not string"],
      ["params.odd.enum[1]", 'enum value "two" must be a whole number, not a string "two"'],
      ["params.range.minimum", "minimum 2 is greater than maximum 1"],
    ]);
  });

  it("checks the param declaration itself", () => {
    expectIssue(
      issuesOf({ a: empty }, { params: { x: { type: "float" } } }),
      "params.x.type",
      /"float" is not allowed here.*string, number, integer/,
    );
    expectIssue(
      issuesOf({ a: empty }, { params: { x: { default: 1 } } }),
      "params.x.type",
      /a param needs the field "type"/,
    );
  });

  it.each(["0 2 * * *", "*/15 * * * 1-5", "@hourly", "@daily", "@weekly", "@monthly", "@yearly"])(
    "accepts the schedule %j",
    (schedule) => {
      expect(checkSchedule(schedule)).toBeUndefined();
    },
  );

  it.each([
    ["0 2 * *", /has 4 fields; write 5/],
    ["0 0 2 * * *", /has 6 fields/],
    ["61 * * * *", /not a valid cron expression/],
    ["@daly", /unknown schedule "@daly" \(did you mean "@daily"\?\)/],
    ["", /has 0 fields/],
  ])("rejects the schedule %j", (schedule, phrase) => {
    expect(checkSchedule(schedule)).toMatch(phrase);
    expectIssue(issuesOf({ a: empty }, { schedule }), "schedule", phrase);
  });

  it("checks IANA time zones", () => {
    expect(checkTimezone("Europe/Paris")).toBeUndefined();
    expect(checkTimezone("UTC")).toBeUndefined();
    for (const tz of ["Mars/Base", "+01:00", "Europe/../etc", ""]) {
      expect(checkTimezone(tz)).toMatch(/unknown time zone/);
    }
    expectIssue(issuesOf({ a: empty }, { timezone: "Paris" }), "timezone", /use an IANA name/);
  });
});

describe("validate: several problems at once", () => {
  it("reports every issue with its path, line and column, in source order", () => {
    const err = parseError(
      [
        "name: Bad_Name", // 1
        "params:", // 2
        "  n: { type: integer, default: x }", // 3
        "tasks:", // 4
        "  a:", // 5
        "    type: notebok", // 6
        "  b:", // 7
        "    type: shell", // 8
        "    needs: [c]", // 9
        '    command: "echo {{ params.m }}"', // 10
        "    retries: -2", // 11
      ].join("\n"),
    );
    expect(err.issues.map((i) => [i.path, i.line, i.column])).toEqual([
      ["name", 1, 1],
      ["params.n.default", 3, 23],
      ["tasks.a.type", 6, 5],
      ["tasks.b.needs[0]", 9, 13],
      ["tasks.b.command", 10, 5],
      ["tasks.b.retries", 11, 5],
    ]);
    expect(err.message.split("\n")).toHaveLength(6);
    expect(err.message).toMatch(/^name: workflow name "Bad_Name" is not valid/);
  });
});
