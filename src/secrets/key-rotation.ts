/**
 * Re-encrypting every connection with a new key. Safe to interrupt and re-run: records
 * already under the new key are skipped, and each record is replaced with a
 * compare-and-set so a concurrent edit is never overwritten. During a rotation a server
 * can run with the new key and the old one as a previous key (ConnectionVault's keyring).
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { connectionContext } from "./connection-vault.js";
import type { ConnectionStore } from "./connection-store.js";
import { open, seal } from "./secret-envelope.js";
import { KEY_BYTES, KEY_FILE_NAME, secretKeyFromBytes, type SecretKey } from "./secret-key.js";

/** What a rotation did. */
export interface RotationResult {
  rotated: string[];
  /** Already encrypted with the new key. */
  unchanged: string[];
  /** Changed by someone else during the rotation (they are then under the writer's key). */
  skippedConcurrent: string[];
}

/** A new random key. */
export function generateSecretKey(source = "a new key"): SecretKey {
  return secretKeyFromBytes(randomBytes(KEY_BYTES), source);
}

/**
 * Re-encrypts every connection sealed with one of `oldKeys` under `newKey`. Throws E_SECRET
 * naming the connections sealed with none of the keys (after rotating all the others).
 */
export async function rotateConnectionKey(
  store: ConnectionStore,
  oldKeys: readonly SecretKey[],
  newKey: SecretKey,
): Promise<RotationResult> {
  const result: RotationResult = { rotated: [], unchanged: [], skippedConcurrent: [] };
  const failed: string[] = [];
  for (const stored of await store.listConnections()) {
    if (stored.keyId === newKey.id) {
      result.unchanged.push(stored.name);
      continue;
    }
    let plain: string;
    try {
      plain = open(oldKeys, stored.envelope, connectionContext(stored.name));
    } catch (err) {
      failed.push(`${stored.name} (${(err as Error).message})`);
      continue;
    }
    const envelope = seal(newKey, plain, connectionContext(stored.name));
    if (await store.replaceEnvelope(stored.name, stored.envelope, newKey.id, envelope))
      result.rotated.push(stored.name);
    else result.skippedConcurrent.push(stored.name);
  }
  if (failed.length > 0)
    throw new UpdraftError(
      ErrorCodes.SECRET,
      `Rotated ${result.rotated.length} connection(s), but cannot decrypt ${failed.length}: ${failed.join("; ")}`,
      { details: result },
    );
  return result;
}

/**
 * Replaces `<dataDir>/secret.key` with `key` atomically (temporary file with mode 0600,
 * fsync, rename). Call after rotateConnectionKey succeeded, and keep the old key until then.
 */
export function writeKeyFile(dataDir: string, key: SecretKey): string {
  const path = join(dataDir, KEY_FILE_NAME);
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const fd = openSync(temp, "wx", 0o600);
    try {
      writeSync(fd, `${key.key.toString("base64")}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    return path;
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // Never created.
    }
    throw new UpdraftError(
      ErrorCodes.SECRET,
      `Cannot write the key file ${path}: ${(err as Error).message}.`,
      { cause: err },
    );
  }
}
