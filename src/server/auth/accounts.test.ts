import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCodes } from "../../spec/errors.js";
import { Accounts } from "./accounts.js";
import { Authenticator } from "./authenticator.js";
import { bootstrapAdmin } from "./bootstrap-admin.js";
import { LoginService } from "./login.js";
import { PasswordHasher } from "./password-hash.js";
import type { Principal } from "./principal.js";
import { SqliteAuthStore } from "./sqlite-auth-store.js";

const hasher = new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 });
const T0 = Date.parse("2026-06-01T08:00:00.000Z");
let dir: string;
let store: SqliteAuthStore;
let now: number;
let accounts: Accounts;
let login: LoginService;
let auth: Authenticator;
let admin: Principal;

async function sessionOf(username: string, password: string): Promise<Principal> {
  return (await login.login(username, password, "ip")).principal;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "updraft-accounts-"));
  store = SqliteAuthStore.open(join(dir, "auth.db"));
  now = T0;
  accounts = new Accounts(store, { hasher, now: () => now });
  login = new LoginService(store, { hasher, now: () => now });
  auth = new Authenticator(store, { now: () => now });
  await bootstrapAdmin(store, "the admin password", { hasher });
  admin = await sessionOf("admin", "the admin password");
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Accounts", () => {
  it("lets an admin create users, who can then log in with their role", async () => {
    const ed = await accounts.createUser(admin, {
      username: "ed",
      password: "editor password",
      role: "editor",
    });
    expect(ed).toEqual({
      id: ed.id,
      username: "ed",
      role: "editor",
      createdAt: new Date(T0).toISOString(),
    });
    expect((await sessionOf("ed", "editor password")).role).toBe("editor");
    expect((await accounts.listUsers(admin)).map((u) => u.username)).toEqual(["admin", "ed"]);
    expect(JSON.stringify(await accounts.listUsers(admin))).not.toContain("scrypt");
    await expect(
      accounts.createUser(admin, { username: "ed", password: "editor password", role: "viewer" }),
    ).rejects.toMatchObject({
      code: ErrorCodes.CONFLICT,
      message: "The username ed is taken.",
    });
  });

  it("refuses non-admins and invalid input", async () => {
    await accounts.createUser(admin, {
      username: "vi",
      password: "viewer password",
      role: "viewer",
    });
    const viewer = await sessionOf("vi", "viewer password");
    await expect(
      accounts.createUser(viewer, { username: "x", password: "whatever password", role: "admin" }),
    ).rejects.toMatchObject({ code: ErrorCodes.FORBIDDEN });
    await expect(accounts.listUsers(undefined)).rejects.toMatchObject({
      code: ErrorCodes.UNAUTHENTICATED,
    });
    await expect(
      accounts.createUser(admin, { username: "x", password: "whatever password", role: "root" }),
    ).rejects.toMatchObject({ code: ErrorCodes.VALIDATION });
    await expect(
      accounts.createUser(admin, {
        username: "X Y",
        password: "whatever password",
        role: "viewer",
      }),
    ).rejects.toMatchObject({ code: ErrorCodes.VALIDATION });
    await expect(
      accounts.createUser(admin, { username: "xy", password: "short", role: "viewer" }),
    ).rejects.toMatchObject({ code: ErrorCodes.VALIDATION });
    await expect(
      accounts.createUser(admin, { username: "xy", password: ["array"], role: "viewer" }),
    ).rejects.toMatchObject({ code: ErrorCodes.VALIDATION });
  });

  it("changes the own password (checking the old one) and ends the other sessions", async () => {
    const other = await login.login("admin", "the admin password", "ip");
    await expect(
      accounts.changeOwnPassword(admin, "wrong", "a brand new password"),
    ).rejects.toMatchObject({ code: ErrorCodes.FORBIDDEN });
    await expect(
      accounts.changeOwnPassword(admin, "the admin password", "admin"),
    ).rejects.toMatchObject({ code: ErrorCodes.VALIDATION });
    await accounts.changeOwnPassword(admin, "the admin password", "a brand new password");
    await expect(auth.authenticate(`Bearer ${other.token}`)).rejects.toThrow(/revoked/);
    expect((await store.getTokenById(admin.tokenId))?.revokedAt).toBeNull();
    expect((await sessionOf("admin", "a brand new password")).role).toBe("admin");
  });

  it("resets passwords and roles; the last admin can be neither demoted nor deleted", async () => {
    const ed = await accounts.createUser(admin, {
      username: "ed",
      password: "editor password",
      role: "editor",
    });
    const edSession = await login.login("ed", "editor password", "ip");
    await accounts.resetPassword(admin, ed.id, "reset by the admin");
    await expect(auth.authenticate(`Bearer ${edSession.token}`)).rejects.toThrow(/revoked/);
    await expect(accounts.setRole(admin, admin.userId, "viewer")).rejects.toMatchObject({
      code: ErrorCodes.CONFLICT,
    });
    await expect(accounts.deleteUser(admin, admin.userId)).rejects.toMatchObject({
      code: ErrorCodes.CONFLICT,
    });
    expect((await accounts.setRole(admin, ed.id, "admin")).role).toBe("admin");
    expect((await accounts.setRole(admin, admin.userId, "viewer")).role).toBe("viewer");
    await expect(accounts.setRole(admin, ed.id, "superuser")).rejects.toMatchObject({
      code: ErrorCodes.VALIDATION,
    });
    await expect(
      accounts.resetPassword(admin, "ghost", "reset by the admin"),
    ).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
  });

  it("creates API tokens for the CLI with names, expiry and revocation", async () => {
    const { token, info } = await accounts.createApiToken(admin, {
      name: "ci-nightly",
      expiresInDays: 30,
    });
    expect(token).toMatch(/^upd_pat_/);
    expect(info).toMatchObject({
      kind: "pat",
      name: "ci-nightly",
      expiresAt: new Date(T0 + 30 * 86_400_000).toISOString(),
    });
    expect(info).not.toHaveProperty("hash");
    expect((await auth.authenticate(`Bearer ${token}`)).tokenKind).toBe("pat");
    const forever = await accounts.createApiToken(admin, { name: "forever", expiresInDays: null });
    expect(forever.info.expiresAt).toBeNull();
    const dflt = await accounts.createApiToken(admin, { name: "default" });
    expect(dflt.info.expiresAt).toBe(new Date(T0 + 90 * 86_400_000).toISOString());
    await expect(accounts.createApiToken(admin, { name: "ci-nightly" })).rejects.toMatchObject({
      code: ErrorCodes.CONFLICT,
    });
    for (const bad of [
      { name: "" },
      { name: "x".repeat(101) },
      { name: "a\nb" },
      { name: 5 },
      { name: "ok", expiresInDays: 0 },
      { name: "ok", expiresInDays: 1.5 },
      { name: "ok", expiresInDays: "30" },
      { name: "ok", expiresInDays: 99_999 },
    ])
      await expect(accounts.createApiToken(admin, bad), JSON.stringify(bad)).rejects.toMatchObject({
        code: ErrorCodes.VALIDATION,
      });
    const listed = await accounts.listTokens(admin);
    expect(listed.map((t) => t.name).sort()).toEqual([
      "ci-nightly",
      "default",
      "forever",
      "session",
    ]);
    await accounts.revokeToken(admin, info.id);
    await expect(auth.authenticate(`Bearer ${token}`)).rejects.toThrow(/revoked/);
    // The name is free again once revoked.
    expect((await accounts.createApiToken(admin, { name: "ci-nightly" })).info.name).toBe(
      "ci-nightly",
    );
    now = T0 + 31 * 86_400_000;
    await expect(auth.authenticate(`Bearer ${token}`)).rejects.toThrow(/revoked/);
  });

  it("keeps users' tokens private from each other; admins see and revoke all", async () => {
    await accounts.createUser(admin, {
      username: "ed",
      password: "editor password",
      role: "editor",
    });
    await accounts.createUser(admin, {
      username: "vi",
      password: "viewer password",
      role: "viewer",
    });
    const ed = await sessionOf("ed", "editor password");
    const vi = await sessionOf("vi", "viewer password");
    const edToken = await accounts.createApiToken(ed, { name: "laptop" });
    await expect(accounts.revokeToken(vi, edToken.info.id)).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
    });
    await expect(accounts.revokeToken(vi, "no-such-id")).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
    });
    await expect(accounts.listTokens(vi, ed.userId)).rejects.toMatchObject({
      code: ErrorCodes.FORBIDDEN,
    });
    expect((await accounts.listTokens(admin, ed.userId)).map((t) => t.name).sort()).toEqual([
      "laptop",
      "session",
    ]);
    await accounts.revokeToken(admin, edToken.info.id);
    await expect(auth.authenticate(`Bearer ${edToken.token}`)).rejects.toThrow(/revoked/);
    await accounts.deleteUser(admin, ed.userId);
    await expect(auth.authenticate(`Bearer ${edToken.token}`)).rejects.toThrow(/Unknown token/);
  });
});
