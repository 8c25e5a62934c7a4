import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./retry-policy.js";

describe("retryDelayMs", () => {
  it("keeps a fixed delay", () => {
    const p = { retries: 5, delayMs: 1000, backoff: "fixed" as const, maxDelayMs: 10_000 };
    expect([1, 2, 3].map((a) => retryDelayMs(p, a))).toEqual([1000, 1000, 1000]);
  });
  it("doubles with exponential backoff up to the cap", () => {
    const p = { retries: 9, delayMs: 1000, backoff: "exponential" as const, maxDelayMs: 5000 };
    expect([1, 2, 3, 4, 9].map((a) => retryDelayMs(p, a))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
  it("does not overflow for absurd attempt numbers", () => {
    const p = { retries: 5000, delayMs: 1, backoff: "exponential" as const, maxDelayMs: 60_000 };
    expect(retryDelayMs(p, 5000)).toBe(60_000);
  });
});
