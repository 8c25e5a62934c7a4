/**
 * AuthStore on PostgreSQL (`pg`). Its tables (`auth_users`, `auth_tokens`) are created on
 * open, under an advisory lock so that servers starting together do not race, in the
 * schema the URL names (`?schema=`, default public), like the main PostgreSQL store.
 * Timestamps are ISO 8601 text, as in SQLite, so both order and compare the same way.
 */
import pg from "pg";
import { ErrorCodes, UpdraftError } from "../../spec/errors.js";
import { openPostgresTables, pgDriverMessage } from "../../store/postgres-tables.js";
import { AUTH_TABLES, toToken, toUser, type TokenRow, type UserRow } from "./auth-rows.js";
import type { AuthStore, TokenRecord, UserPatch, UserRecord } from "./auth-store.js";
import type { TokenKind } from "./token-format.js";

const SCHEMA_LOCK = 0x75706472; // "updr": serializes table creation across processes.

/** The PostgreSQL implementation of AuthStore. */
export class PostgresAuthStore implements AuthStore {
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
  ) {}

  /** Connects to `url` and creates the auth tables in its schema when missing. */
  static async open(
    url: string,
    options: { schema?: string; maxConnections?: number } = {},
  ): Promise<PostgresAuthStore> {
    const { pool, location } = await openPostgresTables(url, {
      ddl: AUTH_TABLES,
      what: "the auth tables",
      lock: SCHEMA_LOCK,
      maxConnections: options.maxConnections ?? 4,
      ...(options.schema !== undefined ? { schema: options.schema } : {}),
    });
    return new PostgresAuthStore(pool, location);
  }

  async createUser(user: UserRecord): Promise<void> {
    await this.query(
      `user ${JSON.stringify(user.username)}`,
      "INSERT INTO auth_users (id, username, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
      [user.id, user.username, user.role, user.passwordHash, user.createdAt],
    );
  }

  async getUserById(id: string): Promise<UserRecord | undefined> {
    const rows = await this.query<UserRow>("user", "SELECT * FROM auth_users WHERE id = $1", [id]);
    return rows[0] === undefined ? undefined : toUser(rows[0]);
  }

  async getUserByUsername(username: string): Promise<UserRecord | undefined> {
    const rows = await this.query<UserRow>("user", "SELECT * FROM auth_users WHERE username = $1", [
      username,
    ]);
    return rows[0] === undefined ? undefined : toUser(rows[0]);
  }

  async listUsers(): Promise<UserRecord[]> {
    // COLLATE "C": byte order, the same as SQLite's.
    return (
      await this.query<UserRow>("users", 'SELECT * FROM auth_users ORDER BY username COLLATE "C"')
    ).map(toUser);
  }

  async countUsers(): Promise<number> {
    const rows = await this.query<{ n: number }>(
      "users",
      "SELECT count(*)::int AS n FROM auth_users",
    );
    return rows[0]?.n ?? 0;
  }

  async updateUser(id: string, patch: UserPatch): Promise<void> {
    const rows = await this.query<{ id: string }>(
      `user ${id}`,
      "UPDATE auth_users SET role = COALESCE($2, role), password_hash = COALESCE($3, password_hash) WHERE id = $1 RETURNING id",
      [id, patch.role ?? null, patch.passwordHash ?? null],
    );
    if (rows.length === 0)
      throw new UpdraftError(ErrorCodes.NOT_FOUND, `There is no user with id ${id}.`);
  }

  async deleteUser(id: string): Promise<boolean> {
    return (
      (
        await this.query<{ id: string }>(
          `user ${id}`,
          "DELETE FROM auth_users WHERE id = $1 RETURNING id",
          [id],
        )
      ).length > 0
    );
  }

  async createToken(t: TokenRecord): Promise<void> {
    await this.query(
      `token ${t.id}`,
      `INSERT INTO auth_tokens (id, user_id, kind, name, token_hash, created_at, expires_at, last_used_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [t.id, t.userId, t.kind, t.name, t.hash, t.createdAt, t.expiresAt, t.lastUsedAt, t.revokedAt],
    );
  }

  async getTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const rows = await this.query<TokenRow>(
      "token",
      "SELECT * FROM auth_tokens WHERE token_hash = $1",
      [hash],
    );
    return rows[0] === undefined ? undefined : toToken(rows[0]);
  }

  async getTokenById(id: string): Promise<TokenRecord | undefined> {
    const rows = await this.query<TokenRow>("token", "SELECT * FROM auth_tokens WHERE id = $1", [
      id,
    ]);
    return rows[0] === undefined ? undefined : toToken(rows[0]);
  }

  async listTokens(userId: string, kind?: TokenKind): Promise<TokenRecord[]> {
    const rows = await this.query<TokenRow>(
      "tokens",
      'SELECT * FROM auth_tokens WHERE user_id = $1 AND ($2::text IS NULL OR kind = $2) ORDER BY created_at DESC, id COLLATE "C"',
      [userId, kind ?? null],
    );
    return rows.map(toToken);
  }

  async touchToken(id: string, at: string): Promise<void> {
    await this.query(`token ${id}`, "UPDATE auth_tokens SET last_used_at = $2 WHERE id = $1", [
      id,
      at,
    ]);
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    const rows = await this.query<{ id: string }>(
      `token ${id}`,
      "UPDATE auth_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING id",
      [id, at],
    );
    return rows.length > 0;
  }

  async revokeUserTokens(userId: string, at: string, kind?: TokenKind): Promise<number> {
    const rows = await this.query<{ id: string }>(
      `tokens of user ${userId}`,
      "UPDATE auth_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND ($3::text IS NULL OR kind = $3) RETURNING id",
      [userId, at, kind ?? null],
    );
    return rows.length;
  }

  async deleteStaleTokens(before: string): Promise<number> {
    const rows = await this.query<{ id: string }>(
      "stale tokens",
      "DELETE FROM auth_tokens WHERE (expires_at IS NOT NULL AND expires_at < $1) OR revoked_at < $1 RETURNING id",
      [before],
    );
    return rows.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Runs one statement, turning driver errors into UpdraftErrors (E_CONFLICT for duplicates). */
  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    what: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    if (this.closed)
      throw new UpdraftError(ErrorCodes.STORE, `The auth store ${this.location} is closed.`);
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      // 22021: a NUL character (no stored name or id holds one); the client's mistake, not ours.
      if (err instanceof pg.DatabaseError && err.code === "22021")
        throw new UpdraftError(
          ErrorCodes.VALIDATION,
          "Names and ids cannot contain a NUL character.",
        );
      if (err instanceof pg.DatabaseError && err.code === "23505")
        throw new UpdraftError(ErrorCodes.CONFLICT, `Cannot create ${what}: it already exists.`, {
          cause: err,
        });
      throw new UpdraftError(
        ErrorCodes.STORE,
        `Cannot access ${what} in ${this.location}: ${pgDriverMessage(err)}.`,
        { cause: err },
      );
    }
  }
}
