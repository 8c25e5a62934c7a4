/**
 * Opening PostgreSQL for a store that keeps its own tables there (auth, connections): a
 * pool on the URL, and the tables created in its schema under an advisory lock, so that
 * servers starting together do not race.
 */
import pg from "pg";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { parsePostgresUrl, quoteIdent } from "./postgres-connection.js";

/** How to open the tables of one store. */
export interface PostgresTablesOptions {
  /** The `CREATE TABLE IF NOT EXISTS` statements of the store. */
  ddl: string;
  /** What the tables are, for the error message (e.g. "the auth tables"). */
  what: string;
  /** The advisory lock key that serializes this store's table creation across processes. */
  lock: number;
  /** Pool size. */
  maxConnections: number;
  /** Schema instead of the URL's `?schema=` (default public). */
  schema?: string;
}

/** A pool whose schema has the store's tables, and where it points (no password). */
export interface PostgresTables {
  pool: pg.Pool;
  location: string;
}

/** Connects to `url` and creates the tables of `opts.ddl` in its schema when missing. */
export async function openPostgresTables(
  url: string,
  opts: PostgresTablesOptions,
): Promise<PostgresTables> {
  const target = parsePostgresUrl(url, opts.schema);
  const pool = new pg.Pool({ connectionString: target.connectionString, max: opts.maxConnections });
  // An idle client's network error must not crash the process; the next query reports it.
  pool.on("error", () => undefined);
  try {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [opts.lock]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target.schema)}`);
      await client.query(opts.ddl);
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new UpdraftError(
      ErrorCodes.STORE,
      `Cannot open ${opts.what} in ${target.location}: ${pgDriverMessage(err)}. Check that the server is running and the user may create tables in the schema.`,
      { cause: err },
    );
  }
  return { pool, location: target.location };
}

/** An error's message, with the SQLSTATE when the server raised it. */
export function pgDriverMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return err instanceof pg.DatabaseError && err.code !== undefined
    ? `${message} (${err.code})`
    : message;
}
