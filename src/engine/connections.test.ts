import { createHash, randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionVault } from "../secrets/connection-vault.js";
import { loadOrCreateKeyFile } from "../secrets/secret-key.js";
import { secretVariants } from "../secrets/secret-variants.js";
import { SqliteConnectionStore } from "../secrets/sqlite-connection-store.js";
import type { RunWithTasks, Store, TaskRecord } from "../store/types.js";
import { cleanupTestEngines, makeTestEngine } from "./test-engine.js";

afterEach(cleanupTestEngines);

/** A password with characters that base64, URL and JSON encodings all change. */
function newPassword(): string {
  return `S3cr/t p@ss+w=rd-${randomBytes(9).toString("hex")}`;
}

/** An engine whose resolver is a real vault on an SQLite file with a key file, holding `warehouse`. */
async function setup(
  password: string,
  opts: { vault?: boolean; baseEnv?: NodeJS.ProcessEnv } = {},
) {
  const holder: { vault?: ConnectionVault } = {};
  const resolver = {
    resolve: (names: readonly string[]) => holder.vault!.resolve(names),
  };
  const t = makeTestEngine("updraft-conn-", {
    ...(opts.vault === false ? {} : { connections: resolver }),
    baseEnv: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", ...opts.baseEnv },
  });
  const store = SqliteConnectionStore.open(join(t.dir, "updraft.db"));
  t.beforeShutdown(() => store.close());
  const vault = new ConnectionVault(store, loadOrCreateKeyFile(t.dir));
  holder.vault = vault;
  await vault.save({
    name: "warehouse",
    type: "postgres",
    fields: { host: "db.internal", user: "etl", password },
    secretFields: ["password"],
  });
  return { ...t, vault, connectionStore: store };
}

function task(run: RunWithTasks, id: string): TaskRecord {
  const found = run.tasks.find((x) => x.taskId === id);
  if (!found) throw new Error(`no task ${id}`);
  return found;
}

/** The log file of the last attempt of a task, as on disk. */
async function logOf(store: Store, dir: string, run: RunWithTasks, id: string): Promise<string> {
  const last = (await store.listAttempts(run.id, id)).at(-1);
  if (!last?.logPath) throw new Error(`no log for ${id}`);
  return readFileSync(join(dir, last.logPath), "utf8");
}

function expectNoSecret(text: string, password: string): void {
  for (const variant of secretVariants(password)) expect(text).not.toContain(variant);
}

const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

