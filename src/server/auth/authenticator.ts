/**
 * From an `Authorization` header to a Principal. Each way a request can fail has its own
 * message (missing, malformed, unknown, expired, revoked) so a user knows what to fix;
 * none of them says anything about which users exist.
 */
import { timingSafeEqual } from "node:crypto";
import { ErrorCodes, UpdraftError } from "../../spec/errors.js";
import type { AuthStore } from "./auth-store.js";
import type { Principal } from "./principal.js";
import { hashToken, tokenKind } from "./token-format.js";

/** Options of Authenticator. */
export interface AuthenticatorOptions {
  /** Clock in ms since the epoch (default Date.now). */
  now?: () => number;
  /** Record a token's last use at most this often, to keep reads from writing (default 60 s). */
  touchIntervalMs?: number;
}

const MAX_HEADER_LENGTH = 512;
const LOGIN_HINT = "log in again (POST /api/v1/auth/login) or use another API token";

function unauthenticated(message: string): UpdraftError {
  return new UpdraftError(ErrorCodes.UNAUTHENTICATED, message);
}

/** Checks bearer tokens against the AuthStore. */
export class Authenticator {
  private readonly now: () => number;
  private readonly touchIntervalMs: number;

  constructor(
    private readonly store: AuthStore,
    options: AuthenticatorOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.touchIntervalMs = options.touchIntervalMs ?? 60_000;
  }

  /** The principal of an `Authorization` header value; rejects with E_UNAUTHENTICATED (401). */
  async authenticate(header: string | undefined): Promise<Principal> {
    if (header === undefined || header.trim() === "")
      throw unauthenticated(
        "Authentication required: send 'Authorization: Bearer <token>' with a token from POST /api/v1/auth/login or an API token.",
      );
    if (header.length > MAX_HEADER_LENGTH)
      throw unauthenticated(
        "Malformed Authorization header: it is far longer than any Updraft token.",
      );
    const match = /^Bearer +(\S+) *$/i.exec(header.trim());
    const token = match?.[1];
    if (token === undefined)
      throw unauthenticated("Malformed Authorization header: expected 'Bearer <token>'.");
    if (tokenKind(token) === undefined)
      throw unauthenticated(
        "Malformed token: Updraft tokens start with upd_s_ (login) or upd_pat_ (API token) followed by 43 characters; check that it was copied whole.",
      );
    const hash = hashToken(token);
    const record = await this.store.getTokenByHash(hash);
    // The lookup is by hash, so timing reveals nothing about stored tokens; the explicit
    // comparison guards against a store whose index lookup is not an exact match.
    if (record === undefined || !sameHex(record.hash, hash))
      throw unauthenticated(
        `Unknown token: this server did not issue it, or it was deleted; ${LOGIN_HINT}.`,
      );
    if (record.revokedAt !== null)
      throw unauthenticated(
        `Token revoked at ${record.revokedAt} (logout or by an admin); ${LOGIN_HINT}.`,
      );
    const now = this.now();
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now)
      throw unauthenticated(`Token expired at ${record.expiresAt}; ${LOGIN_HINT}.`);
    const user = await this.store.getUserById(record.userId);
    // A token of a deleted user is as good as unknown (normally removed with the user).
    if (user === undefined)
      throw unauthenticated(
        `Unknown token: this server did not issue it, or it was deleted; ${LOGIN_HINT}.`,
      );
    if (record.lastUsedAt === null || now - Date.parse(record.lastUsedAt) >= this.touchIntervalMs)
      await this.store.touchToken(record.id, new Date(now).toISOString());
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      tokenId: record.id,
      tokenKind: record.kind,
    };
  }
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}
