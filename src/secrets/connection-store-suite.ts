/**
 * The behaviour every ConnectionStore implementation must have, as a reusable Vitest
 * suite run by the SQLite and PostgreSQL stores, through a real ConnectionVault. Only
 * test files import it.
 */
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCodes } from "../spec/errors.js";
import type { ConnectionStore, StoredConnection } from "./connection-store.js";
import { ConnectionVault } from "./connection-vault.js";
import { rotateConnectionKey } from "./key-rotation.js";
import { secretKeyFromBytes } from "./secret-key.js";

/** A fresh, empty store for one test; `reopen` opens the same data again. */
export interface ConnectionStoreFixture {
  store: ConnectionStore;
  reopen: () => Promise<ConnectionStore>;
  cleanup: () => Promise<void>;
}

const stored = (name: string, over: Partial<StoredConnection> = {}): StoredConnection => ({
  name,
  type: "http",
  keyId: "0123456789abcdef",
  envelope: `env-${name}`,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...over,
});

/** Registers the shared ConnectionStore tests for one implementation. */
export function describeConnectionStoreSuite(
  name: string,
  open: () => Promise<ConnectionStoreFixture>,
): void {
  describe(`${name} (ConnectionStore suite)`, () => {
    let fixture: ConnectionStoreFixture;
    let store: ConnectionStore;
    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it("inserts, replaces (keeping createdAt), reads, lists by name and deletes", async () => {
      await store.putConnection(stored("b"));
      await store.putConnection(stored("a"));
      await store.putConnection(stored("B"));
      await store.putConnection(
        stored("b", {
          type: "s3",
          envelope: "env-b2",
          createdAt: "2099-01-01T00:00:00.000Z",
          updatedAt: "2026-02-01T00:00:00.000Z",
        }),
      );
      expect(await store.getConnection("b")).toEqual(
        stored("b", { type: "s3", envelope: "env-b2", updatedAt: "2026-02-01T00:00:00.000Z" }),
      );
      expect(await store.getConnection("nope")).toBeUndefined();
      expect((await store.listConnections()).map((c) => c.name)).toEqual(["B", "a", "b"]);
      expect(await store.deleteConnection("b")).toBe(true);
      expect(await store.deleteConnection("b")).toBe(false);
    });

    it("replaces an envelope only while it is unchanged", async () => {
      await store.putConnection(stored("a"));
      expect(await store.replaceEnvelope("a", "env-a", "fedcba9876543210", "env-new")).toBe(true);
      expect(await store.getConnection("a")).toMatchObject({
        keyId: "fedcba9876543210",
        envelope: "env-new",
      });
      expect(await store.replaceEnvelope("a", "env-a", "x", "y")).toBe(false);
      expect(await store.replaceEnvelope("ghost", "env-a", "x", "y")).toBe(false);
    });

    it("keeps values with SQL metacharacters verbatim", async () => {
      const weird = "x'); DROP TABLE secret_connections; --\\$1";
      await store.putConnection(stored(weird, { envelope: weird }));
      expect((await store.getConnection(weird))?.envelope).toBe(weird);
    });

    it("holds a vault's encrypted connections across reopen, and rotates keys", async () => {
      const k1 = secretKeyFromBytes(randomBytes(32), "k1");
      const k2 = secretKeyFromBytes(randomBytes(32), "k2");
      const conn = {
        name: "warehouse",
        type: "postgres",
        fields: { host: "db", password: "correct-horse" },
        secretFields: ["password"],
      };
      await new ConnectionVault(store, k1).save(conn);
      const again = await fixture.reopen();
      expect(await new ConnectionVault(again, k1).get("warehouse")).toEqual(conn);
      expect((await rotateConnectionKey(again, [k1], k2)).rotated).toEqual(["warehouse"]);
      expect(await new ConnectionVault(store, k2).get("warehouse")).toEqual(conn);
      await expect(new ConnectionVault(store, k1).get("warehouse")).rejects.toMatchObject({
        code: ErrorCodes.SECRET,
      });
    });

    it("fails with E_STORE once closed", async () => {
      await store.close();
      await expect(store.listConnections()).rejects.toMatchObject({ code: ErrorCodes.STORE });
      await store.close();
    });
  });
}
