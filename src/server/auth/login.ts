/**
 * Logging in and out. A login session token lives a fixed 12 hours from login (no
 * sliding renewal: a stolen session is useful for at most that long, and a working day
 * fits in it); logout revokes it. Failures say only "invalid username or password", and
 * an unknown username costs the same scrypt work as a wrong password, so neither the
 * message nor the timing tells which usernames exist.
 */
import { ErrorCodes, UpdraftError } from "../../spec/errors.js";
import type { AuthStore } from "./auth-store.js";
import { issueToken } from "./issue-token.js";
import { LoginRateLimiter } from "./login-rate-limiter.js";
import { MAX_PASSWORD_BYTES, PasswordHasher } from "./password-hash.js";
import type { Principal } from "./principal.js";

/** How long a login session lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Options of LoginService. */
export interface LoginServiceOptions {
  hasher?: PasswordHasher;
  limiter?: LoginRateLimiter;
  /** Clock in ms since the epoch (default Date.now). */
  now?: () => number;
  sessionTtlMs?: number;
}

/** What a successful login returns to the client. */
export interface LoginResult {
  token: string;
  expiresAt: string;
  principal: Principal;
}

/** Password login, producing session tokens. */
export class LoginService {
  private readonly hasher: PasswordHasher;
  private readonly limiter: LoginRateLimiter;
  private readonly now: () => number;
  private readonly sessionTtlMs: number;
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: AuthStore,
    options: LoginServiceOptions = {},
  ) {
    this.hasher = options.hasher ?? new PasswordHasher();
    this.now = options.now ?? Date.now;
    this.limiter = options.limiter ?? new LoginRateLimiter({ now: this.now });
    this.sessionTtlMs = options.sessionTtlMs ?? SESSION_TTL_MS;
  }

  /**
   * Checks a username and password from client `address` and issues a session token.
   * Rejects with E_UNAUTHENTICATED on bad credentials, E_RATE_LIMITED when blocked, and
   * E_VALIDATION when the fields are not strings.
   */
  async login(username: unknown, password: unknown, address: string): Promise<LoginResult> {
    if (typeof username !== "string" || typeof password !== "string")
      throw new UpdraftError(ErrorCodes.VALIDATION, "Send {username, password}, both strings.");
    const name = username.trim().toLowerCase();
    const retryAfter = this.limiter.retryAfterSeconds(name, address);
    if (retryAfter > 0)
      throw new UpdraftError(
        ErrorCodes.RATE_LIMITED,
        `Too many failed logins for this username from your address; try again in ${retryAfter} s.`,
        { details: { retryAfterSeconds: retryAfter } },
      );
    // No username is that long or holds a NUL: such a login fails like any unknown user.
    const user =
      name.length <= 64 && !name.includes("\0")
        ? await this.store.getUserByUsername(name)
        : undefined;
    let ok = false;
    if (password.length <= MAX_PASSWORD_BYTES) {
      // A fixed hash for unknown users keeps the response time the same as a wrong password.
      const stored = user?.passwordHash ?? (await this.fakeHash());
      ok = (await this.hasher.verify(password, stored)) && user !== undefined;
    }
    if (!ok || user === undefined) {
      this.limiter.recordFailure(name, address);
      throw new UpdraftError(ErrorCodes.UNAUTHENTICATED, "Invalid username or password.");
    }
    this.limiter.recordSuccess(name, address);
    if (this.hasher.needsRehash(user.passwordHash))
      await this.store.updateUser(user.id, { passwordHash: await this.hasher.hash(password) });
    const now = this.now();
    const expires = new Date(now + this.sessionTtlMs);
    const { token, record } = await issueToken(
      this.store,
      user.id,
      "session",
      "session",
      new Date(now),
      expires,
    );
    return {
      token,
      expiresAt: expires.toISOString(),
      principal: {
        userId: user.id,
        username: user.username,
        role: user.role,
        tokenId: record.id,
        tokenKind: "session",
      },
    };
  }

  /** Revokes the token the principal authenticated with. */
  async logout(principal: Principal): Promise<void> {
    await this.store.revokeToken(principal.tokenId, new Date(this.now()).toISOString());
  }

  private fakeHash(): Promise<string> {
    this.dummyHash ??= this.hasher.hash("updraft: no such user, never a valid password");
    return this.dummyHash;
  }
}
