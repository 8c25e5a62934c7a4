/** ConnectionStore on an SQLite file; its table `secret_connections` is created on open. */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { ConnectionStore, StoredConnection } from "./connection-store.js";

const SCHEMA = `
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
  return err instanceof Database.SqliteError ? `${message} (${err.code})` : message;
}

/** The SQLite implementation of ConnectionStore. */
export class SqliteConnectionStore implements ConnectionStore {
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly location: string,
  ) {}

  /** Opens (creating when missing) the database file at `path` and the connections table. */
  static open(path: string, options: { busyTimeoutMs?: number } = {}): SqliteConnectionStore {
    const location = resolve(path);
    let db: Database.Database | undefined;
    try {
      mkdirSync(dirname(location), { recursive: true });
      db = new Database(location);
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      db.pragma("journal_mode = WAL");
      db.exec(SCHEMA);
      return new SqliteConnectionStore(db, location);
    } catch (err) {
      db?.close();
      throw new UpdraftError(
        ErrorCodes.STORE,
        `Cannot open the connections table in ${location}: ${messageOf(err)}. Check that the path is a writable SQLite file.`,
        { cause: err },
      );
    }
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
        Row | undefined;
      return row === undefined ? undefined : toStored(row);
    });
  }

  listConnections(): Promise<StoredConnection[]> {
    return this.run("list connections", () =>
      (this.db.prepare("SELECT * FROM secret_connections ORDER BY name").all() as Row[]).map(
        toStored,
      ),
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
          `Cannot ${what} in ${this.location}: ${messageOf(err)}.`,
          { cause: err },
        ),
      );
    }
  }
}
