/**
 * Runner of `condition` tasks: compares the resolved `left` and `right` with `op`. The
 * result is published as output `result`; false makes the engine skip the downstream.
 */
import { ErrorCodes, TaskError } from "../spec/errors.js";
import type { ConditionOp, JsonValue } from "../spec/types.js";
import { wrongTaskType } from "./contract-task.js";
import { abortReason } from "./process.js";
import type { TaskContext, TaskResult, TaskRunner } from "./types.js";

/** A decimal number written as text, e.g. "0.93", "-2", "1e3" (not "0x10", "Infinity", ""). */
const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** The number a numeric string stands for, else undefined. */
function numericString(value: JsonValue): number | undefined {
  if (typeof value !== "string" || !NUMERIC.test(value)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Both sides as numbers when they compare as numbers: two numbers, or a number and a
 * numeric string (outputs interpolated into text arrive as strings).
 */
function asNumbers(left: JsonValue, right: JsonValue): [number, number] | undefined {
  if (typeof left === "number" && typeof right === "number") return [left, right];
  if (typeof left === "number") {
    const r = numericString(right);
    return r === undefined ? undefined : [left, r];
  }
  if (typeof right === "number") {
    const l = numericString(left);
    return l === undefined ? undefined : [l, right];
  }
  return undefined;
}

/** JSON equality: same type and same value, lists element-wise, objects key-wise. */
export function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i] as JsonValue));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k] as JsonValue, b[k] as JsonValue));
}

/** A value as a message shows it. */
function describe(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "boolean") return `the boolean ${value}`;
  if (typeof value === "number") return `the number ${value}`;
  const text = value.length > 40 ? `${value.slice(0, 37)}...` : value;
  return `the string ${JSON.stringify(text)}`;
}

/**
 * Compares two values. Numbers (and numeric strings against numbers) compare
 * numerically, strings lexicographically; `==` and `!=` compare lists and objects
 * deeply. Ordering anything else (null, booleans, lists, objects, a number against a
 * non-numeric string) throws a TaskError saying why.
 */
export function compareValues(left: JsonValue, op: ConditionOp, right: JsonValue): boolean {
  const numbers = asNumbers(left, right);
  if (op === "==" || op === "!=") {
    const equal = numbers !== undefined ? numbers[0] === numbers[1] : deepEqual(left, right);
    return op === "==" ? equal : !equal;
  }
  let order: number;
  if (numbers !== undefined) {
    order = numbers[0] - numbers[1];
  } else if (typeof left === "string" && typeof right === "string") {
    order = left < right ? -1 : left > right ? 1 : 0;
  } else {
    const hint =
      left === null || right === null
        ? " (a null side often means an upstream task did not publish that output)"
        : "";
    throw new TaskError(
      ErrorCodes.TASK_FAILED,
      `condition cannot compare ${describe(left)} with ${describe(right)} using \`${op}\`; ` +
        `\`${op}\` needs two numbers or two strings${hint}`,
    );
  }
  switch (op) {
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
  }
  throw new TaskError(
    ErrorCodes.TASK_FAILED,
    `condition has unknown operator ${JSON.stringify(op)}; use one of == != > >= < <=`,
  );
}

/** Creates the runner of `condition` tasks. */
export function createConditionRunner(): TaskRunner {
  return {
    type: "condition",
    run(ctx: TaskContext): Promise<TaskResult> {
      // Whatever the executor throws becomes the rejection.
      return new Promise((resolve) => {
        const task = ctx.task;
        if (ctx.signal.aborted) throw abortReason(ctx.signal);
        if (task.type !== "condition") throw wrongTaskType("condition", task.type);
        const result = compareValues(task.left, task.op, task.right);
        resolve({ outputs: { result }, proceed: result });
      });
    },
  };
}
