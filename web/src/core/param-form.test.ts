import { describe, expect, test } from "vitest";
import {
  kindOf,
  literalValue,
  notebookParamForm,
  parseFieldInput,
  type ParameterInfo,
} from "./param-form.js";

const declared: ParameterInfo[] = [
  { name: "alpha", inferredType: "float", default: "0.5", help: "learning rate" },
  { name: "epochs", inferredType: "int", default: "10", help: "" },
  { name: "label", inferredType: "str", default: "'iris'", help: "dataset name" },
  { name: "verbose", inferredType: "bool", default: "False", help: "" },
  { name: "cols", inferredType: "list", default: "['a', 'b']", help: "" },
  { name: "n", inferredType: "numeric", default: "3L", help: "R integer" },
  { name: "mystery", inferredType: null, default: "make()", help: "" },
];

test("the form has one typed field per declared param, then the task's extra params", () => {
  const form = notebookParamForm(declared, { epochs: "{{ params.n_epochs }}", extra: true });
  expect(form.map((f) => [f.name, f.kind, f.declared])).toEqual([
    ["alpha", "number", true],
    ["epochs", "integer", true],
    ["label", "string", true],
    ["verbose", "boolean", true],
    ["cols", "array", true],
    ["n", "number", true],
    ["mystery", "any", true],
    ["extra", "boolean", false],
  ]);
  expect(form[0]).toMatchObject({
    defaultText: "0.5",
    defaultValue: 0.5,
    help: "learning rate",
    binding: { kind: "unset" },
  });
  expect(form[1]!.binding).toEqual({ kind: "param", name: "n_epochs" });
  expect(form[2]!.defaultValue).toBe("iris");
  expect(form[3]!.defaultValue).toBe(false);
  expect(form[4]!.defaultValue).toBeUndefined();
  expect(form[5]!.defaultValue).toBe(3);
  expect(form[7]!.binding).toEqual({ kind: "literal", value: true });
});

test("kindOf and literalValue", () => {
  expect(kindOf("List[int]")).toBe("array");
  expect(kindOf("character")).toBe("string");
  expect(kindOf("logical")).toBe("boolean");
  expect(kindOf("SomeClass")).toBe("any");
  expect(literalValue("None")).toBeNull();
  expect(literalValue("TRUE")).toBe(true);
  expect(literalValue('"x\\"y"')).toBeUndefined();
  expect(literalValue("-1e3")).toBe(-1000);
});

describe("parseFieldInput", () => {
  test("parses by kind", () => {
    expect(parseFieldInput("integer", " 42 ")).toEqual({ value: 42 });
    expect(parseFieldInput("number", "0.25")).toEqual({ value: 0.25 });
    expect(parseFieldInput("boolean", "true")).toEqual({ value: true });
    expect(parseFieldInput("array", "[1, 2]")).toEqual({ value: [1, 2] });
    expect(parseFieldInput("object", '{"k": 1}')).toEqual({ value: { k: 1 } });
    expect(parseFieldInput("string", " keep spaces ")).toEqual({ value: " keep spaces " });
    expect(parseFieldInput("any", "not json")).toEqual({ value: "not json" });
  });
  test("says what it expected", () => {
    expect(parseFieldInput("integer", "1.5")).toEqual({ error: "a whole number, such as 42" });
    expect(parseFieldInput("integer", "99999999999999999999")).toMatchObject({
      error: expect.any(String) as unknown,
    });
    expect(parseFieldInput("number", "")).toMatchObject({ error: expect.any(String) as unknown });
    expect(parseFieldInput("number", "Infinity")).toMatchObject({
      error: expect.any(String) as unknown,
    });
    expect(parseFieldInput("boolean", "yes")).toEqual({ error: "true or false" });
    expect(parseFieldInput("array", "{}")).toMatchObject({ error: expect.any(String) as unknown });
    expect(parseFieldInput("object", "[")).toMatchObject({ error: expect.any(String) as unknown });
  });
});
