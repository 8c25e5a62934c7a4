/**
 * AuthStore on an SQLite file (better-sqlite3). Its tables (`auth_users`, `auth_tokens`)
 * are created on open and may live in the same file as the main store; their names do
 * not collide with the main store's.
 */
import Database from "better-sqlite3";
import { ErrorCodes, UpdraftError } from "../../spec/errors.js";
import { openSqliteTables, sqliteMessage } from "../../store/sqlite-tables.js";
import { AUTH_TABLES, toToken, toUser, type TokenRow, type UserRow } from "./auth-rows.js";
import type { AuthStore, TokenRecord, UserPatch, UserRecord } from "./auth-store.js";
import type { TokenKind } from "./token-format.js";

type Params = Record<string, string | number | null>;

/** The SQLite implementation of AuthStore. */
export class SqliteAuthStore implements AuthStore {
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly location: string,
  ) {}

  /** Opens (creating when missing) the database file at `path` and its auth tables. */
  static open(path: string, options: { busyTimeoutMs?: number } = {}): SqliteAuthStore {
    const { db, location } = openSqliteTables(path, {
      ddl: AUTH_TABLES,
      what: "the auth tables",
      foreignKeys: true,
      ...options,
    });
    return new SqliteAuthStore(db, location);
  }

  createUser(user: UserRecord): Promise<void> {
    return this.write(`user ${JSON.stringify(user.username)}`, () => {
      this.db
        .prepare(
          `INSERT INTO auth_users (id, username, role, password_hash, created_at)
           VALUES (@id, @username, @role, @passwordHash, @createdAt)`,
        )
        .run({ ...user });
    });
  }

  getUserById(id: string): Promise<UserRecord | undefined> {
    return this.read(() => this.user("SELECT * FROM auth_users WHERE id = ?", id));
  }

  getUserByUsername(username: string): Promise<UserRecord | undefined> {
    return this.read(() => this.user("SELECT * FROM auth_users WHERE username = ?", username));
  }

  listUsers(): Promise<UserRecord[]> {
    return this.read(() =>
      (this.db.prepare("SELECT * FROM auth_users ORDER BY username").all() as UserRow[]).map(
        toUser,
      ),
    );
  }

  countUsers(): Promise<number> {
    return this.read(
      () => (this.db.prepare("SELECT count(*) AS n FROM auth_users").get() as { n: number }).n,
    );
  }

  updateUser(id: string, patch: UserPatch): Promise<void> {
    return this.write(`user ${id}`, () => {
      const sets: string[] = [];
      const params: Params = { id };
      if (patch.role !== undefined) {
        sets.push("role = @role");
        params.role = patch.role;
      }
      if (patch.passwordHash !== undefined) {
        sets.push("password_hash = @passwordHash");
        params.passwordHash = patch.passwordHash;
      }
      const sql =
        sets.length === 0
          ? "SELECT id FROM auth_users WHERE id = @id"
          : `UPDATE auth_users SET ${sets.join(", ")} WHERE id = @id`;
      const found =
        sets.length === 0
          ? this.db.prepare(sql).get(params) !== undefined
          : this.db.prepare(sql).run(params).changes > 0;
      if (!found) throw new UpdraftError(ErrorCodes.NOT_FOUND, `There is no user with id ${id}.`);
    });
  }

  deleteUser(id: string): Promise<boolean> {
    return this.write(
      `user ${id}`,
      () => this.db.prepare("DELETE FROM auth_users WHERE id = ?").run(id).changes > 0,
    );
  }

  createToken(token: TokenRecord): Promise<void> {
    return this.write(`token ${token.id}`, () => {
      this.db
        .prepare(
          `INSERT INTO auth_tokens (id, user_id, kind, name, token_hash, created_at, expires_at, last_used_at, revoked_at)
           VALUES (@id, @userId, @kind, @name, @hash, @createdAt, @expiresAt, @lastUsedAt, @revokedAt)`,
        )
        .run({ ...token });
    });
  }

  getTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    return this.read(() => this.token("SELECT * FROM auth_tokens WHERE token_hash = ?", hash));
  }

  getTokenById(id: string): Promise<TokenRecord | undefined> {
    return this.read(() => this.token("SELECT * FROM auth_tokens WHERE id = ?", id));
  }

  listTokens(userId: string, kind?: TokenKind): Promise<TokenRecord[]> {
    return this.read(() => {
      const rows =
        kind === undefined
          ? this.db
              .prepare("SELECT * FROM auth_tokens WHERE user_id = ? ORDER BY created_at DESC, id")
              .all(userId)
          : this.db
              .prepare(
                "SELECT * FROM auth_tokens WHERE user_id = ? AND kind = ? ORDER BY created_at DESC, id",
              )
              .all(userId, kind);
      return (rows as TokenRow[]).map(toToken);
    });
  }

  touchToken(id: string, at: string): Promise<void> {
    return this.write(`token ${id}`, () => {
      this.db.prepare("UPDATE auth_tokens SET last_used_at = ? WHERE id = ?").run(at, id);
    });
  }

  revokeToken(id: string, at: string): Promise<boolean> {
    return this.write(`token ${id}`, () => {
      this.db
        .prepare("UPDATE auth_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .run(at, id);
      return this.db.prepare("SELECT 1 FROM auth_tokens WHERE id = ?").get(id) !== undefined;
    });
  }

  revokeUserTokens(userId: string, at: string, kind?: TokenKind): Promise<number> {
    return this.write(`tokens of user ${userId}`, () => {
      const sql = "UPDATE auth_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL";
      return kind === undefined
        ? this.db.prepare(sql).run(at, userId).changes
        : this.db.prepare(`${sql} AND kind = ?`).run(at, userId, kind).changes;
    });
  }

  deleteStaleTokens(before: string): Promise<number> {
    return this.write("stale tokens", () => {
      return this.db
        .prepare(
          "DELETE FROM auth_tokens WHERE (expires_at IS NOT NULL AND expires_at < ?) OR revoked_at < ?",
        )
        .run(before, before).changes;
    });
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }

  private user(sql: string, arg: string): UserRecord | undefined {
    const row = this.db.prepare(sql).get(arg) as UserRow | undefined;
    return row === undefined ? undefined : toUser(row);
  }

  private token(sql: string, arg: string): TokenRecord | undefined {
    const row = this.db.prepare(sql).get(arg) as TokenRow | undefined;
    return row === undefined ? undefined : toToken(row);
  }

  private read<T>(fn: () => T): Promise<T> {
    return this.write("auth data", fn, false);
  }

  /** Runs `fn`, turning SQLite errors into UpdraftErrors (E_CONFLICT for duplicates). */
  private write<T>(what: string, fn: () => T, mutates = true): Promise<T> {
    if (this.closed)
      return Promise.reject(
        new UpdraftError(ErrorCodes.STORE, `The auth store ${this.location} is closed.`),
      );
    try {
      return Promise.resolve(fn());
    } catch (err) {
      if (err instanceof UpdraftError) return Promise.reject(err);
      const code = err instanceof Database.SqliteError ? err.code : "";
      if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY")
        return Promise.reject(
          new UpdraftError(ErrorCodes.CONFLICT, `Cannot create ${what}: it already exists.`, {
            cause: err,
          }),
        );
      return Promise.reject(
        new UpdraftError(
          ErrorCodes.STORE,
          `Cannot ${mutates ? "write" : "read"} ${what} in ${this.location}: ${sqliteMessage(err)}.`,
          { cause: err },
        ),
      );
    }
  }
}
