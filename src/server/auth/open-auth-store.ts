/**
 * Opens the AuthStore that goes with the main store's `--db`: the same SQLite file
 * (`updraft.db` in the data directory, or `sqlite:PATH`) or the same PostgreSQL database
 * and schema. Until the main store implements AuthStore itself.
 */
import { dbLocation, type DbSpec } from "../../secrets/db-location.js";
import type { AuthStore } from "./auth-store.js";
import { PostgresAuthStore } from "./postgres-auth-store.js";
import { SqliteAuthStore } from "./sqlite-auth-store.js";

/** Opens the auth tables where `spec` says. */
export async function openAuthStore(spec: DbSpec): Promise<AuthStore> {
  const where = dbLocation(spec);
  return where.kind === "postgres"
    ? PostgresAuthStore.open(where.url)
    : SqliteAuthStore.open(where.path);
}
