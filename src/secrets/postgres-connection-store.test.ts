/** The shared ConnectionStore suite on the real PostgreSQL service. */
import { TEST_PG_URL, testSchemas } from "../store/test-postgres.js";
import { describeConnectionStoreSuite } from "./connection-store-suite.js";
import { PostgresConnectionStore } from "./postgres-connection-store.js";

const freshSchema = testSchemas("updraft_conn_t").fresh;

describeConnectionStoreSuite("PostgresConnectionStore", async () => {
  const schema = freshSchema();
  const opened = [await PostgresConnectionStore.open(TEST_PG_URL, { schema })];
  return {
    store: opened[0] as PostgresConnectionStore,
    reopen: async () => {
      const again = await PostgresConnectionStore.open(TEST_PG_URL, { schema });
      opened.push(again);
      return again;
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
    },
  };
});
