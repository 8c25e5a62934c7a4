import { describe, expect, it } from "vitest";
import { Suggester, closest, isIdentifier, quote } from "./names.js";

describe("names", () => {
  it("quotes with invisible and bidi characters escaped", () => {
    expect(quote("ev\u202eil")).toBe('"ev\\u202eil"');
    expect(quote("a\u200bb\u0000")).toBe('"a\\u200bb\\u0000"');
    expect(quote('say "hi"')).toBe('"say \\"hi\\""');
    expect(quote("🚀")).toBe('"🚀"');
    expect(quote("x".repeat(100))).toBe(`"${"x".repeat(60)}…"`);
  });

  it("suggests close names only", () => {
    expect(closest("prepar", ["train", "prepare"])).toBe("prepare");
    expect(closest("Train", ["train"])).toBe("train");
    expect(closest("zzz", ["train", "prepare"])).toBeUndefined();
    const s = new Suggester(["alpha", "beta"], 2);
    expect(s.didYouMean("alpa")).toBe(' (did you mean "alpha"?)');
    expect(s.didYouMean("alpa")).toBe(' (did you mean "alpha"?)');
    expect(s.didYouMean("bta")).toBe(""); // budget spent
  });

  it("knows identifiers and reserved words", () => {
    expect(isIdentifier("test_size")).toBe(true);
    expect(isIdentifier("_x1")).toBe(true);
    expect(isIdentifier("1x")).toBe(false);
    expect(isIdentifier("class")).toBe(false);
    expect(isIdentifier("__proto__")).toBe(false);
    expect(isIdentifier("naïve")).toBe(false);
  });
});
