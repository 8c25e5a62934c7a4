/** The connections table as both stores (SQLite and PostgreSQL) create it, and its rows. */
import type { StoredConnection } from "./connection-store.js";

/** The DDL of `secret_connections`; valid in SQLite and PostgreSQL. */
export const CONNECTIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS secret_connections (
    name       TEXT NOT NULL PRIMARY KEY,
    type       TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    envelope   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
`;

/** A row of `secret_connections`. */
export interface ConnectionRow {
  name: string;
  type: string;
  key_id: string;
  envelope: string;
  created_at: string;
  updated_at: string;
}

/** The stored connection of a row. */
export function toStored(row: ConnectionRow): StoredConnection {
  return {
    name: row.name,
    type: row.type,
    keyId: row.key_id,
    envelope: row.envelope,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
