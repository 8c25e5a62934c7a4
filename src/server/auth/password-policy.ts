/**
 * What a new password must satisfy (NIST SP 800-63B style: length over composition rules).
 * Checked when a password is set, never at login, so a policy change does not lock anyone out.
 */
import { ErrorCodes, UpdraftError } from "../../spec/errors.js";
import { MAX_PASSWORD_BYTES } from "./password-hash.js";

/** Shortest password accepted, in characters (Unicode code points). */
export const MIN_PASSWORD_LENGTH = 12;

/** Every rule `password` breaks, as sentences; empty when it is acceptable. */
export function passwordProblems(password: string, username: string): string[] {
  if (typeof password !== "string") return ["The password must be a string."];
  // Length first and alone: nothing else is computed on an oversized value.
  if (
    password.length > MAX_PASSWORD_BYTES ||
    Buffer.byteLength(password, "utf8") > MAX_PASSWORD_BYTES
  )
    return [`The password is too long: at most ${MAX_PASSWORD_BYTES} bytes.`];
  const problems: string[] = [];
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH)
    problems.push(
      `The password is too short (${length} characters): use at least ${MIN_PASSWORD_LENGTH}; a few random words are easy to remember.`,
    );
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(password))
    problems.push("The password contains a control character (NUL, newline, tab, ...); remove it.");
  if (password.normalize("NFKC").toLowerCase() === username.normalize("NFKC").toLowerCase())
    problems.push("The password must not be the username.");
  else if (length > 0 && new Set(password).size === 1)
    problems.push("The password must not repeat a single character.");
  return problems;
}

/** Throws E_VALIDATION listing every rule `password` breaks. */
export function checkPasswordPolicy(password: string, username: string, what = "password"): void {
  const problems = passwordProblems(password, username);
  if (problems.length > 0)
    throw new UpdraftError(ErrorCodes.VALIDATION, `Unacceptable ${what}: ${problems.join(" ")}`, {
      details: problems.map((message) => ({ path: "password", message })),
    });
}
