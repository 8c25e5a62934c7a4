/** End-to-end: `updraft run` grants connections from the vault of its store, masked in logs and outputs. */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionVault } from "../src/secrets/connection-vault.js";
import { generateSecretKey } from "../src/secrets/key-rotation.js";
import { KEY_FILE_NAME, loadOrCreateKeyFile, type SecretKey } from "../src/secrets/secret-key.js";
import { secretVariants } from "../src/secrets/secret-variants.js";
import { SqliteConnectionStore } from "../src/secrets/sqlite-connection-store.js";
import { cliSandbox, type CliSandbox } from "./cli-helpers.js";

let box: CliSandbox | undefined;
afterEach(() => box?.cleanup());

/** Saves connection `warehouse` (secret `password`) into the SQLite file `updraft run` will use. */
async function createConnection(dbPath: string, key: SecretKey, password: string): Promise<void> {
  const store = SqliteConnectionStore.open(dbPath);
  try {
    await new ConnectionVault(store, key).save({
      name: "warehouse",
      type: "postgres",
      fields: { host: "db.internal", password },
      secretFields: ["password"],
    });
  } finally {
    await store.close();
  }
}

const WORKFLOW = `
name: conn-cli
tasks:
  query:
    type: shell
    connections: [warehouse]
    outputs: [host, sha, leak]
    command: |
      echo "host=$UPDRAFT_CONN_WAREHOUSE_HOST" >> "$UPDRAFT_OUTPUTS"
      echo "sha=$(printf %s "$UPDRAFT_CONN_WAREHOUSE_PASSWORD" | sha256sum | cut -d' ' -f1)" >> "$UPDRAFT_OUTPUTS"
      echo "leak=pw:$UPDRAFT_CONN_WAREHOUSE_PASSWORD" >> "$UPDRAFT_OUTPUTS"
      echo "connecting with $UPDRAFT_CONN_WAREHOUSE_PASSWORD"
      printf %s "$UPDRAFT_CONN_WAREHOUSE_PASSWORD" | base64 -w0; echo
`;

interface RunJson {
  id: string;
  state: string;
  tasks: Record<string, { outputs: Record<string, unknown>; error: { message: string } | null }>;
}

function expectMasked(text: string, password: string): void {
  for (const v of secretVariants(password)) expect(text).not.toContain(v);
}

describe("updraft run with connections", () => {
  it("opens the vault with UPDRAFT_SECRET_KEY and masks the secret everywhere", async () => {
    box = cliSandbox("updraft-conn-run-");
    const dataDir = box.env["UPDRAFT_DATA_DIR"]!;
    const key = generateSecretKey();
    const password = `pw ${randomBytes(10).toString("base64")}`;
    await createConnection(join(dataDir, "updraft.db"), key, password);
    box.env["UPDRAFT_SECRET_KEY"] = key.key.toString("base64");
    const wf = box.file("wf.yaml", WORKFLOW);
    const r = box.updraft(["run", wf, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as RunJson;
    expect(run.tasks["query"]?.outputs).toEqual({
      host: "db.internal",
      sha: createHash("sha256").update(password).digest("hex"),
      leak: "pw:***",
    });
    const log = readFileSync(join(dataDir, "runs", run.id, "query", "1", "log.txt"), "utf8");
    expect(log).toContain("connecting with ***\n");
    expectMasked(log, password);
    expectMasked(r.stdout + r.stderr, password);
    // The key came from the environment: no key file was created.
    expect(existsSync(join(dataDir, KEY_FILE_NAME))).toBe(false);
  });

  it("uses the data directory's key file, and names an unknown connection", async () => {
    box = cliSandbox("updraft-conn-run-");
    const dataDir = box.env["UPDRAFT_DATA_DIR"]!;
    const password = `pw-${randomBytes(10).toString("hex")}`;
    await createConnection(join(dataDir, "updraft.db"), loadOrCreateKeyFile(dataDir), password);
    const ok = box.updraft(["run", box.file("wf.yaml", WORKFLOW), "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as RunJson).tasks["query"]?.outputs["leak"]).toBe("pw:***");

    const bad = box.updraft([
      "run",
      box.file("bad.yaml", WORKFLOW.replace("[warehouse]", "[warehouse, billing]")),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /query: task query cannot be granted connections warehouse, billing: Unknown connection billing/,
    );
  });

  it("does not touch key material for a workflow without connections", () => {
    box = cliSandbox("updraft-conn-run-");
    const wf = box.file(
      "plain.yaml",
      "name: plain\ntasks:\n  a: { type: shell, command: 'true' }\n",
    );
    const r = box.updraft(["run", wf]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(box.env["UPDRAFT_DATA_DIR"]!, KEY_FILE_NAME))).toBe(false);
  });
});
