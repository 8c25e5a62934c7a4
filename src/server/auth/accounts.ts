/**
 * Managing users and API tokens. Every operation takes the acting principal and checks
 * its permission itself, so an endpoint cannot forget to.
 */
import { randomUUID } from "node:crypto";
import { ErrorCodes, UpdraftError } from "../../spec/errors.js";
import type { AuthStore, TokenRecord, UserRecord } from "./auth-store.js";
import { issueToken, type IssuedToken } from "./issue-token.js";
import { PasswordHasher } from "./password-hash.js";
import { checkPasswordPolicy } from "./password-policy.js";
import { authorize } from "./permissions.js";
import { isRole, type Principal, type Role } from "./principal.js";
import { checkUsername } from "./username.js";

/** A user as the API shows it (no password hash). */
export interface UserView {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
}

/** A token as the API shows it (no hash). */
export type TokenView = Omit<TokenRecord, "hash">;

/** Default lifetime of a personal access token. */
export const DEFAULT_API_TOKEN_DAYS = 90;
const MAX_API_TOKEN_DAYS = 3650;
const MAX_API_TOKENS_PER_USER = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Options of Accounts. */
export interface AccountsOptions {
  hasher?: PasswordHasher;
  /** Clock in ms since the epoch (default Date.now). */
  now?: () => number;
}

function invalid(path: string, message: string): UpdraftError {
  return new UpdraftError(ErrorCodes.VALIDATION, message, { details: [{ path, message }] });
}

/** User and API-token administration. */
export class Accounts {
  private readonly hasher: PasswordHasher;
  private readonly now: () => number;

  constructor(
    private readonly store: AuthStore,
    options: AccountsOptions = {},
  ) {
    this.hasher = options.hasher ?? new PasswordHasher();
    this.now = options.now ?? Date.now;
  }

  /** Creates a user (admin only); E_CONFLICT when the username is taken. */
  async createUser(
    actor: Principal | undefined,
    input: { username: unknown; password: unknown; role: unknown },
  ): Promise<UserView> {
    authorize(actor, "user:manage");
    checkUsername(input.username);
    if (!isRole(input.role)) throw invalid("role", "The role must be admin, editor or viewer.");
    if (typeof input.password !== "string")
      throw invalid("password", "The password must be a string.");
    checkPasswordPolicy(input.password, input.username);
    const user: UserRecord = {
      id: randomUUID(),
      username: input.username,
      role: input.role,
      passwordHash: await this.hasher.hash(input.password),
      createdAt: this.iso(),
    };
    try {
      await this.store.createUser(user);
    } catch (err) {
      if (err instanceof UpdraftError && err.code === ErrorCodes.CONFLICT)
        throw new UpdraftError(ErrorCodes.CONFLICT, `The username ${user.username} is taken.`, {
          cause: err,
        });
      throw err;
    }
    return view(user);
  }

  /** Every user (admin only). */
  async listUsers(actor: Principal | undefined): Promise<UserView[]> {
    authorize(actor, "user:manage");
    return (await this.store.listUsers()).map(view);
  }

  /** Changes the actor's own password after checking the current one; ends their other sessions. */
  async changeOwnPassword(
    actor: Principal | undefined,
    current: unknown,
    next: unknown,
  ): Promise<void> {
    authorize(actor, "self:manage");
    const user = await this.mustGet(actor.userId);
    if (typeof current !== "string" || !(await this.hasher.verify(current, user.passwordHash)))
      throw new UpdraftError(ErrorCodes.FORBIDDEN, "The current password is wrong.");
    await this.setPassword(user, next, actor.tokenId);
  }

  /** Sets another user's password (admin only) and ends all their sessions. */
  async resetPassword(actor: Principal | undefined, userId: string, next: unknown): Promise<void> {
    authorize(actor, "user:manage");
    await this.setPassword(await this.mustGet(userId), next, undefined);
  }

  /** Changes a user's role (admin only); the last admin cannot be demoted. */
  async setRole(actor: Principal | undefined, userId: string, role: unknown): Promise<UserView> {
    authorize(actor, "user:manage");
    if (!isRole(role)) throw invalid("role", "The role must be admin, editor or viewer.");
    const user = await this.mustGet(userId);
    if (user.role === "admin" && role !== "admin") await this.keepOneAdmin(user);
    await this.store.updateUser(userId, { role });
    return view({ ...user, role });
  }

  /** Deletes a user and their tokens (admin only); the last admin cannot be deleted. */
  async deleteUser(actor: Principal | undefined, userId: string): Promise<void> {
    authorize(actor, "user:manage");
    const user = await this.mustGet(userId);
    if (user.role === "admin") await this.keepOneAdmin(user);
    await this.store.deleteUser(userId);
  }

