import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "./open-store.js";
import { PostgresStore } from "./postgres-store.js";
import { SqliteStore } from "./sqlite-store.js";

const PG_URL = process.env["UPDRAFT_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
const dir = mkdtempSync(join(tmpdir(), "updraft-open-store-"));
const schema = `updraft_factory_${process.pid}`;

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const c = new pg.Client(PG_URL);
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
});

describe("openStore", () => {
  it("opens updraft.db in the data directory without --db, or with an empty sqlite: path", async () => {
    for (const db of [undefined, "", "  ", "sqlite:"]) {
      const store = await openStore({
        dataDir: join(dir, "data"),
        ...(db === undefined ? {} : { db }),
      });
      expect(store).toBeInstanceOf(SqliteStore);
      expect((store as SqliteStore).path).toBe(join(dir, "data", "updraft.db"));
      await store.close();
    }
  });

  it("opens sqlite:PATH, absolute, relative to the current directory, or :memory:", async () => {
    const abs = await openStore({ dataDir: dir, db: `sqlite:${join(dir, "elsewhere", "x.db")}` });
    expect((abs as SqliteStore).path).toBe(join(dir, "elsewhere", "x.db"));
    await abs.close();
    expect(existsSync(join(dir, "elsewhere", "x.db"))).toBe(true);
    const rel = relative(process.cwd(), join(dir, "rel.db"));
    expect(isAbsolute(rel)).toBe(false);
    const store = await openStore({ dataDir: dir, db: `sqlite:${rel}` });
    expect((store as SqliteStore).path).toBe(join(dir, "rel.db"));
    await store.close();
    const mem = await openStore({ dataDir: dir, db: "sqlite::memory:" });
    expect((mem as SqliteStore).path).toBe("(in memory)");
    await mem.close();
  });

  it("opens PostgreSQL for postgres:// and postgresql:// URLs", async () => {
    for (const url of [PG_URL, PG_URL.replace(/^postgres:/, "postgresql:")]) {
      const store = await openStore({ dataDir: dir, db: `${url}?schema=${schema}` });
      expect(store).toBeInstanceOf(PostgresStore);
      expect((store as PostgresStore).schema).toBe(schema);
      await store.saveWorkflow("wf", { a: 1 });
      await store.close();
    }
  });

  it.each([
    ["mysql://root:s3cret@127.0.0.1/db", /--db mysql: is not a store/],
    ["SQLITE3:x.db", /--db sqlite3: is not a store/],
    ["/var/lib/updraft.db", /--db "\/var\/lib\/updraft.db" is not a URL/],
    ["user:s3cret@host/db", /--db user: is not a store/],
  ])("refuses %s with E_USAGE, the accepted forms, and no password", async (db, why) => {
    const error = await openStore({ dataDir: dir, db }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toMatchObject({ code: "E_USAGE" });
    const message = (error as Error).message;
    expect(message).toMatch(why);
    expect(message).toMatch(/postgres:\/\/USER@HOST:5432\/DATABASE.*sqlite:PATH/s);
    expect(message).not.toContain("s3cret");
  });
});
