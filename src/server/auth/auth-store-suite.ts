/**
 * The behaviour every AuthStore implementation must have, as a reusable Vitest suite: the
 * SQLite and PostgreSQL auth stores both run it. Only test files import it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCodes } from "../../spec/errors.js";
import type { AuthStore, TokenRecord, UserRecord } from "./auth-store.js";

/** A fresh, empty store for one test; `reopen` opens the same data again. */
export interface AuthStoreFixture {
  store: AuthStore;
  reopen: () => Promise<AuthStore>;
  cleanup: () => Promise<void>;
}

/** A user with defaults. */
export function sampleUser(
  id: string,
  username: string,
  role: UserRecord["role"] = "editor",
): UserRecord {
  return {
    id,
    username,
    role,
    passwordHash: "scrypt$1024$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==",
    createdAt: "2026-01-01T00:00:00.000Z",
  };
}

/** A token with defaults. */
export function sampleToken(
  id: string,
  userId: string,
  over: Partial<TokenRecord> = {},
): TokenRecord {
  return {
    id,
    userId,
    kind: "pat",
    name: `t-${id}`,
    hash: `hash-${id}`,
    createdAt: "2026-01-01T00:00:00.000Z",
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
    ...over,
  };
}

/** Registers the shared AuthStore tests for one implementation. */
export function describeAuthStoreSuite(name: string, open: () => Promise<AuthStoreFixture>): void {
  describe(`${name} (AuthStore suite)`, () => {
    let fixture: AuthStoreFixture;
    let store: AuthStore;
    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it("creates, reads, lists, counts, updates and deletes users", async () => {
      expect(await store.countUsers()).toBe(0);
      await store.createUser(sampleUser("u1", "zoe"));
      await store.createUser(sampleUser("u2", "ada", "admin"));
      await store.createUser(sampleUser("u3", "Zed"));
      expect(await store.countUsers()).toBe(3);
      expect(await store.getUserByUsername("ada")).toEqual(sampleUser("u2", "ada", "admin"));
      expect(await store.getUserById("u1")).toEqual(sampleUser("u1", "zoe"));
      expect(await store.getUserByUsername("nobody")).toBeUndefined();
      expect(await store.getUserByUsername("ADA")).toBeUndefined();
      expect((await store.listUsers()).map((u) => u.username)).toEqual(["Zed", "ada", "zoe"]);
      await store.updateUser("u1", { role: "viewer", passwordHash: "new" });
      expect(await store.getUserById("u1")).toMatchObject({ role: "viewer", passwordHash: "new" });
      await store.updateUser("u1", { role: "admin" });
      expect(await store.getUserById("u1")).toMatchObject({ role: "admin", passwordHash: "new" });
      await store.updateUser("u1", {});
      await expect(store.updateUser("nope", { role: "admin" })).rejects.toMatchObject({
        code: ErrorCodes.NOT_FOUND,
      });
      await expect(store.updateUser("nope", {})).rejects.toMatchObject({
        code: ErrorCodes.NOT_FOUND,
      });
      expect(await store.deleteUser("u1")).toBe(true);
      expect(await store.deleteUser("u1")).toBe(false);
    });

    it("refuses duplicate usernames and ids with E_CONFLICT, and invalid roles with E_STORE", async () => {
      await store.createUser(sampleUser("u1", "ada"));
      await expect(store.createUser(sampleUser("u2", "ada"))).rejects.toMatchObject({
        code: ErrorCodes.CONFLICT,
      });
      await expect(store.createUser(sampleUser("u1", "bob"))).rejects.toMatchObject({
        code: ErrorCodes.CONFLICT,
      });
      await expect(
        store.createUser({ ...sampleUser("u3", "cy"), role: "root" as "admin" }),
      ).rejects.toMatchObject({ code: ErrorCodes.STORE });
    });

    it("stores SQL metacharacters and unicode verbatim", async () => {
      const username = "x'); DROP TABLE auth_users; --\u{1F600}\\$1";
      await store.createUser(sampleUser("u'1", username));
      expect((await store.getUserByUsername(username))?.id).toBe("u'1");
      expect(await store.countUsers()).toBe(1);
    });

    it("stores tokens, finds them by hash and id, lists newest first, touches and revokes", async () => {
      await store.createUser(sampleUser("u1", "ada"));
      await store.createToken(sampleToken("t1", "u1", { createdAt: "2026-01-01T00:00:00.000Z" }));
      await store.createToken(
        sampleToken("t2", "u1", { kind: "session", createdAt: "2026-01-02T00:00:00.000Z" }),
      );
      expect(await store.getTokenByHash("hash-t1")).toEqual(sampleToken("t1", "u1"));
      expect((await store.getTokenById("t2"))?.kind).toBe("session");
      expect(await store.getTokenByHash("nope")).toBeUndefined();
      expect((await store.listTokens("u1")).map((t) => t.id)).toEqual(["t2", "t1"]);
      expect((await store.listTokens("u1", "pat")).map((t) => t.id)).toEqual(["t1"]);
      expect(await store.listTokens("ghost")).toEqual([]);
      await store.touchToken("t1", "2026-01-03T00:00:00.000Z");
      expect((await store.getTokenById("t1"))?.lastUsedAt).toBe("2026-01-03T00:00:00.000Z");
      expect(await store.revokeToken("t1", "2026-01-04T00:00:00.000Z")).toBe(true);
      expect(await store.revokeToken("t1", "2026-01-05T00:00:00.000Z")).toBe(true);
      expect((await store.getTokenById("t1"))?.revokedAt).toBe("2026-01-04T00:00:00.000Z");
      expect(await store.revokeToken("nope", "2026-01-05T00:00:00.000Z")).toBe(false);
      expect(await store.revokeUserTokens("u1", "2026-01-06T00:00:00.000Z", "session")).toBe(1);
      expect(await store.revokeUserTokens("u1", "2026-01-06T00:00:00.000Z")).toBe(0);
      expect((await store.getTokenById("t2"))?.revokedAt).toBe("2026-01-06T00:00:00.000Z");
    });

    it("refuses duplicate token hashes and tokens of unknown users", async () => {
      await store.createUser(sampleUser("u1", "ada"));
      await store.createToken(sampleToken("t1", "u1"));
      await expect(
        store.createToken({ ...sampleToken("t2", "u1"), hash: "hash-t1" }),
      ).rejects.toMatchObject({ code: ErrorCodes.CONFLICT });
      await expect(store.createToken(sampleToken("t3", "ghost"))).rejects.toMatchObject({
        code: ErrorCodes.STORE,
      });
    });

    it("deletes a user's tokens with the user, and stale tokens on request", async () => {
      await store.createUser(sampleUser("u1", "ada"));
      await store.createUser(sampleUser("u2", "bob"));
      await store.createToken(sampleToken("t1", "u1"));
      await store.createToken(sampleToken("t2", "u2", { expiresAt: "2026-01-02T00:00:00.000Z" }));
      await store.createToken(sampleToken("t3", "u2", { revokedAt: "2026-01-02T00:00:00.000Z" }));
      await store.createToken(sampleToken("t4", "u2", { expiresAt: "2026-03-01T00:00:00.000Z" }));
      await store.deleteUser("u1");
      expect(await store.getTokenById("t1")).toBeUndefined();
      expect(await store.deleteStaleTokens("2026-02-01T00:00:00.000Z")).toBe(2);
      expect((await store.listTokens("u2")).map((t) => t.id)).toEqual(["t4"]);
    });

    it("keeps its data across reopen, and fails with E_STORE once closed", async () => {
      await store.createUser(sampleUser("u1", "ada"));
      await store.createToken(sampleToken("t1", "u1"));
      const again = await fixture.reopen();
      expect(await again.countUsers()).toBe(1);
      expect((await again.getTokenByHash("hash-t1"))?.id).toBe("t1");
      await store.close();
      await expect(store.countUsers()).rejects.toMatchObject({ code: ErrorCodes.STORE });
      await store.close();
    });
  });
}