  /**
   * Creates a personal access token for the actor, for the CLI or CI. `expiresInDays`
   * defaults to 90; null means it never expires.
   */
  async createApiToken(
    actor: Principal | undefined,
    input: { name: unknown; expiresInDays?: unknown },
  ): Promise<{ token: string; info: TokenView }> {
    authorize(actor, "self:manage");
    const name = typeof input.name === "string" ? input.name.trim() : "";
    // eslint-disable-next-line no-control-regex
    if (name.length === 0 || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name))
      throw invalid(
        "name",
        "A token needs a name of 1-100 printable characters, e.g. 'ci-nightly'.",
      );
    const days = input.expiresInDays === undefined ? DEFAULT_API_TOKEN_DAYS : input.expiresInDays;
    if (
      days !== null &&
      (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > MAX_API_TOKEN_DAYS)
    )
      throw invalid(
        "expiresInDays",
        `expiresInDays must be a whole number from 1 to ${MAX_API_TOKEN_DAYS}, or null for no expiry.`,
      );
    const live = (await this.store.listTokens(actor.userId, "pat")).filter(
      (t) => t.revokedAt === null && !this.expired(t),
    );
    if (live.some((t) => t.name === name))
      throw new UpdraftError(
        ErrorCodes.CONFLICT,
        `You already have a token named ${JSON.stringify(name)}; pick another name or revoke it.`,
      );
    if (live.length >= MAX_API_TOKENS_PER_USER)
      throw new UpdraftError(
        ErrorCodes.CONFLICT,
        `You have ${live.length} API tokens, the most allowed; revoke some first.`,
      );
    const now = this.now();
    const expires = days === null ? null : new Date(now + days * DAY_MS);
    const issued: IssuedToken = await issueToken(
      this.store,
      actor.userId,
      "pat",
      name,
      new Date(now),
      expires,
    );
    return { token: issued.token, info: tokenView(issued.record) };
  }

  /** Tokens of a user: the actor's own, or anyone's for an admin. */
  async listTokens(actor: Principal | undefined, userId?: string): Promise<TokenView[]> {
    authorize(actor, "self:manage");
    const target = userId ?? actor.userId;
    if (target !== actor.userId) authorize(actor, "user:manage");
    return (await this.store.listTokens(target)).map(tokenView);
  }

  /** Revokes a token: one's own, or anyone's for an admin. Unknown and foreign ids look alike (404). */
  async revokeToken(actor: Principal | undefined, tokenId: string): Promise<void> {
    authorize(actor, "self:manage");
    const token = await this.store.getTokenById(tokenId);
    const mayRevoke =
      token !== undefined && (token.userId === actor.userId || actor.role === "admin");
    if (!mayRevoke)
      throw new UpdraftError(
        ErrorCodes.NOT_FOUND,
        `There is no token ${JSON.stringify(tokenId.slice(0, 80))} of yours.`,
      );
    await this.store.revokeToken(tokenId, this.iso());
  }

  private async setPassword(
    user: UserRecord,
    next: unknown,
    keepTokenId: string | undefined,
  ): Promise<void> {
    if (typeof next !== "string") throw invalid("password", "The password must be a string.");
    checkPasswordPolicy(next, user.username, "new password");
    await this.store.updateUser(user.id, { passwordHash: await this.hasher.hash(next) });
    // Whoever knew the old password may hold a session: end them all but the actor's own.
    const at = this.iso();
    for (const t of await this.store.listTokens(user.id, "session"))
      if (t.revokedAt === null && t.id !== keepTokenId) await this.store.revokeToken(t.id, at);
  }

  private async keepOneAdmin(user: UserRecord): Promise<void> {
    const admins = (await this.store.listUsers()).filter((u) => u.role === "admin");
    if (admins.length <= 1 && admins[0]?.id === user.id)
      throw new UpdraftError(
        ErrorCodes.CONFLICT,
        `${user.username} is the last admin; make another user admin first.`,
      );
  }

  private async mustGet(userId: string): Promise<UserRecord> {
    const user = await this.store.getUserById(userId);
    if (user === undefined)
      throw new UpdraftError(
        ErrorCodes.NOT_FOUND,
        `There is no user with id ${JSON.stringify(userId.slice(0, 80))}.`,
      );
    return user;
  }

  private expired(t: TokenRecord): boolean {
    return t.expiresAt !== null && Date.parse(t.expiresAt) <= this.now();
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

function view(user: UserRecord): UserView {
  return { id: user.id, username: user.username, role: user.role, createdAt: user.createdAt };
}

function tokenView(t: TokenRecord): TokenView {
  const { hash: _hash, ...rest } = t;
  return rest;
}
