/** The shared AuthStore suite and PostgreSQL specifics, on the real PostgreSQL service. */
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { ErrorCodes } from "../../spec/errors.js";
import { describeAuthStoreSuite, sampleUser } from "./auth-store-suite.js";
import { PostgresAuthStore } from "./postgres-auth-store.js";

const PG_URL = process.env["UPDRAFT_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
let counter = 0;
const schemas: string[] = [];

function freshSchema(): string {
  const s = `updraft_auth_t${process.pid}_${counter++}`;
  schemas.push(s);
  return s;
}

async function dropSchemas(): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    for (const s of schemas.splice(0)) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await c.end();
  }
}

afterAll(dropSchemas);

describeAuthStoreSuite("PostgresAuthStore", async () => {
  const schema = freshSchema();
  const store = await PostgresAuthStore.open(PG_URL, { schema });
  const opened = [store];
  return {
    store,
    reopen: async () => {
      const again = await PostgresAuthStore.open(PG_URL, { schema });
      opened.push(again);
      return again;
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
    },
  };
});

describe("PostgresAuthStore", () => {
  it("creates its tables once when several servers open the same schema together", async () => {
    const schema = freshSchema();
    const stores = await Promise.all(
      [1, 2, 3].map(() => PostgresAuthStore.open(PG_URL, { schema })),
    );
    try {
      await stores[0]?.createUser(sampleUser("u1", "ada"));
      expect(await stores[2]?.countUsers()).toBe(1);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it("reports an unreachable server and a bad URL as E_STORE, never showing the password", async () => {
    await expect(
      PostgresAuthStore.open("postgres://postgres:hunter2secret@127.0.0.1:1/test"),
    ).rejects.toMatchObject({
      code: ErrorCodes.STORE,
      message: expect.not.stringContaining("hunter2secret") as unknown,
    });
    await expect(PostgresAuthStore.open("mysql://x")).rejects.toMatchObject({
      code: ErrorCodes.STORE,
    });
  });
});
