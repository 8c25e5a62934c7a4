/**
 * Picks the store from `--db`: nothing (or `sqlite:PATH`) is an SQLite file, by default
 * `updraft.db` in the data directory; `postgres://` or `postgresql://` is PostgreSQL.
 */
import { isAbsolute, join, resolve } from "node:path";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { PostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
import { SqliteStore } from "./sqlite-store.js";
import type { Store } from "./types.js";

/** What `openStore` opens. */
export interface StoreSpec {
  /** The data directory (artifacts, and the default SQLite file). */
  dataDir: string;
  /** The `--db` value: `postgres://...`, `postgresql://...`, `sqlite:PATH`, or empty for the default. */
  db?: string;
  /** Options for a PostgreSQL store. */
  postgres?: PostgresStoreOptions;
}

/** The file name of the SQLite store in the data directory. */
export const SQLITE_FILE = "updraft.db";

/** Opens (and migrates) the store a spec names; rejects with E_USAGE for an unknown kind of URL. */
export async function openStore(spec: StoreSpec): Promise<Store> {
  const db = spec.db?.trim() ?? "";
  if (db === "") return SqliteStore.open(join(spec.dataDir, SQLITE_FILE));
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(db)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql")
    return PostgresStore.open(db, spec.postgres);
  if (scheme === "sqlite") {
    const path = db.slice("sqlite:".length);
    if (path === "") return SqliteStore.open(join(spec.dataDir, SQLITE_FILE));
    // A relative path is taken from the current directory, as any other path argument.
    return SqliteStore.open(path === ":memory:" || isAbsolute(path) ? path : resolve(path));
  }
  // Only the scheme is echoed: the rest of a URL may hold a password.
  const shown = scheme === undefined ? `"${db}" is not a URL` : `${scheme}: is not a store`;
  throw new UpdraftError(
    ErrorCodes.USAGE,
    `--db ${shown} Updraft can use. Give postgres://USER@HOST:5432/DATABASE (or ` +
      `postgresql://) for PostgreSQL, sqlite:PATH for an SQLite file, or leave --db out for ` +
      `${SQLITE_FILE} in the data directory.`,
  );
}