describe("connections granted to tasks", () => {
  it("reach a shell task as variables; every form of the secret is masked in log and outputs", async () => {
    const password = newPassword();
    const { run, store, dir } = await setup(password, {
      // Inherited connection variables and the vault key never reach a task.
      baseEnv: { UPDRAFT_CONN_STALE: "inherited", UPDRAFT_SECRET_KEY: "k".repeat(44) },
    });
    const r = await run(`
name: conn-shell
tasks:
  use:
    type: shell
    connections: [warehouse]
    outputs: [host, user, pw_sha, json_sha, run_id, stale, key, dsn, leak, blob]
    command: |
      PW="$UPDRAFT_CONN_WAREHOUSE_PASSWORD"
      echo "host=$UPDRAFT_CONN_WAREHOUSE_HOST" >> "$UPDRAFT_OUTPUTS"
      echo "user=$UPDRAFT_CONN_WAREHOUSE_USER" >> "$UPDRAFT_OUTPUTS"
      echo "pw_sha=$(printf %s "$PW" | sha256sum | cut -d' ' -f1)" >> "$UPDRAFT_OUTPUTS"
      echo "json_sha=$(printf %s "$UPDRAFT_CONN_WAREHOUSE" | sha256sum | cut -d' ' -f1)" >> "$UPDRAFT_OUTPUTS"
      echo "run_id=$UPDRAFT_RUN_ID" >> "$UPDRAFT_OUTPUTS"
      echo "stale=\${UPDRAFT_CONN_STALE:-unset}" >> "$UPDRAFT_OUTPUTS"
      echo "key=\${UPDRAFT_SECRET_KEY:-unset}" >> "$UPDRAFT_OUTPUTS"
      echo "dsn=postgres://etl:$PW@db.internal/x" >> "$UPDRAFT_OUTPUTS"
      echo "leak=$PW" >> "$UPDRAFT_OUTPUTS"
      printf '{"blob": {"token": "%s", "list": ["%s", 1]}}\\n' "$PW" "$PW" >> "$UPDRAFT_OUTPUTS"
      echo "plain: $PW"
      echo "json: $UPDRAFT_CONN_WAREHOUSE"
      printf 'split: %s' "$(printf %s "$PW" | cut -c1-5)"; sleep 0.3
      printf %s "$(printf %s "$PW" | cut -c6-12)"; sleep 0.3
      printf '%s\\n' "$(printf %s "$PW" | cut -c13-)"
      echo "stderr: $PW" >&2; sleep 0.2
      printf 'b64: '; printf %s "$PW" | base64 -w0; echo
      printf 'basic: '; printf 'etl:%s' "$PW" | base64 -w0; echo
      printf 'url: '; /usr/bin/python3 -c 'import os, urllib.parse as u; p = os.environ["UPDRAFT_CONN_WAREHOUSE_PASSWORD"]; print(u.quote(p, safe=""), u.quote_plus(p))'
      echo done
`);
    expect(r.state).toBe("succeeded");
    const outputs = task(r, "use").outputs;
    expect(outputs).toMatchObject({
      host: "db.internal",
      user: "etl",
      pw_sha: sha256(password),
      json_sha: sha256(
        JSON.stringify({
          name: "warehouse",
          type: "postgres",
          host: "db.internal",
          user: "etl",
          password,
        }),
      ),
      run_id: r.id,
      stale: "unset",
      key: "unset",
      dsn: "postgres://etl:***@db.internal/x",
      leak: "***",
      blob: { token: "***", list: ["***", 1] },
    });
    expectNoSecret(JSON.stringify(outputs), password);
    const log = await logOf(store, dir, r, "use");
    expectNoSecret(log, password);
    expect(log).toContain("plain: ***\n");
    expect(log).toContain('"password":"***"');
    expect(log).toContain("split: ***\n");
    expect(log).toContain("stderr: ***\n");
    expect(log).toMatch(/^b64: \*\*\*.?.?=*$/m);
    expect(log).toMatch(/^url: \*\*\* \*\*\*$/m);
    expect(log).toContain("done\n");
    // What the store holds (and the API would show) is masked as well, and so is the raw outputs file.
    expectNoSecret(JSON.stringify(await store.getRun(r.id)), password);
    const outputsFile = readFileSync(join(dir, "runs", r.id, "use", "1", "outputs.txt"), "utf8");
    expect(outputsFile).toContain("leak=***\n");
    expectNoSecret(outputsFile, password);
  });

  it("pass masked outputs downstream, and tasks without the grant see no connection", async () => {
    const password = newPassword();
    const { run } = await setup(password);
    const r = await run(`
name: conn-downstream
tasks:
  up:
    type: shell
    connections: [warehouse]
    command: 'echo "dsn=etl:$UPDRAFT_CONN_WAREHOUSE_PASSWORD" >> "$UPDRAFT_OUTPUTS"'
    outputs: [dsn]
  down:
    type: shell
    needs: [up]
    params: { dsn: "{{ tasks.up.outputs.dsn }}" }
    command: 'echo "got=$UPDRAFT_PARAM_DSN pw=\${UPDRAFT_CONN_WAREHOUSE_PASSWORD:-none}" >> "$UPDRAFT_OUTPUTS"'
    outputs: [got]
`);
    expect(r.state).toBe("succeeded");
    expect(task(r, "down").outputs).toEqual({ got: "etl:*** pw=none" });
  });

  it("masks a python task's prints, split writes and tracebacks", async () => {
    const password = newPassword();
    const { run, store, dir } = await setup(password);
    const r = await run(`
name: conn-python
tasks:
  py:
    type: python
    connections: [warehouse]
    outputs: [n]
    code: |
      import json, os, sys, time
      pw = os.environ["UPDRAFT_CONN_WAREHOUSE_PASSWORD"]
      conn = json.loads(os.environ["UPDRAFT_CONN_WAREHOUSE"])
      assert conn["password"] == pw and conn["type"] == "postgres", conn.keys()
      print("print:", pw, flush=True)
      for i in range(0, len(pw), 3):
          sys.stderr.write(pw[i:i + 3]); sys.stderr.flush(); time.sleep(0.05)
      sys.stderr.write("\\n")
      print(json.dumps({"pw": pw}), flush=True)
      with open(os.environ["UPDRAFT_OUTPUTS"], "a") as f:
          f.write("n=%d\\n" % len(pw))
      raise RuntimeError("cannot connect with " + pw)
`);
    expect(r.state).toBe("failed");
    const log = await logOf(store, dir, r, "py");
    expectNoSecret(log, password);
    expect(log).toContain("print: ***\n");
    expect(log).toContain('{"pw": "***"}');
    expect(log).toContain("RuntimeError: cannot connect with ***");
    expectNoSecret(JSON.stringify(task(r, "py").error), password);
  });

  it("fails an unknown connection at once, naming it, without retrying", async () => {
    const { run, store, dir } = await setup(newPassword());
    const r = await run(`
name: conn-unknown
tasks:
  a:
    type: shell
    command: "echo never > ran.txt"
    connections: [warehouse, wharehouse, nope]
    retries: 3
    retryDelay: 10ms
`);
    expect(r.state).toBe("failed");
    const a = task(r, "a");
    expect(a.attempts).toBe(1);
    expect(a.error?.code).toBe("E_CONNECTION");
    expect(a.error?.message).toMatch(
      /task a cannot be granted connections .*Unknown connections wharehouse, nope: an admin must create them first/,
    );
    expect(readdirSync(dir)).not.toContain("ran.txt");
    expect((await store.listAttempts(r.id, "a")).map((x) => x.state)).toEqual(["failed"]);
  });

  it("fails clearly when the engine has no connection resolver", async () => {
    const { run } = await setup(newPassword(), { vault: false });
    const r = await run(`
name: conn-novault
tasks:
  a: { type: shell, command: "true", connections: [warehouse], retries: 2, retryDelay: 10ms }
  b: { type: shell, command: "true" }
`);
    const a = task(r, "a");
    expect(a.state).toBe("failed");
    expect(a.attempts).toBe(1);
    expect(a.error).toEqual({
      code: "E_CONNECTION",
      message:
        "task a names connection warehouse, but this engine has no connection vault; run it with `updraft serve` or `updraft run`, which open the vault of their store",
    });
    expect(task(r, "b").state).toBe("succeeded");
  });

  it("retries when the vault's store fails (a transient error), then fails", async () => {
    const { run, connectionStore } = await setup(newPassword());
    await connectionStore.close();
    const r = await run(`
name: conn-store-down
tasks:
  a: { type: shell, command: "true", connections: [warehouse], retries: 1, retryDelay: 10ms }
`);
    const a = task(r, "a");
    expect(a.attempts).toBe(2);
    expect(a.error?.code).toBe("E_CONNECTION");
    expect(a.error?.message).toMatch(/cannot be granted connection warehouse: .*closed/);
  });

  it("flushes what the masker held back when an attempt times out", async () => {
    const password = newPassword();
    const { run, store, dir } = await setup(password);
    const r = await run(`
name: conn-timeout
tasks:
  slow:
    type: shell
    connections: [warehouse]
    timeout: 1s
    command: 'printf "x%s|%s" "$UPDRAFT_CONN_WAREHOUSE_PASSWORD" "$(printf %s "$UPDRAFT_CONN_WAREHOUSE_PASSWORD" | cut -c1-4)"; sleep 20'
`);
    expect(task(r, "slow").error?.code).toBe("E_TASK_TIMEOUT");
    const log = await logOf(store, dir, r, "slow");
    // The tail could have begun the secret, so it was held back until the attempt ended.
    expect(log).toBe(`x***|${password.slice(0, 4)}`);
  });
});
