/**
 * Opening an SQLite file for a store that keeps its own tables in it (auth, connections):
 * the file and its directory are created when missing, and the tables with it.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** How to open the tables of one store. */
export interface SqliteTablesOptions {
  /** The `CREATE TABLE IF NOT EXISTS` statements of the store. */
  ddl: string;
  /** What the tables are, for the error message (e.g. "the auth tables"). */
  what: string;
  /** How long a statement waits for a lock another process holds; default 5000 ms. */
  busyTimeoutMs?: number;
  /** Whether foreign keys are enforced (SQLite's default is off). */
  foreignKeys?: boolean;
}

/** An open database file and its absolute path. */
export interface SqliteTables {
  db: Database.Database;
  location: string;
}

/** Opens (creating when missing) the file at `path` and the tables of `opts.ddl`. */
export function openSqliteTables(path: string, opts: SqliteTablesOptions): SqliteTables {
  const location = resolve(path);
  let db: Database.Database | undefined;
  try {
    mkdirSync(dirname(location), { recursive: true });
    db = new Database(location);
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    db.pragma("journal_mode = WAL");
    if (opts.foreignKeys === true) db.pragma("foreign_keys = ON");
    db.exec(opts.ddl);
    return { db, location };
  } catch (err) {
    db?.close();
    throw new UpdraftError(
      ErrorCodes.STORE,
      `Cannot open ${opts.what} in ${location}: ${sqliteMessage(err)}. Check that the path is a writable SQLite file.`,
      { cause: err },
    );
  }
}

/** An error's message, with the SQLite result code when it is an SQLite error. */
export function sqliteMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return err instanceof Database.SqliteError ? `${message} (${err.code})` : message;
}
