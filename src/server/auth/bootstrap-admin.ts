/**
 * First start: when the store has no user at all, create `admin` with the password the
 * operator provided (UPDRAFT_ADMIN_PASSWORD, passed in by the entry point) or a generated
 * one that the caller prints once. Nothing happens when any user exists.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { ErrorCodes, UpdraftError } from "../../spec/errors.js";
import type { AuthStore } from "./auth-store.js";
import { PasswordHasher } from "./password-hash.js";
import { checkPasswordPolicy } from "./password-policy.js";

/** The username of the first account. */
export const BOOTSTRAP_ADMIN = "admin";

/** What bootstrapAdmin did. */
export type BootstrapResult =
  | { created: false }
  /** `generatedPassword` is set only when none was provided: print it once, never log it again. */
  | { created: true; username: string; generatedPassword?: string };

/** Creates the `admin` user on an empty store. */
export async function bootstrapAdmin(
  store: AuthStore,
  password: string | undefined,
  options: { hasher?: PasswordHasher; now?: () => number } = {},
): Promise<BootstrapResult> {
  if ((await store.countUsers()) > 0) return { created: false };
  const provided = password !== undefined && password !== "";
  if (provided) checkPasswordPolicy(password, BOOTSTRAP_ADMIN, "UPDRAFT_ADMIN_PASSWORD");
  // 24 random bytes: 32 base64url characters, 192 bits.
  const chosen = provided ? password : randomBytes(24).toString("base64url");
  const hasher = options.hasher ?? new PasswordHasher();
  try {
    await store.createUser({
      id: randomUUID(),
      username: BOOTSTRAP_ADMIN,
      role: "admin",
      passwordHash: await hasher.hash(chosen),
      createdAt: new Date((options.now ?? Date.now)()).toISOString(),
    });
  } catch (err) {
    // Another server process on the same database bootstrapped first.
    if (err instanceof UpdraftError && err.code === ErrorCodes.CONFLICT) return { created: false };
    throw err;
  }
  return provided
    ? { created: true, username: BOOTSTRAP_ADMIN }
    : { created: true, username: BOOTSTRAP_ADMIN, generatedPassword: chosen };
}
