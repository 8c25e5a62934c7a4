/**
 * ConnectionStore on PostgreSQL; its table `secret_connections` is created on open (under
 * an advisory lock) in the schema the URL names, like the main PostgreSQL store.
 */
import pg from "pg";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { parsePostgresUrl, quoteIdent } from "../store/postgres-connection.js";
import type { ConnectionStore, StoredConnection } from "./connection-store.js";

const SCHEMA_LOCK = 0x75706473; // "upds": serializes table creation across processes.

const TABLE = `
  CREATE TABLE IF NOT EXISTS secret_connections (
    name       TEXT NOT NULL PRIMARY KEY,
    type       TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    envelope   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
`;

interface Row {
  name: string;
  type: string;
  key_id: string;
  envelope: string;
  created_at: string;
  updated_at: string;
}

function toStored(row: Row): StoredConnection {
  return {
    name: row.name,
    type: row.type,
    keyId: row.key_id,
    envelope: row.envelope,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function messageOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return err instanceof pg.DatabaseError && err.code !== undefined
    ? `${message} (${err.code})`
    : message;
}

/** The PostgreSQL implementation of ConnectionStore. */
export class PostgresConnectionStore implements ConnectionStore {
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
  ) {}

  /** Connects to `url` and creates the connections table in its schema when missing. */
  static async open(
    url: string,
    options: { schema?: string; maxConnections?: number } = {},
  ): Promise<PostgresConnectionStore> {
    const target = parsePostgresUrl(url, options.schema);
    const pool = new pg.Pool({
      connectionString: target.connectionString,
      max: options.maxConnections ?? 2,
    });
    pool.on("error", () => undefined);
    try {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target.schema)}`);
        await client.query(TABLE);
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
        `Cannot open the connections table in ${target.location}: ${messageOf(err)}. Check that the server is running and the user may create tables in the schema.`,
        { cause: err },
      );
    }
    return new PostgresConnectionStore(pool, target.location);
  }

  async putConnection(c: StoredConnection): Promise<void> {
    await this.query(
      `save connection ${c.name}`,
      `INSERT INTO secret_connections (name, type, key_id, envelope, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (name) DO UPDATE SET type = excluded.type, key_id = excluded.key_id, envelope = excluded.envelope, updated_at = excluded.updated_at`,
      [c.name, c.type, c.keyId, c.envelope, c.createdAt, c.updatedAt],
    );
  }

  async replaceEnvelope(
    name: string,
    expectedEnvelope: string,
    keyId: string,
    envelope: string,
  ): Promise<boolean> {
    const rows = await this.query(
      `re-encrypt connection ${name}`,
      "UPDATE secret_connections SET key_id = $3, envelope = $4 WHERE name = $1 AND envelope = $2 RETURNING name",
      [name, expectedEnvelope, keyId, envelope],
    );
    return rows.length > 0;
  }

  async getConnection(name: string): Promise<StoredConnection | undefined> {
    const rows = await this.query(
      `read connection ${name}`,
      "SELECT * FROM secret_connections WHERE name = $1",
      [name],
    );
    return rows[0] === undefined ? undefined : toStored(rows[0]);
  }

  async listConnections(): Promise<StoredConnection[]> {
    return (
      await this.query(
        "list connections",
        'SELECT * FROM secret_connections ORDER BY name COLLATE "C"',
      )
    ).map(toStored);
  }

  async deleteConnection(name: string): Promise<boolean> {
    return (
      (
        await this.query(
          `delete connection ${name}`,
          "DELETE FROM secret_connections WHERE name = $1 RETURNING name",
          [name],
        )
      ).length > 0
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async query(what: string, sql: string, params: unknown[] = []): Promise<Row[]> {
    if (this.closed)
      throw new UpdraftError(
        ErrorCodes.STORE,
        `Cannot ${what}: the connection store ${this.location} is closed.`,
      );
    try {
      return (await this.pool.query<Row>(sql, params)).rows;
    } catch (err) {
      throw new UpdraftError(
        ErrorCodes.STORE,
        `Cannot ${what} in ${this.location}: ${messageOf(err)}.`,
        { cause: err },
      );
    }
  }
}
