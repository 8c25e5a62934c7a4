/** The shared ConnectionStore suite on the real PostgreSQL service. */
import pg from "pg";
import { afterAll } from "vitest";
import { describeConnectionStoreSuite } from "./connection-store-suite.js";
import { PostgresConnectionStore } from "./postgres-connection-store.js";

const PG_URL = process.env["UPDRAFT_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
let counter = 0;
const schemas: string[] = [];

afterAll(async () => {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await c.end();
  }
});

describeConnectionStoreSuite("PostgresConnectionStore", async () => {
  const schema = `updraft_conn_t${process.pid}_${counter++}`;
  schemas.push(schema);
  const opened = [await PostgresConnectionStore.open(PG_URL, { schema })];
  return {
    store: opened[0] as PostgresConnectionStore,
    reopen: async () => {
      const again = await PostgresConnectionStore.open(PG_URL, { schema });
      opened.push(again);
      return again;
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
    },
  };
});
