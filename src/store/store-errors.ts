/**
 * Errors of the store: every failure reaches callers as an UpdraftError (E_STORE or
 * E_NOT_FOUND) whose message says what to do, with the SQLite error as its `cause`.
 */
import Database from "better-sqlite3";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** The SQLite error code (`SQLITE_...`) of an error, if it is one. */
export function sqliteCode(err: unknown): string | undefined {
  return err instanceof Database.SqliteError ? err.code : undefined;
}

/** An error's message, with its SQLite code when it has one. */
export function messageOf(err: unknown): string {
  const code = sqliteCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return code === undefined ? message : `${message} (${code})`;
}

/** E_NOT_FOUND for an update of a row that does not exist. */
export function notFound(what: string, cause?: unknown): UpdraftError {
  return new UpdraftError(ErrorCodes.NOT_FOUND, `Cannot update ${what}: it does not exist.`, {
    cause,
  });
}

/** E_STORE for a value that cannot be encoded as JSON. */
export function unserializable(what: string, err: unknown): UpdraftError {
  if (err instanceof UpdraftError) return err;
  return new UpdraftError(
    ErrorCodes.STORE,
    `Cannot store ${what}: a value is not JSON-serializable (${messageOf(err)}).`,
    { cause: err },
  );
}

/** E_STORE for a database that cannot be opened, with advice that fits the cause. */
export function openError(location: string, err: unknown): UpdraftError {
  const code = sqliteCode(err) ?? (err as { code?: unknown } | null)?.code;
  let advice: string;
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT")
    advice =
      "The file is not an SQLite database or is corrupt. If it belongs to another program, " +
      "choose another data directory; otherwise move it aside (or restore it from a backup) " +
      "and Updraft will start with an empty database.";
  else if (code === "SQLITE_BUSY")
    advice = "Another process holds the database locked; stop it or wait, then try again.";
  else
    advice =
      "Check that the path is a file (not a directory) and that its directory exists and is " +
      "writable by this user.";
  return new UpdraftError(
    ErrorCodes.STORE,
    `Cannot open the Updraft database ${location}: ${messageOf(err)}. ${advice}`,
    { cause: err },
  );
}
