/**
 * The auth tables as both stores (SQLite and PostgreSQL) create them, and their rows
 * mapped to records. Timestamps are ISO 8601 text in both, so they order the same way.
 */
import { ErrorCodes, UpdraftError } from "../../spec/errors.js";
import type { TokenRecord, UserRecord } from "./auth-store.js";
import { isRole } from "./principal.js";

/** The DDL of `auth_users` and `auth_tokens`; valid in SQLite and PostgreSQL. */
export const AUTH_TABLES = `
  CREATE TABLE IF NOT EXISTS auth_users (
    id            TEXT NOT NULL PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS auth_tokens (
    id           TEXT NOT NULL PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('session', 'pat')),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT
  );
  CREATE INDEX IF NOT EXISTS auth_tokens_user ON auth_tokens (user_id, created_at);
`;

/** A row of `auth_users`. */
export interface UserRow {
  id: string;
  username: string;
  role: string;
  password_hash: string;
  created_at: string;
}

/** A row of `auth_tokens`. */
export interface TokenRow {
  id: string;
  user_id: string;
  kind: string;
  name: string;
  token_hash: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** The user of a row; E_STORE when its role is not one Updraft knows. */
export function toUser(row: UserRow): UserRecord {
  if (!isRole(row.role))
    throw new UpdraftError(ErrorCodes.STORE, `User ${row.id} has an unknown role ${row.role}.`);
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}

/** The token of a row; E_STORE when its kind is not one Updraft knows. */
export function toToken(row: TokenRow): TokenRecord {
  const kind = row.kind === "session" || row.kind === "pat" ? row.kind : undefined;
  if (kind === undefined)
    throw new UpdraftError(ErrorCodes.STORE, `Token ${row.id} has an unknown kind ${row.kind}.`);
  return {
    id: row.id,
    userId: row.user_id,
    kind,
    name: row.name,
    hash: row.token_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
