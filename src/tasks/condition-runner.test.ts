import { describe, expect, it } from "vitest";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import type { ConditionOp, JsonValue } from "../spec/types.js";
import { compareValues, createConditionRunner } from "./condition-runner.js";
import { makeTestContext } from "./test-context.js";

const cases: [JsonValue, ConditionOp, JsonValue, boolean][] = [
  [0.93, ">=", 0.9, true],
  [0.9, ">=", 0.9, true],
  [0.89, ">=", 0.9, false],
  [2, ">", 10, false],
  [10, "<", 2, false],
  [3, "<=", 3, true],
  [3, "==", 3.0, true],
  [3, "!=", 4, true],
  // Numeric strings against numbers compare as numbers.
  ["0.95", ">", 0.9, true],
  [10, ">", "9", true],
  ["10", "==", 10, true],
  [" 1e3 ", "==", 1000, true],
  ["0x10", "==", 16, false],
  ["abc", "==", 1, false],
  ["abc", "!=", 1, true],
  // Strings compare lexicographically (by code unit).
  ["10", ">", "9", false],
  ["apple", "<", "banana", true],
  ["b", ">=", "b", true],
  ["Z", "<", "a", true],
  ["forest", "==", "forest", true],
  ["forest", "==", "Forest", false],
  // Equality of everything else is deep JSON equality.
  [null, "==", null, true],
  [null, "==", 0, false],
  [null, "!=", "", true],
  [true, "==", true, true],
  [true, "==", 1, false],
  [true, "==", "true", false],
  [[1, [2, 3]], "==", [1, [2, 3]], true],
  [[1, 2], "==", [2, 1], false],
  [[1, 2], "==", [1, 2, 3], false],
  [{ a: 1, b: [null] }, "==", { b: [null], a: 1 }, true],
  [{ a: 1 }, "==", { a: 1, b: 2 }, false],
  [{ a: 1 }, "!=", { a: "1" }, true],
  [[], "==", {}, false],
];

describe("compareValues", () => {
  it.each(cases)("%j %s %j is %s", (left, op, right, expected) => {
    expect(compareValues(left, op, right)).toBe(expected);
  });

  const incomparable: [JsonValue, ConditionOp, JsonValue][] = [
    [null, ">=", 0.9],
    [0.9, "<", null],
    [true, ">", 0],
    [true, ">", false],
    ["abc", ">", 1],
    [[1], "<", [2]],
    [{ a: 1 }, ">=", { a: 1 }],
  ];
  it.each(incomparable)("refuses to order %j %s %j", (left, op, right) => {
    let caught: unknown;
    try {
      compareValues(left, op, right);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TaskError);
    expect((caught as TaskError).code).toBe(ErrorCodes.TASK_FAILED);
    expect((caught as TaskError).message).toMatch(/needs two numbers or two strings/);
  });

  it("explains a null side", () => {
    expect(() => compareValues(null, ">=", 0.9)).toThrow(
      "condition cannot compare null with the number 0.9 using `>=`; `>=` needs two numbers " +
        "or two strings (a null side often means an upstream task did not publish that output)",
    );
  });
});

describe("condition runner", () => {
  const runner = createConditionRunner();

  it("publishes the result and tells the engine whether to proceed", async () => {
    const pass = await makeTestContext({ type: "condition", left: 0.93, op: ">=", right: 0.9 });
    await expect(runner.run(pass)).resolves.toEqual({ outputs: { result: true }, proceed: true });
    const fail = await makeTestContext({ type: "condition", left: 0.5, op: ">=", right: 0.9 });
    await expect(runner.run(fail)).resolves.toEqual({ outputs: { result: false }, proceed: false });
  });

  it("fails the task on incomparable values", async () => {
    const ctx = await makeTestContext({ type: "condition", left: null, op: ">", right: 1 });
    await expect(runner.run(ctx)).rejects.toMatchObject({ code: ErrorCodes.TASK_FAILED });
  });
});
