/** ConnectionStore on an SQLite file; its table `secret_connections` is created on open. */
import type Database from "better-sqlite3";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { openSqliteTables, sqliteMessage } from "../store/sqlite-tables.js";
import { CONNECTIONS_TABLE, toStored, type ConnectionRow } from "./connection-rows.js";
import type { ConnectionStore, StoredConnection } from "./connection-store.js";

/** The SQLite implementation of ConnectionStore. */
export class SqliteConnectionStore implements ConnectionStore {
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly location: string,
  ) {}

  /** Opens (creating when missing) the database file at `path` and the connections table. */
  static open(path: string, options: { busyTimeoutMs?: number } = {}): SqliteConnectionStore {
    const { db, location } = openSqliteTables(path, {
      ddl: CONNECTIONS_TABLE,
      what: "the connections table",
      ...options,
    });
    return new SqliteConnectionStore(db, location);
  }

  putConnection(c: StoredConnection): Promise<void> {
    return this.run(`save connection ${c.name}`, () => {
      this.db
        .prepare(
          `INSERT INTO secret_connections (name, type, key_id, envelope, created_at, updated_at)
           VALUES (@name, @type, @keyId, @envelope, @createdAt, @updatedAt)
           ON CONFLICT (name) DO UPDATE SET type = excluded.type, key_id = excluded.key_id,
             envelope = excluded.envelope, updated_at = excluded.updated_at`,
        )
        .run({ ...c });
    });
  }

  replaceEnvelope(
    name: string,
    expectedEnvelope: string,
    keyId: string,
    envelope: string,
  ): Promise<boolean> {
    return this.run(`re-encrypt connection ${name}`, () => {
      const result = this.db
        .prepare(
          "UPDATE secret_connections SET key_id = ?, envelope = ? WHERE name = ? AND envelope = ?",
        )
        .run(keyId, envelope, name, expectedEnvelope);
      return result.changes > 0;
    });
  }

  getConnection(name: string): Promise<StoredConnection | undefined> {
    return this.run(`read connection ${name}`, () => {
      const row = this.db.prepare("SELECT * FROM secret_connections WHERE name = ?").get(name) as
        ConnectionRow | undefined;
      return row === undefined ? undefined : toStored(row);
    });
  }

  listConnections(): Promise<StoredConnection[]> {
    return this.run("list connections", () =>
      (
        this.db.prepare("SELECT * FROM secret_connections ORDER BY name").all() as ConnectionRow[]
      ).map(toStored),
    );
  }

  deleteConnection(name: string): Promise<boolean> {
    return this.run(
      `delete connection ${name}`,
      () => this.db.prepare("DELETE FROM secret_connections WHERE name = ?").run(name).changes > 0,
    );
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }

  private run<T>(what: string, fn: () => T): Promise<T> {
    if (this.closed)
      return Promise.reject(
        new UpdraftError(
          ErrorCodes.STORE,
          `Cannot ${what}: the connection store ${this.location} is closed.`,
        ),
      );
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(
        new UpdraftError(
          ErrorCodes.STORE,
          `Cannot ${what} in ${this.location}: ${sqliteMessage(err)}.`,
          { cause: err },
        ),
      );
    }
  }
}
