import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ErrorCodes } from "../../spec/errors.js";
import { describeAuthStoreSuite, sampleUser } from "./auth-store-suite.js";
import { SqliteAuthStore } from "./sqlite-auth-store.js";

describeAuthStoreSuite("SqliteAuthStore", () => {
  const dir = mkdtempSync(join(tmpdir(), "updraft-auth-store-"));
  const path = join(dir, "sub", "updraft.db");
  const store = SqliteAuthStore.open(path);
  const opened: SqliteAuthStore[] = [store];
  return Promise.resolve({
    store,
    reopen: () => {
      const again = SqliteAuthStore.open(path);
      opened.push(again);
      return Promise.resolve(again);
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

describe("SqliteAuthStore", () => {
  it("reports a file that is not a database as E_STORE naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "updraft-auth-junk-"));
    try {
      writeFileSync(join(dir, "junk.db"), "this is not a database, just text ".repeat(200));
      let err: unknown;
      try {
        SqliteAuthStore.open(join(dir, "junk.db"));
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({
        code: ErrorCodes.STORE,
        message: expect.stringContaining("junk.db") as unknown,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("shares a database file with other tables and with a second connection", async () => {
    const dir = mkdtempSync(join(tmpdir(), "updraft-auth-share-"));
    const a = SqliteAuthStore.open(join(dir, "updraft.db"));
    const b = SqliteAuthStore.open(join(dir, "updraft.db"));
    try {
      await a.createUser(sampleUser("u1", "ada"));
      expect((await b.getUserById("u1"))?.username).toBe("ada");
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
