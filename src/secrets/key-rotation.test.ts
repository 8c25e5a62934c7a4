import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCodes } from "../spec/errors.js";
import { ConnectionVault } from "./connection-vault.js";
import { generateSecretKey, rotateConnectionKey, writeKeyFile } from "./key-rotation.js";
import { loadOrCreateKeyFile, parseSecretKey } from "./secret-key.js";
import { SqliteConnectionStore } from "./sqlite-connection-store.js";

let dir: string;
let store: SqliteConnectionStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "updraft-rotate-"));
  store = SqliteConnectionStore.open(join(dir, "updraft.db"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const conn = (name: string) => ({
  name,
  type: "http",
  fields: { url: "https://x", token: `token-of-${name}` },
  secretFields: ["token"],
});

describe("key rotation", () => {
  it("re-encrypts every connection under the new key; re-running is a no-op", async () => {
    const oldKey = loadOrCreateKeyFile(dir);
    const oldVault = new ConnectionVault(store, oldKey);
    for (const n of ["a", "b", "c"]) await oldVault.save(conn(n));
    const newKey = generateSecretKey();
    expect(await rotateConnectionKey(store, [oldKey], newKey)).toEqual({
      rotated: ["a", "b", "c"],
      unchanged: [],
      skippedConcurrent: [],
    });
    const newVault = new ConnectionVault(store, newKey);
    for (const n of ["a", "b", "c"]) expect(await newVault.get(n)).toEqual(conn(n));
    await expect(oldVault.get("a")).rejects.toMatchObject({ code: ErrorCodes.SECRET });
    expect(await rotateConnectionKey(store, [oldKey], newKey)).toEqual({
      rotated: [],
      unchanged: ["a", "b", "c"],
      skippedConcurrent: [],
    });
    // The key file is replaced atomically with mode 0600, and the new key loads from it.
    const path = writeKeyFile(dir, newKey);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(parseSecretKey(readFileSync(path, "utf8"), "f")).toEqual(newKey.key);
    expect(loadOrCreateKeyFile(dir).id).toBe(newKey.id);
  });

  it("finishes an interrupted rotation; a vault with the previous key reads both meanwhile", async () => {
    const k1 = generateSecretKey("k1");
    const k2 = generateSecretKey("k2");
    await new ConnectionVault(store, k1).save(conn("a"));
    await new ConnectionVault(store, k2).save(conn("b")); // already rotated before the "crash"
    const during = new ConnectionVault(store, k2, { previousKeys: [k1] });
    expect((await during.list()).map((c) => c.error)).toEqual([undefined, undefined]);
    expect(await rotateConnectionKey(store, [k1], k2)).toEqual({
      rotated: ["a"],
      unchanged: ["b"],
      skippedConcurrent: [],
    });
  });

  it("rotates what it can and names connections sealed with an unknown key", async () => {
    const k1 = generateSecretKey("k1");
    const stranger = generateSecretKey("stranger");
    await new ConnectionVault(store, k1).save(conn("a"));
    await new ConnectionVault(store, stranger).save(conn("z"));
    const k2 = generateSecretKey("k2");
    await expect(rotateConnectionKey(store, [k1], k2)).rejects.toMatchObject({
      code: ErrorCodes.SECRET,
      message: expect.stringMatching(
        /^Rotated 1 connection\(s\), but cannot decrypt 1: z \(/,
      ) as unknown,
      details: { rotated: ["a"] },
    });
  });

  it("never overwrites a connection changed during the rotation", async () => {
    const k1 = generateSecretKey("k1");
    await new ConnectionVault(store, k1).save(conn("a"));
    const stored = await store.getConnection("a");
    await new ConnectionVault(store, k1).save({
      ...conn("a"),
      fields: { url: "https://new", token: "a-newer-token" },
    });
    expect(await store.replaceEnvelope("a", stored?.envelope ?? "", "x", "y")).toBe(false);
    expect((await new ConnectionVault(store, k1).get("a"))?.fields.url).toBe("https://new");
  });
});
