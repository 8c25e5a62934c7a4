/**
 * The forms in which a secret value can show up in a log: as is, base64 (at each of the
 * three byte alignments, so it is caught inside a longer base64 blob such as an HTTP Basic
 * header), base64url, URL-encoded, and escaped inside a JSON string.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/**
 * Shortest secret that can be masked (characters). Shorter ones would blank ordinary log
 * text and are guessable anyway; GitLab applies the same 8-character rule to masked variables.
 */
export const MIN_SECRET_LENGTH = 8;

/** Longest secret value masked, in UTF-8 bytes (a PEM private key fits). */
export const MAX_SECRET_BYTES = 64 * 1024;

/**
 * Checks a secret for masking: undefined for an empty one (nothing to hide), the value
 * itself otherwise; throws E_VALIDATION when it is too short or too long to mask.
 */
export function maskableSecret(secret: string): string | undefined {
  if (secret === "") return undefined;
  const length = [...secret].length;
  if (length < MIN_SECRET_LENGTH)
    throw new UpdraftError(
      ErrorCodes.VALIDATION,
      `A secret of ${length} characters is too short to mask in logs safely; secrets need at least ${MIN_SECRET_LENGTH}.`,
    );
  if (Buffer.byteLength(secret, "utf8") > MAX_SECRET_BYTES)
    throw new UpdraftError(
      ErrorCodes.VALIDATION,
      `A secret is longer than ${MAX_SECRET_BYTES} bytes, the most that can be masked.`,
    );
  return secret;
}

/** Every form of `secret` to mask, distinct, each at least MIN_SECRET_LENGTH long. */
export function secretVariants(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const out = new Set<string>([secret]);
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.concat([Buffer.alloc(shift), bytes])
      .toString("base64")
      .replace(/=+$/, "");
    // Keep only the characters that depend on the secret's bits alone: the leading ones
    // mix in the preceding bytes, the trailing partial one the following bytes.
    const totalBits = 8 * (shift + bytes.length);
    const stable = b64.slice(Math.ceil((8 * shift) / 6), Math.floor(totalBits / 6));
    out.add(stable);
    out.add(stable.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  const url = encodeURIComponent(secret);
  out.add(url);
  out.add(url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  out.add(url.replace(/%20/g, "+"));
  const json = JSON.stringify(secret).slice(1, -1);
  out.add(json);
  // Python's json.dumps escapes every non-ASCII character by default.
  out.add(
    json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
  );
  return [...out].filter((v) => v.length >= MIN_SECRET_LENGTH);
}
