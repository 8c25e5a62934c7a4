/**
 * Where a PostgreSQL store lives: the `--db` URL parsed into the settings the `pg` driver
 * takes, the schema its tables go in, and a description of the server that is safe to
 * print (the password never appears in a message).
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** The schema used when neither the URL (`?schema=`) nor the options name one. */
export const DEFAULT_PG_SCHEMA = "public";

/** A parsed PostgreSQL location. */
export interface PostgresTarget {
  /** The URL handed to `pg`: Updraft's own parameters removed, the settings put in `options`. */
  connectionString: string;
  /** The schema holding Updraft's tables. */
  schema: string;
  /** `postgresql://user@host:port/database (schema s)`, without the password. */
  location: string;
}

/**
 * Like SQLite's WAL with synchronous=NORMAL, a commit does not wait for the write-ahead log
 * to reach the disk: a crash of Updraft loses nothing, a crash of the database server can
 * lose the last fraction of a second of commits but never corrupts. `?synchronous_commit=on`
 * makes every commit wait for the flush (several milliseconds per engine step).
 */
export const DEFAULT_SYNCHRONOUS_COMMIT = "off";
const SYNCHRONOUS_COMMIT = new Set(["off", "local", "remote_write", "on", "remote_apply"]);

// Plain lower-case identifiers only: they mean the same quoted and unquoted (PostgreSQL
// folds unquoted names to lower case) and need no escaping in the startup `options`.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Parses a `postgres://` or `postgresql://` URL, taking out Updraft's own parameters
 * `schema` and `synchronous_commit`; `schema` (when given) wins over `?schema=`.
 */
export function parsePostgresUrl(url: string, schema?: string): PostgresTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badUrl(`"${redactRaw(url)}" is not a URL`);
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:")
    throw badUrl(`it starts with "${u.protocol}" instead of postgres:// or postgresql://`);
  if (u.hostname === "" && !u.searchParams.has("host")) throw badUrl("it names no server (host)");
  const chosen = schema ?? u.searchParams.get("schema") ?? DEFAULT_PG_SCHEMA;
  if (!SCHEMA_NAME.test(chosen))
    throw badUrl(
      `the schema "${chosen}" is not a plain identifier (lower-case letters, digits and _, ` +
        `not starting with a digit, at most 63 characters)`,
    );
  const commit = u.searchParams.get("synchronous_commit") ?? DEFAULT_SYNCHRONOUS_COMMIT;
  if (!SYNCHRONOUS_COMMIT.has(commit))
    throw badUrl(
      `synchronous_commit=${commit} is not one of ${[...SYNCHRONOUS_COMMIT].join(", ")}`,
    );
  u.searchParams.delete("schema");
  u.searchParams.delete("synchronous_commit");
  // Settings travel in the startup packet, so every connection (pooled or not) has them.
  // search_path comes last so that it wins: the store's unqualified table names must
  // resolve to this schema, and only to it. The user's own options may still override
  // synchronous_commit.
  const options = u.searchParams.get("options");
  u.searchParams.set(
    "options",
    [`-c synchronous_commit=${commit}`, options, `-c search_path=${chosen}`]
      .filter((o) => o !== null && o !== "")
      .join(" "),
  );
  return { connectionString: u.toString(), schema: chosen, location: describeUrl(u, chosen) };
}

/** Quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function describeUrl(u: URL, schema: string): string {
  const user = u.username === "" ? "" : `${decodeURIComponent(u.username)}@`;
  const host = u.hostname === "" ? (u.searchParams.get("host") ?? "") : u.hostname;
  const port = u.port === "" ? "" : `:${u.port}`;
  const db = decodeURIComponent(u.pathname.replace(/^\//, ""));
  return `${u.protocol}//${user}${host}${port}/${db} (schema ${schema})`;
}

// A string that failed to parse as a URL may still hold a password after "user:".
function redactRaw(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/, "//$1:***@");
}

function badUrl(why: string): UpdraftError {
  return new UpdraftError(
    ErrorCodes.STORE,
    `Cannot use the database URL: ${why}. Give one like ` +
      `postgres://USER:PASSWORD@HOST:5432/DATABASE (optionally ?schema=NAME).`,
  );
}
