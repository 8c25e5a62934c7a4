import { expect, test } from "vitest";
import type { ParamSpec } from "../../../src/spec/types.js";
import { readField, readRunForm, runFields } from "./run-params.js";

const specs: Record<string, ParamSpec> = {
  label: { type: "string", default: "daily", description: "run label" },
  rows: { type: "integer", minimum: 1, maximum: 1000 },
  ratio: { type: "number", default: 0.2, minimum: 0, maximum: 1 },
  dry: { type: "boolean", default: false },
  model: { type: "string", enum: ["logreg", "forest"], default: "forest" },
  cols: { type: "array", default: ["a", "b"] },
  opts: { type: "object" },
};

test("fields follow the declared params, with their defaults as text and hints", () => {
  const fields = runFields(specs);
  expect(fields.map((f) => [f.name, f.kind, f.initial, f.required])).toEqual([
    ["label", "string", "daily", false],
    ["rows", "integer", "", true],
    ["ratio", "number", "0.2", false],
    ["dry", "boolean", "false", false],
    ["model", "enum", "1", false],
    ["cols", "json", JSON.stringify(["a", "b"], null, 2), false],
    ["opts", "json", "", true],
  ]);
  expect(fields[1]!.hint).toBe("integer, at least 1, at most 1000, required");
  expect(fields[0]!.hint).toBe("string — run label");
});

test("typed values become params of their type; defaults are kept when left alone", () => {
  const fields = runFields(specs);
  const read = readRunForm(fields, { rows: " 42 ", opts: '{"k": 1}', dry: "true", model: "0" });
  expect(read).toEqual({
    ok: true,
    params: {
      label: "daily",
      rows: 42,
      ratio: 0.2,
      dry: true,
      model: "logreg",
      cols: ["a", "b"],
      opts: { k: 1 },
    },
  });
});

test("every wrong field gets a message the user can act on", () => {
  const fields = runFields(specs);
  const read = readRunForm(fields, {
    rows: "4.5",
    ratio: "2",
    cols: '{"not": "a list"}',
    opts: "{oops",
  });
  expect(read.ok).toBe(false);
  if (read.ok) return;
  expect(Object.keys(read.errors).sort()).toEqual(["cols", "opts", "ratio", "rows"]);
  expect(read.errors["rows"]).toBe('"4.5" is not a whole number');
  expect(read.errors["ratio"]).toBe("2 is above the maximum 1");
  expect(read.errors["cols"]).toMatch(/must be a list, not/);
  expect(read.errors["opts"]).toMatch(/^not JSON/);
  const missing = readRunForm(fields, {});
  expect(missing.ok === false && missing.errors["rows"]).toBe("enter a whole number");
});

test("hostile input: a huge number, a bad enum index and a __proto__ param stay harmless", () => {
  const [rows] = runFields({ rows: { type: "integer" } });
  expect(readField(rows!, "9".repeat(400))).toMatchObject({ error: /not a whole number/ });
  const [model] = runFields({ model: { type: "string", enum: ["a"] } });
  expect(readField(model!, "7")).toEqual({ error: "choose one of the values" });
  // JSON.parse makes "__proto__" an own key, as a server's JSON answer would.
  const specs = JSON.parse('{"__proto__": {"type": "object", "default": {}}}') as Record<
    string,
    ParamSpec
  >;
  const texts = JSON.parse('{"__proto__": "{\\"polluted\\": true}"}') as Record<string, string>;
  const read = readRunForm(runFields(specs), texts);
  expect(read.ok).toBe(true);
  if (!read.ok) return;
  expect(Object.getPrototypeOf(read.params)).toBe(Object.prototype);
  expect(Object.keys(read.params)).toEqual(["__proto__"]);
  expect(JSON.stringify(read.params)).toBe('{"__proto__":{"polluted":true}}');
  expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
});
