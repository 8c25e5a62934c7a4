/** Opens the ConnectionStore that goes with the main store's `--db` (same file or database). */
import { dbLocation, type DbSpec } from "./db-location.js";
import type { ConnectionStore } from "./connection-store.js";
import { PostgresConnectionStore } from "./postgres-connection-store.js";
import { SqliteConnectionStore } from "./sqlite-connection-store.js";

/** Opens the connections table where `spec` says. */
export async function openConnectionStore(spec: DbSpec): Promise<ConnectionStore> {
  const where = dbLocation(spec);
  return where.kind === "postgres"
    ? PostgresConnectionStore.open(where.url)
    : SqliteConnectionStore.open(where.path);
}
