/**
 * Where the main store's `--db` value puts data: an SQLite file (`updraft.db` in the data
 * directory by default, or `sqlite:PATH`) or a PostgreSQL URL. Shared by the auth and
 * connection stores, which live beside the main store.
 */
import { isAbsolute, join, resolve } from "node:path";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** Where the data lives: the `--db` value and the data directory. */
export interface DbSpec {
  dataDir: string;
  db?: string;
}

/** The kind and location a `--db` value names; E_USAGE for anything else. */
export function dbLocation(
  spec: DbSpec,
): { kind: "sqlite"; path: string } | { kind: "postgres"; url: string } {
  const db = spec.db?.trim() ?? "";
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(db)?.[1]?.toLowerCase();
  if (db === "") return { kind: "sqlite", path: join(spec.dataDir, "updraft.db") };
  if (scheme === "postgres" || scheme === "postgresql") return { kind: "postgres", url: db };
  if (scheme === "sqlite") {
    const path = db.slice("sqlite:".length);
    if (path === "") return { kind: "sqlite", path: join(spec.dataDir, "updraft.db") };
    return { kind: "sqlite", path: path === ":memory:" || isAbsolute(path) ? path : resolve(path) };
  }
  // Only the scheme is echoed: the rest of a URL may hold a password.
  const shown = scheme === undefined ? "is not a URL" : `(${scheme}:) is not a store`;
  throw new UpdraftError(
    ErrorCodes.USAGE,
    `--db ${shown} Updraft can use: give postgres://..., sqlite:PATH, or nothing.`,
  );
}
