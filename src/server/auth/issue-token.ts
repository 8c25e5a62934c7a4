/** Creating a token record: the one place a token is generated and its hash stored. */
import { randomUUID } from "node:crypto";
import type { AuthStore, TokenRecord } from "./auth-store.js";
import { generateToken, hashToken, type TokenKind } from "./token-format.js";

/** A newly issued token: `token` is shown to its owner once and never stored. */
export interface IssuedToken {
  token: string;
  record: TokenRecord;
}

/** Generates a token of `kind` for `userId` and stores its hash. */
export async function issueToken(
  store: AuthStore,
  userId: string,
  kind: TokenKind,
  name: string,
  createdAt: Date,
  expiresAt: Date | null,
): Promise<IssuedToken> {
  const token = generateToken(kind);
  const record: TokenRecord = {
    id: randomUUID(),
    userId,
    kind,
    name,
    hash: hashToken(token),
    createdAt: createdAt.toISOString(),
    expiresAt: expiresAt === null ? null : expiresAt.toISOString(),
    lastUsedAt: null,
    revokedAt: null,
  };
  await store.createToken(record);
  return { token, record };
}
