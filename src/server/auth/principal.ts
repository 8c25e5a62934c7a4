/** Who is making a request, once their token has been checked. */
import type { TokenKind } from "./token-format.js";

/** The three roles, from most to least powerful. */
export type Role = "admin" | "editor" | "viewer";

/** Every role, for validation and listings. */
export const ROLES: readonly Role[] = ["admin", "editor", "viewer"];

/** An authenticated caller. */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  /** The token the request came with (so logout can revoke it). */
  tokenId: string;
  tokenKind: TokenKind;
}

/** True when `value` is one of the roles. */
export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
