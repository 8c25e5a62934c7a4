/**
 * ConnectionStore on PostgreSQL; its table `secret_connections` is created on open (under
 * an advisory lock) in the schema the URL names, like the main PostgreSQL store.
 */
import type pg from "pg";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { openPostgresTables, pgDriverMessage } from "../store/postgres-tables.js";
import { CONNECTIONS_TABLE, toStored, type ConnectionRow } from "./connection-rows.js";
import type { ConnectionStore, StoredConnection } from "./connection-store.js";

const SCHEMA_LOCK = 0x75706473; // "upds": serializes table creation across processes.

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
    const { pool, location } = await openPostgresTables(url, {
      ddl: CONNECTIONS_TABLE,
      what: "the connections table",
      lock: SCHEMA_LOCK,
      maxConnections: options.maxConnections ?? 2,
      ...(options.schema !== undefined ? { schema: options.schema } : {}),
    });
    return new PostgresConnectionStore(pool, location);
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

  private async query(what: string, sql: string, params: unknown[] = []): Promise<ConnectionRow[]> {
    if (this.closed)
      throw new UpdraftError(
        ErrorCodes.STORE,
        `Cannot ${what}: the connection store ${this.location} is closed.`,
      );
    try {
      return (await this.pool.query<ConnectionRow>(sql, params)).rows;
    } catch (err) {
      throw new UpdraftError(
        ErrorCodes.STORE,
        `Cannot ${what} in ${this.location}: ${pgDriverMessage(err)}.`,
        { cause: err },
      );
    }
  }
}
