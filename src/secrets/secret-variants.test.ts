import { describe, expect, it } from "vitest";
import { ErrorCodes } from "../spec/errors.js";
import { maskableSecret, MIN_SECRET_LENGTH, secretVariants } from "./secret-variants.js";

describe("secretVariants", () => {
  it("includes the raw, base64 (three alignments), base64url, URL and JSON forms", () => {
    const secret = "pa ss/w+rd?é";
    const variants = secretVariants(secret);
    expect(variants[0]).toBe(secret);
    expect(variants).toContain(encodeURIComponent(secret));
    expect(variants).toContain(encodeURIComponent(secret).replace(/%20/g, "+"));
    expect(variants).toContain("pa ss/w+rd?\\u00e9");
    const bytes = Buffer.from(secret);
    // Whatever precedes the secret in a base64 blob, one variant occurs in the encoding.
    for (const prefix of ["", "u", "us", "use", "user:"]) {
      const blob = Buffer.concat([Buffer.from(prefix), bytes, Buffer.from("tail")]);
      expect(
        variants.some((v) => blob.toString("base64").includes(v)),
        prefix,
      ).toBe(true);
      expect(
        variants.some((v) => blob.toString("base64url").includes(v)),
        prefix,
      ).toBe(true);
    }
    expect(new Set(variants).size).toBe(variants.length);
    expect(variants.every((v) => v.length >= MIN_SECRET_LENGTH)).toBe(true);
  });
});

describe("maskableSecret", () => {
  it("ignores empty values and refuses short and huge ones without echoing them", () => {
    expect(maskableSecret("")).toBeUndefined();
    expect(maskableSecret("12345678")).toBe("12345678");
    for (const bad of ["a", "1234567", "x".repeat(70_000)]) {
      let err: unknown;
      try {
        maskableSecret(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: ErrorCodes.VALIDATION });
      if (bad.length > 1) expect((err as Error).message).not.toContain(bad);
    }
  });
});
