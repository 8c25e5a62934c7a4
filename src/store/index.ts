/** The store's public surface: the `Store` interface, the SQLite and PostgreSQL stores, the factory, artifact paths. */
export type * from "./types.js";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
export { PostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
export { openStore, type StoreSpec } from "./open-store.js";
export { LATEST_SCHEMA_VERSION } from "./migrations.js";
export { LOG_FILE, attemptDir, relativeLogPath } from "./artifacts.js";
