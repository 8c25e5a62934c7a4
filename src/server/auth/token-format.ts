/**
 * Bearer tokens: 32 random bytes, base64url, behind a prefix that says what the token is
 * (`upd_s_` login sessions, `upd_pat_` personal access tokens), so a leaked token is
 * recognizable by secret scanners and by people. Only the SHA-256 of a token is stored:
 * a stolen database does not yield usable tokens, and 256 random bits need no slow hash.
 */
import { createHash, randomBytes } from "node:crypto";

/** The two kinds of token. */
export type TokenKind = "session" | "pat";

/** The prefix of each kind. */
export const TOKEN_PREFIXES: Readonly<Record<TokenKind, string>> = Object.freeze({
  session: "upd_s_",
  pat: "upd_pat_",
});

const RANDOM_BYTES = 32;
const BODY = /^[A-Za-z0-9_-]{43}$/; // base64url of 32 bytes, unpadded

/** A new random token of `kind`. */
export function generateToken(kind: TokenKind): string {
  return TOKEN_PREFIXES[kind] + randomBytes(RANDOM_BYTES).toString("base64url");
}

/** The kind of a well-formed token, or undefined when `token` is not one of ours. */
export function tokenKind(token: string): TokenKind | undefined {
  if (token.length > 64) return undefined;
  for (const kind of ["session", "pat"] as const) {
    const prefix = TOKEN_PREFIXES[kind];
    if (token.startsWith(prefix) && BODY.test(token.slice(prefix.length))) return kind;
  }
  return undefined;
}

/** The hex SHA-256 of a token: what the store keeps and looks tokens up by. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
