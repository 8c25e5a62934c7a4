import { describe, expect, it } from "vitest";
import { ErrorCodes, ParamError, ValidationError } from "./errors.js";
import { parseCliValue, parseParamsFile, resolveRunParams } from "./params.js";
import type { ParamSpec } from "./types.js";

describe("parseCliValue (papermill _resolve_type)", () => {
  it.each([
    // papermill: exact "True"/"False"/"None"
    ["True", true],
    ["False", false],
    ["None", null],
    // DESIGN §7 also promises lower-case true/false/null
    ["true", true],
    ["false", false],
    ["null", null],
    // other spellings stay strings, as in papermill
    ["TRUE", "TRUE"],
    ["none", "none"],
    ["yes", "yes"],
    // int() first
    ["10", 10],
    ["-7", -7],
    ["+3", 3],
    ["007", 7],
    [" 42 ", 42],
    ["1_000", 1000],
    // then float()
    ["12.51", 12.51],
    ["1e3", 1000],
    ["-.5", -0.5],
    ["1.", 1],
    ["1_0.5", 10.5],
    ["inf", Infinity],
    ["-Infinity", -Infinity],
    // else the string
    ["hello world", "hello world"],
    ["1_", "1_"],
    ["0x10", "0x10"],
    ["1,5", "1,5"],
    ["", ""],
    ["😍", "😍"],
    ["12345678901234567890", "12345678901234567890"],
  ])("%j -> %j", (input, expected) => {
    expect(parseCliValue(input)).toBe(expected);
  });

  it("gives NaN for nan, as float('nan') does", () => {
    expect(parseCliValue("nan")).toBeNaN();
    expect(parseCliValue("NaN")).toBeNaN();
  });
});

const specs: Record<string, ParamSpec> = {
  n: { type: "integer", minimum: 1, maximum: 10 },
  rate: { type: "number", default: 0.5 },
  flag: { type: "boolean", default: false },
  model: { type: "string", enum: ["logreg", "forest"], default: "logreg" },
  tags: { type: "array", default: [] },
  cfg: { type: "object", default: { a: 1 } },
};

function paramError(fn: () => unknown): ParamError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ParamError);
    return err as ParamError;
  }
  throw new Error("expected a ParamError");
}

describe("resolveRunParams", () => {
  it("fills in defaults in declaration order", () => {
    const out = resolveRunParams(specs, { n: 3 });
    expect(out).toEqual({ n: 3, rate: 0.5, flag: false, model: "logreg", tags: [], cfg: { a: 1 } });
    expect(Object.keys(out)).toEqual(["n", "rate", "flag", "model", "tags", "cfg"]);
  });

  it("coerces strings to the declared type", () => {
    expect(
      resolveRunParams(specs, {
        n: "4",
        rate: "1e-3",
        flag: "True",
        tags: '["a"]',
        cfg: '{"b": 2}',
      }),
    ).toMatchObject({ n: 4, rate: 0.001, flag: true, tags: ["a"], cfg: { b: 2 } });
    expect(resolveRunParams(specs, { n: "5.0" }).n).toBe(5);
  });

  it("turns scalars given for a string param into text", () => {
    expect(resolveRunParams({ v: { type: "string" } }, { v: 1.5 })).toEqual({ v: "1.5" });
  });

  it("does not hand out the defaults' objects", () => {
    const out = resolveRunParams(specs, { n: 1 });
    (out["cfg"] as Record<string, number>)["a"] = 99;
    expect(specs["cfg"]?.default).toEqual({ a: 1 });
  });

  it("reports every problem at once", () => {
    const err = paramError(() =>
      resolveRunParams(specs, { rate: "fast", model: "tree", nn: 1, flag: "maybe" }),
    );
    expect(err.code).toBe(ErrorCodes.PARAM);
    expect(err.message).toMatch(/^5 problems/);
    expect(err.message).toMatch(/unknown param "nn" \(did you mean "n"\?\)/);
    expect(err.message).toMatch(
      /missing param "n" \(integer, no default\); pass it with -p n VALUE/,
    );
    expect(err.message).toMatch(/param "rate": must be a number, not a string "fast"/);
    expect(err.message).toMatch(/param "model": "tree" is not one of the allowed values/);
    expect(err.message).toMatch(/param "flag": must be true or false/);
    expect(err.details).toHaveLength(5);
  });

  it("checks minimum, maximum and whole numbers", () => {
    expect(paramError(() => resolveRunParams(specs, { n: 0 })).message).toMatch(
      /below the minimum 1/,
    );
    expect(paramError(() => resolveRunParams(specs, { n: 11 })).message).toMatch(
      /above the maximum 10/,
    );
    expect(paramError(() => resolveRunParams(specs, { n: 2.5 })).message).toMatch(/whole number/);
  });

  it("rejects inherited names as unknown params", () => {
    const given = JSON.parse('{"__proto__": 1, "n": 2}') as Record<string, number>;
    expect(paramError(() => resolveRunParams(specs, given)).message).toMatch(
      /unknown param "__proto__"/,
    );
    expect(paramError(() => resolveRunParams(specs, { n: 2, constructor: 1 })).message).toMatch(
      /unknown param "constructor"/,
    );
  });
});

describe("parseParamsFile", () => {
  it("reads YAML and JSON mappings", () => {
    expect(parseParamsFile("n: 3\nmodel: forest\n")).toEqual({ n: 3, model: "forest" });
    expect(parseParamsFile('{"n": 3}', "p.json")).toEqual({ n: 3 });
    expect(parseParamsFile("")).toEqual({});
  });

  it("refuses a non-mapping and syntax errors with E_PARSE and a position", () => {
    expect(() => parseParamsFile("- 1\n- 2\n")).toThrow(/must be a mapping/);
    try {
      parseParamsFile('{"n": 3,,}', "p.json");
      expect.fail("should throw");
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      const v = err as ValidationError;
      expect(v.code).toBe(ErrorCodes.PARSE);
      expect(v.issues[0]?.message).toMatch(/invalid JSON/);
      expect(v.issues[0]?.line).toBe(1);
    }
  });

  it("refuses duplicate keys and NUL characters", () => {
    expect(() => parseParamsFile("a: 1\na: 2\n")).toThrow(/duplicate key "a"/);
    expect(() => parseParamsFile("a: '\u0000'\n")).toThrow(/NUL/);
  });
});
