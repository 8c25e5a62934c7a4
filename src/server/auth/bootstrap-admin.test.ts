import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCodes } from "../../spec/errors.js";
import { bootstrapAdmin } from "./bootstrap-admin.js";
import { LoginService } from "./login.js";
import { PasswordHasher } from "./password-hash.js";
import { SqliteAuthStore } from "./sqlite-auth-store.js";

const hasher = new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 });
let dir: string;
let store: SqliteAuthStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "updraft-bootstrap-"));
  store = SqliteAuthStore.open(join(dir, "auth.db"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("bootstrapAdmin", () => {
  it("creates admin with the provided password, once", async () => {
    expect(await bootstrapAdmin(store, "operator chosen secret", { hasher })).toEqual({
      created: true,
      username: "admin",
    });
    const admin = await store.getUserByUsername("admin");
    expect(admin?.role).toBe("admin");
    expect(await hasher.verify("operator chosen secret", admin?.passwordHash ?? "")).toBe(true);
    expect(await bootstrapAdmin(store, "another chosen secret", { hasher })).toEqual({
      created: false,
    });
    expect(await store.countUsers()).toBe(1);
  });

  it("generates a strong password when none is provided and it logs in", async () => {
    const result = await bootstrapAdmin(store, undefined, { hasher });
    if (!result.created || result.generatedPassword === undefined)
      throw new Error("expected a generated password");
    expect(result.generatedPassword).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const login = new LoginService(store, { hasher });
    expect((await login.login("admin", result.generatedPassword, "ip")).principal.role).toBe(
      "admin",
    );
    const other = SqliteAuthStore.open(join(dir, "other.db"));
    const empty = await bootstrapAdmin(other, "", { hasher });
    await other.close();
    expect(empty).toMatchObject({
      created: true,
      generatedPassword: expect.any(String) as unknown,
    });
  });

  it("refuses a weak provided password with a message naming the variable", async () => {
    await expect(bootstrapAdmin(store, "admin", { hasher })).rejects.toMatchObject({
      code: ErrorCodes.VALIDATION,
      message: expect.stringMatching(
        /^Unacceptable UPDRAFT_ADMIN_PASSWORD: The password is too short/,
      ) as unknown,
    });
    await expect(bootstrapAdmin(store, "adminadminadmin\u0000", { hasher })).rejects.toMatchObject({
      code: ErrorCodes.VALIDATION,
    });
    expect(await store.countUsers()).toBe(0);
  });

  it("creates exactly one admin when two starts race", async () => {
    const other = SqliteAuthStore.open(join(dir, "auth.db"));
    const results = await Promise.all([
      bootstrapAdmin(store, undefined, { hasher }),
      bootstrapAdmin(other, undefined, { hasher }),
    ]);
    await other.close();
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await store.countUsers()).toBe(1);
  });
});
