/**
 * Encryption of one secret payload with AES-256-GCM. The envelope is text,
 * `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url parts), versioned so the format can
 * change. The AAD binds the version, the key id and a caller-chosen context (the
 * connection name), so a ciphertext copied to another connection fails to decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { SecretKey } from "./secret-key.js";

const VERSION = "v1";
const IV_BYTES = 12; // 96 bits: GCM's native nonce size; random per encryption.
const TAG_BYTES = 16;
/** Largest envelope accepted for decryption (a connection is a few KiB at most). */
export const MAX_ENVELOPE_LENGTH = 1024 * 1024;
const PART = /^[A-Za-z0-9_-]*$/;

function aad(keyId: string, context: string): Buffer {
  return Buffer.from(`updraft ${VERSION} ${keyId} ${context}`, "utf8");
}

/** Encrypts `plaintext` under `key`, bound to `context`. */
export function seal(key: SecretKey, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(key.id, context));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    VERSION,
    key.id,
    iv.toString("base64url"),
    body.toString("base64url"),
    tag.toString("base64url"),
  ].join(".");
}

/** The key id an envelope was sealed with, or undefined when it is not an envelope. */
export function envelopeKeyId(envelope: string): string | undefined {
  const parts =
    typeof envelope === "string" && envelope.length <= MAX_ENVELOPE_LENGTH
      ? envelope.split(".")
      : [];
  return parts.length === 5 && parts[0] === VERSION && /^[0-9a-f]{16}$/.test(parts[1] ?? "")
    ? parts[1]
    : undefined;
}

/**
 * Decrypts an envelope sealed for `context` with whichever of `keys` has its key id (a
 * keyring lets a server read data of the previous key during a rotation). Every failure is an E_SECRET error that says
 * which: malformed (truncated, not ours), another key, or altered (authentication failed).
 */
export function open(
  keys: SecretKey | readonly SecretKey[],
  envelope: string,
  context: string,
): string {
  const what = `the encrypted data of ${context}`;
  if (typeof envelope !== "string" || envelope.length > MAX_ENVELOPE_LENGTH)
    throw new UpdraftError(
      ErrorCodes.SECRET,
      `Cannot decrypt ${what}: it is not a string of at most ${MAX_ENVELOPE_LENGTH} characters.`,
    );
  const parts = envelope.split(".");
  if (parts[0] !== VERSION)
    throw new UpdraftError(
      ErrorCodes.SECRET,
      `Cannot decrypt ${what}: unknown format ${JSON.stringify((parts[0] ?? "").slice(0, 10))} (this Updraft reads ${VERSION}); it is corrupt or was written by a newer Updraft.`,
    );
  const [, id = "", ivText = "", bodyText = "", tagText = ""] = parts;
  if (
    parts.length !== 5 ||
    !/^[0-9a-f]{16}$/.test(id) ||
    ![ivText, bodyText, tagText].every((p) => PART.test(p))
  )
    throw new UpdraftError(
      ErrorCodes.SECRET,
      `Cannot decrypt ${what}: the envelope is malformed or truncated; restore it from a backup or save the connection again.`,
    );
  const iv = Buffer.from(ivText, "base64url");
  const tag = Buffer.from(tagText, "base64url");
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
    throw new UpdraftError(
      ErrorCodes.SECRET,
      `Cannot decrypt ${what}: the envelope is malformed or truncated; restore it from a backup or save the connection again.`,
    );
  const ring: readonly SecretKey[] = Array.isArray(keys) ? keys : [keys as SecretKey];
  const key = ring.find((k) => k.id === id);
  if (key === undefined)
    throw new UpdraftError(
      ErrorCodes.SECRET,
      `Cannot decrypt ${what}: it was encrypted with another key (key id ${id}; the key from ${ring.map((k) => `${k.source} has id ${k.id}`).join(", ") || "nowhere"}). Start Updraft with the key it was saved with, or save the connection again.`,
    );
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(id, context));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([
      decipher.update(Buffer.from(bodyText, "base64url")),
      decipher.final(),
    ]);
    return plain.toString("utf8");
  } catch (err) {
    throw new UpdraftError(
      ErrorCodes.SECRET,
      `Cannot decrypt ${what}: authentication failed, so the data was altered or belongs to another connection; restore it from a backup or save the connection again.`,
      { cause: err },
    );
  }
}
