/**
 * The key that encrypts connections at rest: 32 bytes, from UPDRAFT_SECRET_KEY (the entry
 * point passes its value in) or from `<dataDir>/secret.key`, generated on first use with
 * mode 0600. A key file that group or others can read is refused: anyone who can read it
 * can decrypt every connection.
 */
import { createHmac, randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** Bytes of an AES-256 key. */
export const KEY_BYTES = 32;

/** Name of the generated key file inside the data directory. */
export const KEY_FILE_NAME = "secret.key";

/** A loaded key and where it came from. */
export interface SecretKey {
  key: Buffer;
  /** Short public fingerprint stored beside ciphertexts, so a wrong key is named as such. */
  id: string;
  /** "UPDRAFT_SECRET_KEY" or the key file's path. */
  source: string;
  /** True when this call generated the key file. */
  created: boolean;
}

const GENERATE_HINT = "generate one with `openssl rand -base64 32`";

function keyError(message: string, cause?: unknown): UpdraftError {
  return new UpdraftError(ErrorCodes.SECRET, message, cause === undefined ? {} : { cause });
}

/** The fingerprint of a key: 16 hex characters of an HMAC, revealing nothing about the key. */
export function keyId(key: Buffer): string {
  return createHmac("sha256", key).update("updraft secret key id v1").digest("hex").slice(0, 16);
}

/** Decodes a key written as 64 hex digits or as base64/base64url of 32 bytes; throws E_SECRET otherwise. */
export function parseSecretKey(text: string, source: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(value)) {
    const key = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (key.length === KEY_BYTES) return key;
  }
  const shape = value.length === 0 ? "it is empty" : `it has ${value.length} characters`;
  throw keyError(
    `The secret key from ${source} is not 32 bytes written as base64 (44 characters) or hex (64 digits): ${shape}; ${GENERATE_HINT}.`,
  );
}

/** Builds a SecretKey from raw bytes (e.g. a new key for rotation). */
export function secretKeyFromBytes(key: Buffer, source: string): SecretKey {
  if (key.length !== KEY_BYTES)
    throw keyError(
      `The secret key from ${source} has ${key.length} bytes; it must have ${KEY_BYTES}.`,
    );
  return { key, id: keyId(key), source, created: false };
}

/**
 * The key to use: `envValue` (UPDRAFT_SECRET_KEY) when set and non-empty, else the key file
 * in `dataDir`, created when missing.
 */
export function resolveSecretKey(envValue: string | undefined, dataDir: string): SecretKey {
  if (envValue !== undefined && envValue.trim() !== "") {
    const key = parseSecretKey(envValue, "UPDRAFT_SECRET_KEY");
    return { key, id: keyId(key), source: "UPDRAFT_SECRET_KEY", created: false };
  }
  return loadOrCreateKeyFile(dataDir);
}

/** Reads `<dataDir>/secret.key`, or creates it with a new random key and mode 0600. */
export function loadOrCreateKeyFile(dataDir: string): SecretKey {
  const path = join(dataDir, KEY_FILE_NAME);
  let created = false;
  if (!exists(path)) created = createKeyFile(dataDir, path);
  const key = readKeyFile(path);
  return { key, id: keyId(key), source: path, created };
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOTDIR: the data directory is a file; creating it fails below with advice.
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw keyError(`Cannot inspect the key file ${path}: ${(err as Error).message}.`, err);
  }
}

/** Writes a temporary file and links it into place, so no reader ever sees a half-written key. */
function createKeyFile(dataDir: string, path: string): boolean {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    mkdirSync(dataDir, { recursive: true });
    const fd = openSync(temp, "wx", 0o600);
    try {
      writeSync(fd, `${randomBytes(KEY_BYTES).toString("base64")}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, path);
      return true;
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw err;
    }
  } catch (err) {
    throw keyError(
      `Cannot create the key file ${path}: ${(err as Error).message}. Make the data directory writable, or set UPDRAFT_SECRET_KEY (${GENERATE_HINT}).`,
      err,
    );
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or already gone.
    }
  }
}

function readKeyFile(path: string): Buffer {
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    throw keyError(`Cannot read the key file ${path}: ${(err as Error).message}.`, err);
  }
  if (!stat.isFile())
    throw keyError(
      `The key file ${path} is not a regular file; move it aside or point UPDRAFT_SECRET_KEY at the key.`,
    );
  if ((stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
    throw keyError(
      `The key file ${path} is readable or writable by group or others (mode ${mode}), so other users could decrypt every connection. Run \`chmod 600 ${path}\` and restart; if other users may have copied it, rotate the key.`,
    );
  }
  if (stat.size > 1024)
    throw keyError(
      `The key file ${path} is ${stat.size} bytes, far more than a key; it is not an Updraft key file.`,
    );
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw keyError(`Cannot read the key file ${path}: ${(err as Error).message}.`, err);
  }
  return parseSecretKey(text, `the key file ${path}`);
}
