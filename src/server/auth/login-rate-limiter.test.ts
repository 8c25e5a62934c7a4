import { describe, expect, it } from "vitest";
import { LoginRateLimiter } from "./login-rate-limiter.js";

describe("LoginRateLimiter", () => {
  it("blocks a username+address after maxFailures within the window, until the oldest leaves it", () => {
    let now = 1_000_000;
    const limiter = new LoginRateLimiter({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds("ada", "10.0.0.1")).toBe(0);
      limiter.recordFailure("ada", "10.0.0.1");
      now += 1000;
    }
    expect(limiter.retryAfterSeconds("ada", "10.0.0.1")).toBe(57);
    expect(limiter.retryAfterSeconds("ADA", "10.0.0.1")).toBe(57);
    // Other pairs are unaffected.
    expect(limiter.retryAfterSeconds("ada", "10.0.0.2")).toBe(0);
    expect(limiter.retryAfterSeconds("bob", "10.0.0.1")).toBe(0);
    now += 57_000;
    expect(limiter.retryAfterSeconds("ada", "10.0.0.1")).toBe(0);
  });

  it("forgets failures after a success and after the window", () => {
    let now = 0;
    const limiter = new LoginRateLimiter({ maxFailures: 2, windowMs: 10_000, now: () => now });
    limiter.recordFailure("ada", "ip");
    limiter.recordSuccess("ada", "ip");
    limiter.recordFailure("ada", "ip");
    expect(limiter.retryAfterSeconds("ada", "ip")).toBe(0);
    now = 20_000;
    limiter.recordFailure("ada", "ip");
    expect(limiter.retryAfterSeconds("ada", "ip")).toBe(0);
    expect(limiter.size).toBe(1);
  });

  it("caps memory under a flood of invented usernames, and bounds huge keys", () => {
    const limiter = new LoginRateLimiter({ maxEntries: 100, now: () => 0 });
    for (let i = 0; i < 10_000; i++) limiter.recordFailure(`user${i}`, "ip");
    expect(limiter.size).toBe(100);
    const huge = "x".repeat(1_000_000);
    for (let i = 0; i < 5; i++) limiter.recordFailure(huge, huge);
    expect(limiter.retryAfterSeconds(huge, huge)).toBeGreaterThan(0);
  });
});
