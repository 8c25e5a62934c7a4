/** The shared AuthStore suite and PostgreSQL specifics, on the real PostgreSQL service. */
import { TEST_PG_URL, testSchemas } from "../../store/test-postgres.js";
import { describe, expect, it } from "vitest";
import { ErrorCodes } from "../../spec/errors.js";
import { describeAuthStoreSuite, sampleUser } from "./auth-store-suite.js";
import { PostgresAuthStore } from "./postgres-auth-store.js";

const freshSchema = testSchemas("updraft_auth_t").fresh;

describeAuthStoreSuite("PostgresAuthStore", async () => {
  const schema = freshSchema();
  const store = await PostgresAuthStore.open(TEST_PG_URL, { schema });
  const opened = [store];
  return {
    store,
    reopen: async () => {
      const again = await PostgresAuthStore.open(TEST_PG_URL, { schema });
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
      [1, 2, 3].map(() => PostgresAuthStore.open(TEST_PG_URL, { schema })),
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
