/**
 * Errors of the PostgreSQL store: driver and server failures become an UpdraftError
 * (E_STORE, E_NOT_FOUND) whose message names the server (never the password) and says
 * what to do; the original error stays as `cause`.
 */
import pg from "pg";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** The SQLSTATE of a server error, if it is one. */
export function sqlState(err: unknown): string | undefined {
  return err instanceof pg.DatabaseError ? err.code : undefined;
}

/** True for an error the server raised for one statement (the connection is still usable). */
export function isStatementError(err: unknown): boolean {
  const state = sqlState(err);
  // Class 08 (connection) and 57 (operator intervention: shutdown) end the session; anything
  // else (disk full and out of memory included) aborted the transaction, not the connection.
  return state !== undefined && !/^(08|57)/.test(state);
}

/** True for a failure that goes away when the whole transaction is tried again. */
export function isTransient(err: unknown): boolean {
  const state = sqlState(err);
  return state === "40001" || state === "40P01";
}

/** An error's message, with its SQLSTATE or errno code when it has one. */
export function pgMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0)
    return pgMessage(err.errors[0] as unknown);
  const message = err instanceof Error ? err.message : String(err);
  const code = sqlState(err) ?? (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code !== "" && !message.includes(code)
    ? `${message} (${code})`
    : message;
}

/** E_STORE for a server that cannot be reached or a database that cannot be used. */
export function pgOpenError(location: string, err: unknown): UpdraftError {
  if (err instanceof UpdraftError) return err;
  // Connecting to "localhost" tries every address it resolves to; the first failure says most.
  const first: unknown =
    err instanceof AggregateError && err.errors.length > 0 ? (err.errors[0] as unknown) : err;
  const code = sqlState(first) ?? (first as { code?: unknown } | null)?.code;
  const message = first instanceof Error ? first.message : String(first);
  let advice: string;
  if (code === "ECONNREFUSED")
    advice =
      "Nothing accepts connections there: check that PostgreSQL is running and that the host " +
      "and port in the URL are right.";
  else if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    advice = "The host name does not resolve: check the host in the URL.";
  else if (code === "3D000")
    advice =
      "Create it (createdb NAME, or CREATE DATABASE NAME) or fix the database name in the URL.";
  else if (code === "28P01" || code === "28000")
    advice = "The server refused the login: check the user and password in the URL.";
  else if (code === "42501")
    advice =
      "The user lacks a privilege Updraft needs (CREATE on the database or schema): grant it, " +
      "or choose a schema the user owns with ?schema=NAME.";
  else if (/timeout/i.test(message))
    advice =
      "The server did not answer in time: check the host and port, and any firewall between.";
  else advice = "Check the URL, that the server is running, and that this user may connect.";
  return new UpdraftError(
    ErrorCodes.STORE,
    `Cannot open the Updraft database at ${location}: ${pgMessage(first)}. ${advice}`,
    { cause: err },
  );
}

/** E_STORE for a batch of writes the server did not take. */
export function pgWriteError(location: string, count: number, err: unknown): UpdraftError {
  if (err instanceof UpdraftError) return err;
  const what = count === 1 ? "a change" : `${count} changes`;
  const advice = isStatementError(err)
    ? "Nothing of them was written."
    : "The connection failed; they may or may not have been written. Check that the server is " +
      "up and reachable; the store reconnects on the next write.";
  return new UpdraftError(
    ErrorCodes.STORE,
    `Could not write ${what} to the database at ${location}: ${pgMessage(err)}. ${advice}`,
    { cause: err },
  );
}

/** E_STORE for a failed read. */
export function pgReadError(location: string, err: unknown): UpdraftError {
  if (err instanceof UpdraftError) return err;
  return new UpdraftError(
    ErrorCodes.STORE,
    `Could not read from the database at ${location}: ${pgMessage(err)}. Check that the ` +
      `server is up and reachable.`,
    { cause: err },
  );
}

/** E_STORE for use after close. */
export function pgClosedError(location: string): UpdraftError {
  return new UpdraftError(
    ErrorCodes.STORE,
    `The store for ${location} is closed; open it again before using it.`,
  );
}
