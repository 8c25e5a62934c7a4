import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCodes } from "../spec/errors.js";
import { ConnectionVault } from "./connection-vault.js";
import { secretKeyFromBytes } from "./secret-key.js";
import { SqliteConnectionStore } from "./sqlite-connection-store.js";

const key = secretKeyFromBytes(randomBytes(32), "test key");
const warehouse = {
  name: "warehouse",
  type: "postgres",
  fields: { host: "db.internal", user: "etl", password: "correct-horse-battery" },
  secretFields: ["password"],
};
let dir: string;
let path: string;
let store: SqliteConnectionStore;
let now: number;
let vault: ConnectionVault;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "updraft-vault-"));
  path = join(dir, "updraft.db");
  store = SqliteConnectionStore.open(path);
  now = Date.parse("2026-06-01T00:00:00.000Z");
  vault = new ConnectionVault(store, key, { now: () => now });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Reads the raw row, as someone with a copy of the database file would. */
function rawRow(name: string): { envelope: string; key_id: string } {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT * FROM secret_connections WHERE name = ?").get(name) as {
      envelope: string;
      key_id: string;
    };
  } finally {
    db.close();
  }
}

describe("ConnectionVault on SQLite", () => {
  it("saves encrypted, reads back, lists without secrets, keeps createdAt on update, deletes", async () => {
    const summary = await vault.save(warehouse);
    expect(summary).toEqual({
      name: "warehouse",
      type: "postgres",
      fields: { host: "db.internal", user: "etl", password: null },
      secretFields: ["password"],
      createdAt: "2026-06-01T00:00:00.000Z",
      updatedAt: "2026-06-01T00:00:00.000Z",
    });
    const row = rawRow("warehouse");
    expect(row.key_id).toBe(key.id);
    expect(row.envelope).not.toContain("correct-horse");
    expect(row.envelope).not.toContain("db.internal");
    expect(await vault.get("warehouse")).toEqual(warehouse);
    expect(await vault.get("nope")).toBeUndefined();
    now += 1000;
    await vault.save({ ...warehouse, fields: { ...warehouse.fields, host: "db2" } });
    const [listed] = await vault.list();
    expect(listed).toMatchObject({
      fields: { host: "db2", password: null },
      createdAt: "2026-06-01T00:00:00.000Z",
      updatedAt: "2026-06-01T00:00:01.000Z",
    });
    expect(JSON.stringify(await vault.list())).not.toContain("correct-horse");
    expect(await vault.delete("warehouse")).toBe(true);
    expect(await vault.delete("warehouse")).toBe(false);
  });

  it("survives reopening the file", async () => {
    await vault.save(warehouse);
    await store.close();
    store = SqliteConnectionStore.open(path);
    expect(await new ConnectionVault(store, key).get("warehouse")).toEqual(warehouse);
  });

  it("resolves grants by name and names every unknown connection", async () => {
    await vault.save(warehouse);
    await vault.save({
      name: "lake",
      type: "s3",
      fields: { bucket: "b", secret_key: "AKIAsecretsecret" },
      secretFields: ["secret_key"],
    });
    expect((await vault.resolve(["lake", "warehouse", "lake"])).map((c) => c.name)).toEqual([
      "lake",
      "warehouse",
    ]);
    await expect(vault.resolve(["warehouse", "ghost", "phantom"])).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
      message: expect.stringContaining("ghost, phantom") as unknown,
    });
  });

  it("fails clearly with the wrong key, and lists the connection with its error instead of failing the listing", async () => {
    await vault.save(warehouse);
    const wrong = new ConnectionVault(
      store,
      secretKeyFromBytes(randomBytes(32), "UPDRAFT_SECRET_KEY"),
    );
    await expect(wrong.get("warehouse")).rejects.toMatchObject({
      code: ErrorCodes.SECRET,
      message: expect.stringContaining("another key") as unknown,
    });
    const [listed] = await wrong.list();
    expect(listed).toMatchObject({
      name: "warehouse",
      fields: {},
      error: expect.stringContaining("another key") as unknown,
    });
  });

  it("detects a tampered row, and an envelope copied onto another connection", async () => {
    await vault.save(warehouse);
    await vault.save({ ...warehouse, name: "other" });
    const db = new Database(path);
    const envelope = rawRow("warehouse").envelope;
    const parts = envelope.split(".");
    const body = Buffer.from(parts[3] ?? "", "base64url");
    body[0] = (body[0] ?? 0) ^ 0x80;
    parts[3] = body.toString("base64url");
    db.prepare("UPDATE secret_connections SET envelope = ? WHERE name = 'warehouse'").run(
      parts.join("."),
    );
    db.prepare("UPDATE secret_connections SET envelope = ? WHERE name = 'other'").run(envelope);
    db.prepare("INSERT INTO secret_connections VALUES ('cut', 'x', ?, ?, 'a', 'b')").run(
      key.id,
      envelope.slice(0, 30),
    );
    db.close();
    for (const name of ["warehouse", "other"])
      await expect(vault.get(name)).rejects.toMatchObject({
        code: ErrorCodes.SECRET,
        message: expect.stringContaining("authentication failed") as unknown,
      });
    await expect(vault.get("cut")).rejects.toMatchObject({
      code: ErrorCodes.SECRET,
      message: expect.stringContaining("malformed or truncated") as unknown,
    });
  });

  it("refuses invalid connections before storing anything", async () => {
    await expect(
      vault.save({ ...warehouse, fields: { ...warehouse.fields, password: "x" } }),
    ).rejects.toMatchObject({ code: ErrorCodes.VALIDATION });
    await expect(
      vault.save({ ...warehouse, name: "x'; DROP TABLE secret_connections; --" }),
    ).rejects.toMatchObject({ code: ErrorCodes.VALIDATION });
    expect(await vault.list()).toEqual([]);
  });

  it("reports a closed store and a file that is not a database as E_STORE", async () => {
    await store.close();
    await expect(vault.list()).rejects.toMatchObject({ code: ErrorCodes.STORE });
    expect(() => SqliteConnectionStore.open(dir)).toThrow(/Cannot open the connections table/);
    store = SqliteConnectionStore.open(path);
  });
});
