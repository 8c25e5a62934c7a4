import { describe, expect, it } from "vitest";
import { generateToken, hashToken, tokenKind } from "./token-format.js";

describe("token format", () => {
  it("generates prefixed random tokens of each kind", () => {
    const s = generateToken("session");
    const p = generateToken("pat");
    expect(s).toMatch(/^upd_s_[A-Za-z0-9_-]{43}$/);
    expect(p).toMatch(/^upd_pat_[A-Za-z0-9_-]{43}$/);
    expect(tokenKind(s)).toBe("session");
    expect(tokenKind(p)).toBe("pat");
    const many = new Set(Array.from({ length: 1000 }, () => generateToken("pat")));
    expect(many.size).toBe(1000);
  });

  it("recognizes malformed tokens", () => {
    const good = generateToken("pat");
    for (const bad of [
      "",
      "upd_pat_",
      good.slice(0, -1),
      `${good}x`,
      good.replace("upd_pat_", "upd_x_"),
      `upd_s_${"!".repeat(43)}`,
      "x".repeat(100_000),
      `upd_s_${"a".repeat(42)}\u0000`,
    ])
      expect(tokenKind(bad)).toBeUndefined();
  });

  it("hashes with SHA-256 (hex)", () => {
    expect(hashToken("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});
