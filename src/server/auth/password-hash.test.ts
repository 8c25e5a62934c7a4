import { scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ErrorCodes } from "../../spec/errors.js";
import { DEFAULT_SCRYPT_PARAMS, MAX_PASSWORD_BYTES, PasswordHasher } from "./password-hash.js";

const fast = new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 });

describe("PasswordHasher", () => {
  it("hashes with the default parameters into a self-describing string and verifies it", async () => {
    const hasher = new PasswordHasher();
    const stored = await hasher.hash("correct horse battery staple");
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await hasher.verify("correct horse battery staple", stored)).toBe(true);
    expect(await hasher.verify("correct horse battery stapl", stored)).toBe(false);
    expect(hasher.needsRehash(stored)).toBe(false);
    expect(hasher.params).toEqual(DEFAULT_SCRYPT_PARAMS);
  });

  it("uses a fresh salt per hash", async () => {
    const a = await fast.hash("same password here");
    const b = await fast.hash("same password here");
    expect(a).not.toBe(b);
    expect(a.split("$")[4]).not.toBe(b.split("$")[4]);
  });

  it("does not block the event loop while hashing", async () => {
    const order: string[] = [];
    const hashing = new PasswordHasher()
      .hash("a long enough password")
      .then(() => order.push("hash"));
    setImmediate(() => order.push("tick"));
    await hashing;
    // A synchronous scrypt would have finished before the loop could turn.
    expect(order).toEqual(["tick", "hash"]);
  });

  it("detects that a hash needs rehashing when the parameters change, and verifies old hashes", async () => {
    const old = await fast.hash("password from last year");
    const current = new PasswordHasher({ N: 2 ** 11, r: 8, p: 1 });
    expect(current.needsRehash(old)).toBe(true);
    expect(await current.verify("password from last year", old)).toBe(true);
    expect(current.needsRehash("garbage")).toBe(true);
  });

  it("normalizes Unicode (NFKC) so composed and decomposed forms match", async () => {
    const stored = await fast.hash("caf\u00e9 au lait 2024");
    expect(await fast.verify("cafe\u0301 au lait 2024", stored)).toBe(true);
  });

  it("handles NUL bytes and unicode as ordinary characters", async () => {
    const stored = await fast.hash("abc\u0000def\u{1F600}ghijkl");
    expect(await fast.verify("abc\u0000def\u{1F600}ghijkl", stored)).toBe(true);
    expect(await fast.verify("abc", stored)).toBe(false);
  });

  it("refuses to hash, and never verifies, passwords over the size limit", async () => {
    const huge = "x".repeat(MAX_PASSWORD_BYTES + 1);
    await expect(fast.hash(huge)).rejects.toMatchObject({ code: ErrorCodes.VALIDATION });
    const stored = await fast.hash("x".repeat(MAX_PASSWORD_BYTES));
    expect(await fast.verify("x".repeat(MAX_PASSWORD_BYTES), stored)).toBe(true);
    expect(await fast.verify(huge, stored)).toBe(false);
    expect(await fast.verify("x".repeat(10_000_000), stored)).toBe(false);
    // 1024 characters but more bytes in UTF-8.
    await expect(fast.hash("\u00e9".repeat(MAX_PASSWORD_BYTES))).rejects.toMatchObject({
      code: ErrorCodes.VALIDATION,
    });
  });

  it("rejects malformed or hostile stored hashes with E_STORE instead of crashing or allocating", async () => {
    const good = await fast.hash("a good password!");
    const [, , r, p, salt, hash] = good.split("$");
    const hostile = [
      "",
      "plain",
      "bcrypt$10$abc",
      `scrypt$${2 ** 30}$${r}$${p}$${salt}$${hash}`, // would need 1 TiB
      `scrypt$1000$${r}$${p}$${salt}$${hash}`, // not a power of two
      `scrypt$1024$0$${p}$${salt}$${hash}`,
      `scrypt$1024$${r}$99$${salt}$${hash}`,
      `scrypt$1024$${r}$${p}$!!!!$${hash}`,
      `scrypt$1024$${r}$${p}$${salt}$`,
      `scrypt$1024$${r}$${p}$c2FsdA==$${hash}`, // salt too short
      `scrypt$01024$${r}$${p}$${salt}$${hash}`,
      "scrypt$".repeat(1000),
    ];
    for (const stored of hostile) {
      await expect(
        fast.verify("a good password!", stored),
        stored.slice(0, 40),
      ).rejects.toMatchObject({
        code: ErrorCodes.STORE,
      });
    }
  });

  it("does not match when the stored hash was tampered with", async () => {
    const good = await fast.hash("a good password!");
    const parts = good.split("$");
    const hash = Buffer.from(parts[5] ?? "", "base64");
    hash[0] = (hash[0] ?? 0) ^ 1;
    parts[5] = hash.toString("base64");
    expect(await fast.verify("a good password!", parts.join("$"))).toBe(false);
  });

  it("compares against the stored hash's own length (timingSafeEqual never sees unequal lengths)", async () => {
    const salt = Buffer.alloc(16, 7);
    const long = scryptSync(Buffer.from("a good password!"), salt, 64, { N: 1024, r: 8, p: 1 });
    const stored = `scrypt$1024$8$1$${salt.toString("base64")}$${long.toString("base64")}`;
    expect(await fast.verify("a good password!", stored)).toBe(true);
    expect(await fast.verify("a good password?", stored)).toBe(false);
    // A 64-byte hash is readable but not what this hasher writes: rehash at next login.
    expect(fast.needsRehash(stored)).toBe(true);
  });

  it("refuses out-of-range parameters at construction", () => {
    expect(() => new PasswordHasher({ N: 2 ** 9, r: 8, p: 1 })).toThrow(/out of range/);
    expect(() => new PasswordHasher({ N: 3000, r: 8, p: 1 })).toThrow(/out of range/);
    expect(() => new PasswordHasher({ N: 2 ** 14, r: 0, p: 1 })).toThrow(/out of range/);
  });
});
