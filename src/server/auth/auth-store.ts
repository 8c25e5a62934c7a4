/**
 * The persistence auth needs: users and tokens. Implemented by SqliteAuthStore here; the
 * main store (SQLite and PostgreSQL) is expected to implement it too. Timestamps are ISO
 * 8601 strings in UTC, like the rest of the store.
 */
import type { Role } from "./principal.js";
import type { TokenKind } from "./token-format.js";

/** A user account. */
export interface UserRecord {
  /** Random, never reused: ownership refers to it, so a re-created username owns nothing. */
  id: string;
  /** Unique, lower-case (see username.ts). */
  username: string;
  role: Role;
  /** `scrypt$N$r$p$salt$hash` (see password-hash.ts). */
  passwordHash: string;
  createdAt: string;
}

/** A session or personal access token; the token itself is never stored. */
export interface TokenRecord {
  /** Public id, shown in listings and used to revoke. */
  id: string;
  userId: string;
  kind: TokenKind;
  /** A label: "session" for logins, the user's name for personal access tokens. */
  name: string;
  /** Hex SHA-256 of the token; unique. */
  hash: string;
  createdAt: string;
  /** Null: never expires. */
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Fields of a user that can change. */
export type UserPatch = Partial<Pick<UserRecord, "role" | "passwordHash">>;

/** Storage of users and tokens. Every method may reject with an E_STORE UpdraftError. */
export interface AuthStore {
  /** Adds a user; rejects with E_CONFLICT when the username is taken. */
  createUser(user: UserRecord): Promise<void>;
  getUserById(id: string): Promise<UserRecord | undefined>;
  getUserByUsername(username: string): Promise<UserRecord | undefined>;
  /** Every user, by username. */
  listUsers(): Promise<UserRecord[]>;
  countUsers(): Promise<number>;
  /** Changes a user; rejects with E_NOT_FOUND when there is no such user. */
  updateUser(id: string, patch: UserPatch): Promise<void>;
  /** Removes a user and their tokens; false when there was no such user. */
  deleteUser(id: string): Promise<boolean>;

  /** Adds a token; rejects with E_CONFLICT on a duplicate id or hash. */
  createToken(token: TokenRecord): Promise<void>;
  getTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  getTokenById(id: string): Promise<TokenRecord | undefined>;
  /** A user's tokens, newest first. */
  listTokens(userId: string, kind?: TokenKind): Promise<TokenRecord[]>;
  /** Records a use of the token. */
  touchToken(id: string, at: string): Promise<void>;
  /** Marks a token revoked (idempotent: the first revocation time is kept); false when unknown. */
  revokeToken(id: string, at: string): Promise<boolean>;
  /** Revokes every live token of a user (of `kind` when given); returns how many. */
  revokeUserTokens(userId: string, at: string, kind?: TokenKind): Promise<number>;
  /** Deletes tokens expired or revoked before `before`; returns how many. */
  deleteStaleTokens(before: string): Promise<number>;

  close(): Promise<void>;
}
