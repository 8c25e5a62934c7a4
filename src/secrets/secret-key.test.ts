import { randomBytes } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCodes } from "../spec/errors.js";
import { keyId, loadOrCreateKeyFile, parseSecretKey, resolveSecretKey } from "./secret-key.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "updraft-key-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

describe("parseSecretKey", () => {
  const raw = randomBytes(32);
  it("accepts hex, base64 and base64url, with surrounding whitespace", () => {
    expect(parseSecretKey(raw.toString("hex"), "x")).toEqual(raw);
    expect(parseSecretKey(raw.toString("hex").toUpperCase(), "x")).toEqual(raw);
    expect(parseSecretKey(` ${raw.toString("base64")}\n`, "x")).toEqual(raw);
    expect(parseSecretKey(raw.toString("base64url"), "x")).toEqual(raw);
  });

  it("refuses wrong lengths and garbage with a message naming the source, never the value", () => {
    for (const bad of [
      "",
      "abc",
      randomBytes(16).toString("base64"),
      randomBytes(31).toString("hex"),
      randomBytes(33).toString("base64"),
      "z".repeat(64),
      "\u0000".repeat(44),
      "x".repeat(100_000),
    ]) {
      const err = caught(() => parseSecretKey(bad, "UPDRAFT_SECRET_KEY"));
      expect(err).toMatchObject({
        code: ErrorCodes.SECRET,
        message: expect.stringContaining("UPDRAFT_SECRET_KEY") as unknown,
      });
      if (bad.length > 8) expect((err as Error).message).not.toContain(bad);
    }
  });
});

describe("key files", () => {
  it("generates <dataDir>/secret.key with mode 0600 once, then reads the same key", () => {
    const data = join(dir, "data");
    const first = loadOrCreateKeyFile(data);
    expect(first.created).toBe(true);
    expect(first.source).toBe(join(data, "secret.key"));
    expect(statSync(first.source).mode & 0o777).toBe(0o600);
    expect(parseSecretKey(readFileSync(first.source, "utf8"), "file")).toEqual(first.key);
    const second = loadOrCreateKeyFile(data);
    expect(second).toEqual({ ...first, created: false });
    expect(first.id).toBe(keyId(first.key));
    expect(first.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it("prefers UPDRAFT_SECRET_KEY and then creates no file", () => {
    const raw = randomBytes(32);
    const key = resolveSecretKey(raw.toString("base64"), dir);
    expect(key).toMatchObject({ key: raw, source: "UPDRAFT_SECRET_KEY", created: false });
    expect(() => statSync(join(dir, "secret.key"))).toThrow();
    expect(resolveSecretKey("", dir).created).toBe(true);
    expect(caught(() => resolveSecretKey("not a key", dir))).toMatchObject({
      code: ErrorCodes.SECRET,
    });
  });

  it("refuses a key file readable by group or others, saying how to fix it", () => {
    const key = loadOrCreateKeyFile(dir);
    for (const mode of [0o644, 0o640, 0o604, 0o660, 0o606]) {
      chmodSync(key.source, mode);
      const err = caught(() => loadOrCreateKeyFile(dir));
      expect(err).toMatchObject({
        code: ErrorCodes.SECRET,
        message: expect.stringContaining(`chmod 600 ${key.source}`) as unknown,
      });
      expect((err as Error).message).toContain(`mode 0${mode.toString(8)}`);
    }
    chmodSync(key.source, 0o400);
    expect(loadOrCreateKeyFile(dir).key).toEqual(key.key);
  });

  it("refuses corrupt, empty, oversized and non-regular key files", () => {
    const path = join(dir, "secret.key");
    for (const content of ["", "garbage\n", "x".repeat(5000)]) {
      writeFileSync(path, content, { mode: 0o600 });
      chmodSync(path, 0o600);
      expect(caught(() => loadOrCreateKeyFile(dir))).toMatchObject({ code: ErrorCodes.SECRET });
    }
    rmSync(path);
    mkdirSync(path);
    expect(caught(() => loadOrCreateKeyFile(dir))).toMatchObject({
      code: ErrorCodes.SECRET,
      message: expect.stringContaining("not a regular file") as unknown,
    });
  });

  it("follows a symlink to a properly protected key (as secret mounts use) but checks the target's mode", () => {
    const target = join(dir, "mounted.key");
    writeFileSync(target, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
    const data = join(dir, "data");
    mkdirSync(data);
    symlinkSync(target, join(data, "secret.key"));
    expect(loadOrCreateKeyFile(data).created).toBe(false);
    chmodSync(target, 0o644);
    expect(caught(() => loadOrCreateKeyFile(data))).toMatchObject({ code: ErrorCodes.SECRET });
  });

  it("reports an unwritable data directory with advice", () => {
    const file = join(dir, "not-a-dir");
    writeFileSync(file, "");
    expect(caught(() => loadOrCreateKeyFile(join(file, "data")))).toMatchObject({
      code: ErrorCodes.SECRET,
      message: expect.stringContaining("set UPDRAFT_SECRET_KEY") as unknown,
    });
  });
});
