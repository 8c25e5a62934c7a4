import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCodes } from "../../spec/errors.js";
import { Authenticator } from "./authenticator.js";
import { LoginRateLimiter } from "./login-rate-limiter.js";
import { LoginService, SESSION_TTL_MS } from "./login.js";
import { PasswordHasher } from "./password-hash.js";
import { SqliteAuthStore } from "./sqlite-auth-store.js";

const hasher = new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 });
const PASSWORD = "a fine long password";
let dir: string;
let store: SqliteAuthStore;
let now: number;
let login: LoginService;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "updraft-login-"));
  store = SqliteAuthStore.open(join(dir, "auth.db"));
  now = Date.parse("2026-06-01T08:00:00.000Z");
  login = new LoginService(store, {
    hasher,
    now: () => now,
    limiter: new LoginRateLimiter({ maxFailures: 3, windowMs: 60_000, now: () => now }),
  });
  await store.createUser({
    id: "u1",
    username: "ada",
    role: "viewer",
    passwordHash: await hasher.hash(PASSWORD),
    createdAt: "2026-01-01T00:00:00.000Z",
  });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("LoginService", () => {
  it("issues a 12-hour session token that the authenticator accepts, until logout", async () => {
    const result = await login.login(" Ada ", PASSWORD, "10.0.0.1");
    expect(result.token).toMatch(/^upd_s_/);
    expect(result.expiresAt).toBe(new Date(now + SESSION_TTL_MS).toISOString());
    expect(SESSION_TTL_MS).toBe(12 * 3600 * 1000);
    const auth = new Authenticator(store, { now: () => now });
    const principal = await auth.authenticate(`Bearer ${result.token}`);
    expect(principal).toEqual(result.principal);
    // The store holds only the hash.
    const row = await store.getTokenById(principal.tokenId);
    expect(row?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(result.token);
    await login.logout(principal);
    await expect(auth.authenticate(`Bearer ${result.token}`)).rejects.toThrow(/revoked/);
  });

  it("gives the same answer for an unknown user and a wrong password", async () => {
    const wrong = await login.login("ada", "not the password", "ip").catch((e: unknown) => e);
    const unknown = await login.login("nobody", PASSWORD, "ip").catch((e: unknown) => e);
    expect(wrong).toMatchObject({
      code: ErrorCodes.UNAUTHENTICATED,
      message: "Invalid username or password.",
    });
    expect(unknown).toMatchObject({
      code: ErrorCodes.UNAUTHENTICATED,
      message: "Invalid username or password.",
    });
  });

  it("rate-limits failures per username and address, then recovers", async () => {
    for (let i = 0; i < 3; i++)
      await expect(login.login("ada", "wrong password!", "1.2.3.4")).rejects.toMatchObject({
        code: ErrorCodes.UNAUTHENTICATED,
      });
    // Even the right password is refused while blocked.
    await expect(login.login("ada", PASSWORD, "1.2.3.4")).rejects.toMatchObject({
      code: ErrorCodes.RATE_LIMITED,
      details: { retryAfterSeconds: 60 },
    });
    expect((await login.login("ada", PASSWORD, "5.6.7.8")).token).toMatch(/^upd_s_/);
    now += 60_000;
    expect((await login.login("ada", PASSWORD, "1.2.3.4")).token).toMatch(/^upd_s_/);
  });

  it("refuses hostile input without hashing it and without crashing", async () => {
    await expect(login.login(undefined, PASSWORD, "ip")).rejects.toMatchObject({
      code: ErrorCodes.VALIDATION,
    });
    await expect(login.login("ada", { $ne: "" }, "ip")).rejects.toMatchObject({
      code: ErrorCodes.VALIDATION,
    });
    await expect(login.login("ada", "x".repeat(5_000_000), "ip2")).rejects.toMatchObject({
      code: ErrorCodes.UNAUTHENTICATED,
    });
    await expect(login.login("a".repeat(1_000_000), PASSWORD, "ip3")).rejects.toMatchObject({
      code: ErrorCodes.UNAUTHENTICATED,
    });
    await expect(login.login("ada' OR '1'='1", PASSWORD, "ip4")).rejects.toMatchObject({
      code: ErrorCodes.UNAUTHENTICATED,
    });
    await expect(login.login("ada\u0000", PASSWORD, "ip5")).rejects.toMatchObject({
      code: ErrorCodes.UNAUTHENTICATED,
    });
  });

  it("rehashes a password stored with old parameters on a successful login", async () => {
    const stronger = new PasswordHasher({ N: 2 ** 11, r: 8, p: 1 });
    const upgraded = new LoginService(store, { hasher: stronger, now: () => now });
    await upgraded.login("ada", PASSWORD, "ip");
    const stored = (await store.getUserById("u1"))?.passwordHash ?? "";
    expect(stored.startsWith("scrypt$2048$8$1$")).toBe(true);
    expect(await stronger.verify(PASSWORD, stored)).toBe(true);
  });
});
