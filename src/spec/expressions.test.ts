import { describe, expect, it } from "vitest";
import { ErrorCodes, UpdraftError } from "./errors.js";
import {
  analyzeExpressions,
  findReferences,
  resolveValue,
  type ExpressionContext,
} from "./expressions.js";

const ctx: ExpressionContext = {
  params: { n: 3, rate: 0.5, flag: true, tags: ["a", "b"], cfg: { lr: 0.1 }, nothing: null },
  tasks: { "prep-data": { outputs: { path: "/tmp/x.csv", rows: 150 } } },
  run: { id: "r1", logical_date: "2024-01-02T00:00:00Z", ds: "2024-01-02" },
  workflow: { name: "iris" },
};

function expressionError(fn: () => unknown): UpdraftError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UpdraftError);
    expect((err as UpdraftError).code).toBe(ErrorCodes.EXPRESSION);
    return err as UpdraftError;
  }
  throw new Error("expected an E_EXPRESSION error");
}

describe("resolveValue", () => {
  it("keeps the type of a string that is exactly one expression", () => {
    expect(resolveValue("{{ params.n }}", ctx)).toBe(3);
    expect(resolveValue("{{params.flag}}", ctx)).toBe(true);
    expect(resolveValue("{{   params.tags   }}", ctx)).toEqual(["a", "b"]);
    expect(resolveValue("{{ params.cfg }}", ctx)).toEqual({ lr: 0.1 });
    expect(resolveValue("{{ params.nothing }}", ctx)).toBeNull();
    expect(resolveValue("{{ tasks.prep-data.outputs.rows }}", ctx)).toBe(150);
  });

  it("interpolates expressions inside longer strings, non-strings as JSON", () => {
    expect(resolveValue("n={{ params.n }} on {{ run.ds }}", ctx)).toBe("n=3 on 2024-01-02");
    expect(resolveValue("tags: {{ params.tags }}", ctx)).toBe('tags: ["a","b"]');
    expect(resolveValue("cfg {{ params.cfg }}", ctx)).toBe('cfg {"lr":0.1}');
    expect(resolveValue("x{{ params.nothing }}", ctx)).toBe("xnull");
    expect(resolveValue(" {{ params.n }}", ctx)).toBe(" 3");
    expect(resolveValue("{{ workflow.name }}-{{ run.id }}", ctx)).toBe("iris-r1");
  });

  it("walks nested arrays and objects, leaving keys and non-strings alone", () => {
    const value = {
      a: ["{{ params.n }}", 1, null, { b: "{{ run.logical_date }}" }],
      "{{ params.n }}": false,
    };
    expect(resolveValue(value, ctx)).toEqual({
      a: [3, 1, null, { b: "2024-01-02T00:00:00Z" }],
      "{{ params.n }}": false,
    });
  });

  it("looks inside object values with extra segments", () => {
    expect(resolveValue("{{ params.cfg.lr }}", ctx)).toBe(0.1);
    expect(expressionError(() => resolveValue("{{ params.cfg.momentum }}", ctx)).message).toMatch(
      /no field "momentum"/,
    );
  });

  it("turns \\{{ into a literal {{ and leaves a lone }} alone", () => {
    expect(resolveValue("\\{{ params.n }}", ctx)).toBe("{{ params.n }}");
    expect(resolveValue("a \\{{ b }} {{ params.n }}", ctx)).toBe("a {{ b }} 3");
    expect(resolveValue("just }} here", ctx)).toBe("just }} here");
  });

  it("throws E_EXPRESSION for unknown references, naming them", () => {
    expect(expressionError(() => resolveValue("{{ params.missing }}", ctx)).message).toMatch(
      /no param "missing"/,
    );
    expect(expressionError(() => resolveValue("{{ tasks.other.outputs.x }}", ctx)).message).toMatch(
      /task "other" has no outputs/,
    );
    expect(
      expressionError(() => resolveValue("{{ tasks.prep-data.outputs.nope }}", ctx)).message,
    ).toMatch(/did not publish output "nope".*path, rows/);
    expect(expressionError(() => resolveValue("{{ run.start }}", ctx)).message).toMatch(
      /reads nothing known/,
    );
    expect(expressionError(() => resolveValue("{{ env.HOME }}", ctx)).message).toMatch(
      /reads nothing known/,
    );
  });

  it("never reads inherited properties", () => {
    expect(expressionError(() => resolveValue("{{ params.constructor }}", ctx)).message).toMatch(
      /no param "constructor"/,
    );
    expect(() => resolveValue("{{ params.cfg.toString }}", ctx)).toThrow(/no field/);
    expect(() => resolveValue("{{ tasks.__proto__.outputs.x }}", ctx)).toThrow(/no outputs/);
  });

  it("rejects malformed templates", () => {
    expect(expressionError(() => resolveValue("{{ params.n", ctx)).message).toMatch(
      /without a closing/,
    );
    expect(() => resolveValue("{{ params.n + 1 }}", ctx)).toThrow(/not a valid expression/);
    expect(() => resolveValue("{{ __import__('os') }}", ctx)).toThrow(/not a valid expression/);
    expect(() => resolveValue("{{}}", ctx)).toThrow(/not a valid expression/);
  });

  it("keeps __proto__ keys as plain data", () => {
    const value = JSON.parse('{"__proto__": {"polluted": "{{ params.n }}"}}') as {
      [k: string]: unknown;
    };
    const out = resolveValue(value as never, ctx) as Record<string, unknown>;
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});

describe("findReferences", () => {
  it("finds every reference with its kind, segments and location", () => {
    const refs = findReferences({
      a: "{{ params.x }} and {{ tasks.my-task.outputs.y }}",
      b: ["{{ run.id }}", { c: "{{ workflow.name }}" }],
      d: "\\{{ params.escaped }}",
      e: 5,
    });
    expect(refs.map((r) => [r.kind, r.path.join("."), r.at])).toEqual([
      ["param", "params.x", ["a"]],
      ["task_output", "tasks.my-task.outputs.y", ["a"]],
      ["run", "run.id", ["b", 0]],
      ["workflow", "workflow.name", ["b", 1, "c"]],
    ]);
    const task = refs[1];
    expect(task?.kind === "task_output" && [task.task, task.output]).toEqual(["my-task", "y"]);
  });

  it("reports malformed and unknown expressions as problems", () => {
    const { references, problems } = analyzeExpressions([
      "{{ tasks.a.result }}",
      "{{ run }}",
      "{{ 1 + 1 }}",
    ]);
    expect(references).toEqual([]);
    expect(problems.map((p) => p.at)).toEqual([[0], [1], [2]]);
    expect(problems[0]?.message).toMatch(/tasks\.ID\.outputs\.NAME/);
  });
});
