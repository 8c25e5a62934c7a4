import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogSink } from "../tasks/types.js";
import { connectionEnv } from "./connection-env.js";
import { ConnectionVault } from "./connection-vault.js";
import { MaskingLogSink } from "./masking-log-sink.js";
import { loadOrCreateKeyFile } from "./secret-key.js";
import { SqliteConnectionStore } from "./sqlite-connection-store.js";

let dir: string;
let store: SqliteConnectionStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "updraft-masked-"));
  store = SqliteConnectionStore.open(join(dir, "updraft.db"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a shell script with `env`, its stdout and stderr through `sink`. */
function runShell(
  script: string,
  env: Record<string, string>,
  sink: LogSink,
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", script], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    });
    child.stdout.on("data", (chunk: Buffer) => sink.write(chunk));
    child.stderr.on("data", (chunk: Buffer) => sink.write(chunk));
    child.on("error", reject);
    child.on("close", resolve);
  });
}

describe("a granted connection in a real process", () => {
  it("reaches the process as environment variables and never reaches the log", async () => {
    const vault = new ConnectionVault(store, loadOrCreateKeyFile(dir));
    const password = `pw-${randomBytes(12).toString("base64url")}`;
    await vault.save({
      name: "warehouse",
      type: "postgres",
      fields: { host: "db.internal", user: "etl", password },
      secretFields: ["password"],
    });
    const grant = connectionEnv(await vault.resolve(["warehouse"]));
    const log: Buffer[] = [];
    const sink = new MaskingLogSink({ write: (c) => void log.push(Buffer.from(c)) }, grant.secrets);
    const script = [
      'echo "host=$UPDRAFT_CONN_WAREHOUSE_HOST user=$UPDRAFT_CONN_WAREHOUSE_USER"',
      'echo "password=$UPDRAFT_CONN_WAREHOUSE_PASSWORD"',
      'echo "$UPDRAFT_CONN_WAREHOUSE"',
      'printf %s "$UPDRAFT_CONN_WAREHOUSE_PASSWORD" | base64',
      'printf "etl:%s" "$UPDRAFT_CONN_WAREHOUSE_PASSWORD" | base64',
      // One character at a time, as a slow writer would.
      'p="$UPDRAFT_CONN_WAREHOUSE_PASSWORD"; while [ -n "$p" ]; do rest="${p#?}"; printf %s "${p%"$rest"}"; p="$rest"; done; echo',
      'echo "to stderr: $UPDRAFT_CONN_WAREHOUSE_PASSWORD" >&2',
    ].join("\n");
    expect(await runShell(script, grant.env, sink)).toBe(0);
    sink.flush();
    const text = Buffer.concat(log).toString("utf8");
    expect(text).toContain("host=db.internal user=etl");
    expect(text).toContain("password=***");
    expect(text).toContain('"password":"***"');
    expect(text).not.toContain(password);
    expect(text).not.toContain(Buffer.from(password).toString("base64").slice(0, 16));
    expect(text).not.toContain(Buffer.from(`etl:${password}`).toString("base64").slice(8, 24));
    const lines = text.split("\n");
    // Of the base64 lines only the characters that mix in other bytes remain.
    expect(lines[3]).toMatch(/^\*\*\*.?=*$/);
    expect(lines[4]).toMatch(/^ZXRsO.?\*\*\*.?=*$/);
    expect(lines[5]).toBe("***");
    expect(lines[6]).toBe("to stderr: ***");
  });
});
