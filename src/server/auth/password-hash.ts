/**
 * Password hashing with scrypt (node:crypto). A stored hash is self-describing,
 * `scrypt$N$r$p$salt$hash` with base64 salt and hash, so the cost parameters can be raised
 * later: `needsRehash` tells the login path to re-hash with the current ones.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { ErrorCodes, UpdraftError } from "../../spec/errors.js";

/** Cost parameters of scrypt. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelization. */
  p: number;
}

/** OWASP's recommended minimum for scrypt (2^15, 8, 1): about 32 MiB and ~50-100 ms per hash. */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({
  N: 2 ** 15,
  r: 8,
  p: 1,
});

/** Longest password accepted anywhere, in UTF-8 bytes: bounds the work an attacker can ask for. */
export const MAX_PASSWORD_BYTES = 1024;

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Bounds for hashes read back from the store: a corrupt or planted row must not make a
// login allocate gigabytes (N=2^30) or spin for minutes.
const LIMITS = { minLogN: 10, maxLogN: 20, maxR: 32, maxP: 16, minSalt: 16, maxSalt: 64 };
const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A parsed stored hash. */
interface ParsedHash extends ScryptParams {
  salt: Buffer;
  hash: Buffer;
}

/** Hashes and verifies passwords with fixed scrypt parameters. */
export class PasswordHasher {
  readonly params: Readonly<ScryptParams>;

  constructor(params: ScryptParams = DEFAULT_SCRYPT_PARAMS) {
    checkParams(params, "PasswordHasher");
    this.params = Object.freeze({ ...params });
  }

  /** Hashes a password with a fresh random salt; returns the self-describing string. */
  async hash(password: string): Promise<string> {
    const bytes = passwordBytes(password);
    if (bytes === undefined)
      throw new UpdraftError(
        ErrorCodes.VALIDATION,
        `A password may be at most ${MAX_PASSWORD_BYTES} bytes long.`,
      );
    const salt = randomBytes(SALT_BYTES);
    const hash = await derive(bytes, salt, this.params, KEY_BYTES);
    const { N, r, p } = this.params;
    return `scrypt$${N}$${r}$${p}$${salt.toString("base64")}$${hash.toString("base64")}`;
  }

  /**
   * True when `password` matches `stored`. Compares in constant time. An oversized password
   * is false without hashing; a malformed stored hash is an E_STORE error (corrupt data).
   */
  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parseHash(stored);
    const bytes = passwordBytes(password);
    if (bytes === undefined) return false;
    const actual = await derive(bytes, parsed.salt, parsed, parsed.hash.length);
    return timingSafeEqual(actual, parsed.hash);
  }

  /** True when `stored` was made with other parameters than this hasher's (or is unreadable). */
  needsRehash(stored: string): boolean {
    try {
      const parsed = parseHash(stored);
      const { N, r, p } = this.params;
      return parsed.N !== N || parsed.r !== r || parsed.p !== p || parsed.hash.length !== KEY_BYTES;
    } catch {
      return true;
    }
  }
}

/** The password as NFKC-normalized UTF-8 (so the same password typed on two keyboards matches), or undefined when too long. */
function passwordBytes(password: string): Buffer | undefined {
  // Checked before normalizing: normalization of a huge string is itself work.
  if (password.length > MAX_PASSWORD_BYTES) return undefined;
  const bytes = Buffer.from(password.normalize("NFKC"), "utf8");
  return bytes.length > MAX_PASSWORD_BYTES ? undefined : bytes;
}

function derive(
  password: Buffer,
  salt: Buffer,
  params: ScryptParams,
  length: number,
): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; Node refuses above `maxmem` (32 MiB by default).
  const maxmem = 128 * params.N * params.r * 2 + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(
      password,
      salt,
      length,
      { N: params.N, r: params.r, p: params.p, maxmem },
      (err, key) => {
        if (err)
          reject(
            new UpdraftError(ErrorCodes.INTERNAL, `scrypt failed: ${err.message}`, { cause: err }),
          );
        else resolve(key);
      },
    );
  });
}

function checkParams(params: ScryptParams, where: string): void {
  const { N, r, p } = params;
  const logN = Math.log2(N);
  const ok =
    Number.isInteger(logN) &&
    logN >= LIMITS.minLogN &&
    logN <= LIMITS.maxLogN &&
    Number.isInteger(r) &&
    r >= 1 &&
    r <= LIMITS.maxR &&
    Number.isInteger(p) &&
    p >= 1 &&
    p <= LIMITS.maxP;
  if (!ok)
    throw new UpdraftError(
      ErrorCodes.INTERNAL,
      `${where}: scrypt parameters out of range (N a power of two from 2^${LIMITS.minLogN} to 2^${LIMITS.maxLogN}, r 1-${LIMITS.maxR}, p 1-${LIMITS.maxP}).`,
    );
}

function malformed(reason: string): UpdraftError {
  return new UpdraftError(
    ErrorCodes.STORE,
    `A stored password hash is malformed (${reason}); an admin must reset this user's password.`,
  );
}

/** Parses `scrypt$N$r$p$salt$hash`, refusing anything out of bounds. */
function parseHash(stored: string): ParsedHash {
  if (typeof stored !== "string" || stored.length > 512) throw malformed("not a short string");
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt")
    throw malformed("expected scrypt$N$r$p$salt$hash");
  const [, nText = "", rText = "", pText = "", saltText = "", hashText = ""] = parts;
  const int = (text: string): number => (/^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : NaN);
  const params = { N: int(nText), r: int(rText), p: int(pText) };
  try {
    checkParams(params, "stored hash");
  } catch {
    throw malformed("cost parameters out of range");
  }
  if (!B64.test(saltText) || !B64.test(hashText)) throw malformed("salt or hash is not base64");
  const salt = Buffer.from(saltText, "base64");
  const hash = Buffer.from(hashText, "base64");
  if (salt.length < LIMITS.minSalt || salt.length > LIMITS.maxSalt)
    throw malformed("bad salt length");
  if (hash.length < 16 || hash.length > 64) throw malformed("bad hash length");
  return { ...params, salt, hash };
}
