import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { ErrorCodes } from "../../spec/errors.js";
import { openConnectionStore } from "../../secrets/open-connection-store.js";
import { sampleUser } from "./auth-store-suite.js";
import { dbLocation } from "../../secrets/db-location.js";
import { openAuthStore } from "./open-auth-store.js";

const PG_URL = process.env["UPDRAFT_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

describe("openAuthStore / openConnectionStore", () => {
  it("uses updraft.db in the data directory by default, sharing the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "updraft-open-auth-"));
    try {
      expect(dbLocation({ dataDir: dir })).toEqual({
        kind: "sqlite",
        path: join(dir, "updraft.db"),
      });
      expect(dbLocation({ dataDir: dir, db: "sqlite:" })).toEqual({
        kind: "sqlite",
        path: join(dir, "updraft.db"),
      });
      expect(dbLocation({ dataDir: dir, db: `sqlite:${dir}/x.db` })).toEqual({
        kind: "sqlite",
        path: `${dir}/x.db`,
      });
      const auth = await openAuthStore({ dataDir: dir });
      const conns = await openConnectionStore({ dataDir: dir });
      await auth.createUser(sampleUser("u1", "ada"));
      expect(await conns.listConnections()).toEqual([]);
      await auth.close();
      await conns.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("opens PostgreSQL for postgres:// URLs, in the URL's schema", async () => {
    const schema = `updraft_open_t${process.pid}`;
    const auth = await openAuthStore({ dataDir: "/nonexistent", db: `${PG_URL}?schema=${schema}` });
    const conns = await openConnectionStore({
      dataDir: "/nonexistent",
      db: `${PG_URL}?schema=${schema}`,
    });
    try {
      await auth.createUser(sampleUser("u1", "ada"));
      expect(await auth.countUsers()).toBe(1);
      expect(await conns.listConnections()).toEqual([]);
    } finally {
      await auth.close();
      await conns.close();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  });

  it("refuses other URLs without echoing anything after the scheme", () => {
    for (const db of ["mysql://root:hunter2@x/db", "hunter2", "redis://:hunter2@127.0.0.1"]) {
      let err: unknown;
      try {
        dbLocation({ dataDir: "/d", db });
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: ErrorCodes.USAGE });
      expect((err as Error).message).not.toContain("hunter2");
    }
  });
});
