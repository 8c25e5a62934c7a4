import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ErrorCodes } from "../spec/errors.js";
import { envelopeKeyId, open, seal } from "./secret-envelope.js";
import { secretKeyFromBytes } from "./secret-key.js";

const key = secretKeyFromBytes(randomBytes(32), "test key");
const other = secretKeyFromBytes(randomBytes(32), "other key");

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}

describe("secret envelopes", () => {
  it("round-trips text, including unicode and NUL, with a fresh IV each time", () => {
    const text = 'pässwörd \u0000 {"a":1} 🔑';
    const a = seal(key, text, "connection w");
    const b = seal(key, text, "connection w");
    expect(a).not.toBe(b);
    expect(a.split(".")[2]).not.toBe(b.split(".")[2]);
    expect(a).toMatch(/^v1\.[0-9a-f]{16}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/);
    expect(a).not.toContain("pässwörd");
    expect(open(key, a, "connection w")).toBe(text);
    expect(open(key, seal(key, "", "c"), "c")).toBe("");
    expect(envelopeKeyId(a)).toBe(key.id);
    expect(envelopeKeyId("junk")).toBeUndefined();
  });

  it("refuses an envelope moved to another context (the AAD binds the connection name)", () => {
    const sealed = seal(key, "secret", "connection warehouse");
    expect(caught(() => open(key, sealed, "connection lake"))).toMatchObject({
      code: ErrorCodes.SECRET,
      message: expect.stringContaining("authentication failed") as unknown,
    });
  });

  it("names a wrong key as such, and opens with the matching key of a keyring", () => {
    const sealed = seal(key, "secret", "c");
    const err = caught(() => open(other, sealed, "c"));
    expect(err).toMatchObject({ code: ErrorCodes.SECRET });
    expect(err.message).toContain(`another key (key id ${key.id}`);
    expect(err.message).toContain(other.id);
    expect(open([other, key], sealed, "c")).toBe("secret");
  });

  it("detects every single-bit change of IV, ciphertext and tag as tampering, not a crash", () => {
    const sealed = seal(key, "a secret of some length", "c");
    const parts = sealed.split(".");
    for (const index of [2, 3, 4]) {
      const bytes = Buffer.from(parts[index] ?? "", "base64url");
      for (let bit = 0; bit < bytes.length * 8; bit += 7) {
        const flipped = Buffer.from(bytes);
        flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        const tampered = [...parts];
        tampered[index] = flipped.toString("base64url");
        expect(caught(() => open(key, tampered.join("."), "c")).message).toMatch(
          /authentication failed|malformed/,
        );
      }
    }
  });

  it("refuses a forged key id (bound in the AAD) even when the real key is in the ring", () => {
    const sealed = seal(key, "secret", "c").split(".");
    const forgedKey = secretKeyFromBytes(key.key, "same bytes");
    const forged = [sealed[0], other.id, ...sealed.slice(2)].join(".");
    expect(caught(() => open([{ ...forgedKey, id: other.id }], forged, "c")).message).toMatch(
      /authentication failed/,
    );
  });

  it("reports truncated and malformed envelopes clearly", () => {
    const sealed = seal(key, "a secret", "c");
    const cases = [
      "",
      "v2.x.y.z.w",
      sealed.slice(0, sealed.lastIndexOf(".")),
      sealed.slice(0, -5),
      sealed.replace(/^v1\.[0-9a-f]{16}/, "v1.zzzz"),
      `${sealed}.extra`,
      sealed.replace(/\.([A-Za-z0-9_-]+)\./, ".!!!."),
      "v1." + "a".repeat(2_000_000),
      42 as unknown as string,
    ];
    for (const bad of cases) {
      const err = caught(() => open(key, bad, "c"));
      expect(err, String(bad).slice(0, 30)).toMatchObject({ code: ErrorCodes.SECRET });
      expect(err.message).toMatch(/^Cannot decrypt the encrypted data of c: /);
      expect(err.message.length).toBeLessThan(400);
    }
  });
});
