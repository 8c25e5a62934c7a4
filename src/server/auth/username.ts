/** The rule for usernames: lower-case so `Ada` and `ada` cannot be two different people. */
import { ErrorCodes, UpdraftError } from "../../spec/errors.js";

/** Lower-case letter first, then letters, digits, `.`, `_` or `-`; 1 to 64 characters. */
export const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/;

/** Throws E_VALIDATION unless `username` follows USERNAME_PATTERN. */
export function checkUsername(username: unknown): asserts username is string {
  if (typeof username !== "string" || !USERNAME_PATTERN.test(username)) {
    const shown =
      typeof username === "string" ? JSON.stringify(username.slice(0, 80)) : typeof username;
    throw new UpdraftError(
      ErrorCodes.VALIDATION,
      `Invalid username ${shown}: use 1-64 characters, a lower-case letter first, then lower-case letters, digits, '.', '_' or '-'.`,
      { details: [{ path: "username", message: "invalid username" }] },
    );
  }
}
