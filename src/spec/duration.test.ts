import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.js";
import { UpdraftError } from "./errors.js";

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["10s", 10_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["2d", 172_800_000],
    ["1h 30m 15s", 5_415_000],
    ["1.5h", 5_400_000],
    ["0s", 0],
    ["10", 10_000],
    [" 2.5 ", 2500],
    [10, 10_000],
    [0.25, 250],
  ])("parses %j", (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(["", "5 minutes", "10x", "m5", "-5s", "5m1h", "1s1s", "1e3s", "NaN"])(
    "rejects %j with a hint",
    (input) => {
      expect(() => parseDuration(input)).toThrow(UpdraftError);
      expect(() => parseDuration(input)).toThrow(/duration/);
    },
  );

  it("rejects negative and non-finite numbers", () => {
    expect(() => parseDuration(-1)).toThrow(/invalid duration -1/);
    expect(() => parseDuration(Infinity)).toThrow(UpdraftError);
  });

  it("rejects absurdly large values", () => {
    expect(() => parseDuration("99999999999999999d")).toThrow(/too large/);
  });

  it("formats back to the unit form", () => {
    expect(formatDuration(5_415_250)).toBe("1h30m15s250ms");
    expect(formatDuration(0)).toBe("0s");
    expect(parseDuration(formatDuration(90_061_001))).toBe(90_061_001);
  });
});
