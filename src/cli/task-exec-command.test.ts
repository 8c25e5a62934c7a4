/**
 * A real `updraft task exec` process (this checkout's sources through tsx, so dist/ need not
 * be rebuilt) given connections in UPDRAFT_CONN_* variables, as the Airflow operator runs it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MAIN = join(ROOT, "src", "cli", "main.ts");
const tmp = mkdtempSync(join(tmpdir(), "updraft-task-exec-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PASSWORD = "s3cr3t-Pa55word/+=";
const TOKEN = "tok_abcdefghijklmnop";
// What the operator sets for the Airflow connection `warehouse`.
const WAREHOUSE = {
  name: "warehouse",
  type: "postgres",
  host: "db.internal",
  login: "etl",
  password: PASSWORD,
  api_token: TOKEN,
  secretFields: ["password", "api_token"],
};

function taskExec(
  command: string,
  connections: string[],
  extraEnv: Record<string, string>,
  task: Record<string, unknown> = { type: "shell", command, outputs: ["dsn", "token"] },
) {
  const input = {
    workflow: "nightly",
    runId: "scheduled__2024-05-01T02:00:00+00:00",
    taskId: "export",
    attempt: 1,
    task: { ...task, connections },
    params: {},
    baseDir: tmp,
  };
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", MAIN, "task", "exec", "--work-dir", join(tmp, "work")],
    {
      cwd: ROOT,
      input: JSON.stringify(input),
      encoding: "utf8",
      timeout: 60_000,
      env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: tmp, ...extraEnv },
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SCRIPT = [
  'echo "pw=$UPDRAFT_CONN_WAREHOUSE_PASSWORD login=$UPDRAFT_CONN_WAREHOUSE_LOGIN"',
  'printf "%s" "$UPDRAFT_CONN_WAREHOUSE_PASSWORD" | base64',
  // The secret a byte per write: masked all the same.
  'printf "%s\\n" "$UPDRAFT_CONN_WAREHOUSE_PASSWORD" | fold -w1 | while read -r c; do printf "%s" "$c"; done; echo',
  'echo "json=$UPDRAFT_CONN_WAREHOUSE"',
  'echo "other=${UPDRAFT_CONN_OTHER:-unset} key=${UPDRAFT_SECRET_KEY:-unset}"',
  'echo "dsn=postgres://etl:$UPDRAFT_CONN_WAREHOUSE_PASSWORD@db" >> "$UPDRAFT_OUTPUTS"',
  'echo "token=$UPDRAFT_CONN_WAREHOUSE_API_TOKEN" >> "$UPDRAFT_OUTPUTS"',
].join("\n");

describe("updraft task exec with connections", () => {
  it("gives the task the engine's variables and masks the secrets in its log and outputs", () => {
    const r = taskExec(SCRIPT, ["warehouse"], {
      UPDRAFT_CONN_WAREHOUSE: JSON.stringify(WAREHOUSE),
      UPDRAFT_CONN_WAREHOUSE_PASSWORD: PASSWORD,
      UPDRAFT_CONN_OTHER: JSON.stringify({ name: "other", type: "http", host: "x" }),
      UPDRAFT_SECRET_KEY: "not-for-tasks",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("pw=*** login=etl");
    expect(r.stderr).not.toContain(PASSWORD);
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stderr).not.toContain(Buffer.from(PASSWORD).toString("base64"));
    // The JSON variable is the engine's: no secretFields, secrets masked in the log.
    const json = /json=(.*)/.exec(r.stderr)?.[1] ?? "";
    expect(JSON.parse(json)).toEqual({
      name: "warehouse",
      type: "postgres",
      host: "db.internal",
      login: "etl",
      password: "***",
      api_token: "***",
    });
    // Only the named connections, and never the vault key.
    expect(r.stderr).toContain("other=unset key=unset");
    expect(JSON.parse(r.stdout)).toEqual({
      outputs: { dsn: "postgres://etl:***@db", token: "***" },
      notebook: null,
    });
    const outputsFile = join(
      tmp,
      "work",
      "runs",
      "scheduled__2024-05-01T02:00:00+00:00",
      "export",
      "1",
      "outputs.txt",
    );
    const written = readFileSync(outputsFile, "utf8");
    expect(written).toContain("postgres://etl:***@db");
    expect(written).not.toContain(PASSWORD);
  });

  it("gives a notebook's kernel the variables and saves the executed notebook masked", () => {
    const notebook = {
      cells: [
        {
          cell_type: "code",
          metadata: {},
          source:
            "import json, os\nconn = json.loads(os.environ['UPDRAFT_CONN_WAREHOUSE'])\nprint(conn['password'], sorted(conn))\nleak = conn['password']",
          outputs: [],
          execution_count: null,
        },
      ],
      metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    writeFileSync(join(tmp, "leak.ipynb"), JSON.stringify(notebook));
    const r = taskExec(
      "",
      ["warehouse"],
      { UPDRAFT_CONN_WAREHOUSE: JSON.stringify(WAREHOUSE) },
      { type: "notebook", notebook: "leak.ipynb", outputs: ["leak"] },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { outputs: { leak: string }; notebook: string };
    expect(out.outputs.leak).toBe("***");
    const saved = readFileSync(out.notebook, "utf8");
    expect(saved).not.toContain(PASSWORD);
    // The kernel saw the engine's JSON: no secretFields key.
    expect(saved).toContain("*** ['api_token', 'host', 'login', 'name', 'password', 'type']");
  });

  it("fails before running anything when a connection's variable is missing", () => {
    const r = taskExec("echo ran", ["warehouse", "lake"], {
      UPDRAFT_CONN_WAREHOUSE: JSON.stringify(WAREHOUSE),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/names connection lake, but UPDRAFT_CONN_LAKE is not set/);
    expect(r.stderr).not.toContain("ran");
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("refuses a malformed connection variable without printing its value", () => {
    const r = taskExec("echo ran", ["warehouse"], {
      UPDRAFT_CONN_WAREHOUSE: JSON.stringify({ ...WAREHOUSE, password: "short" }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/connection warehouse: UPDRAFT_CONN_WAREHOUSE is not a valid/);
    expect(r.stderr).toMatch(/at least 8 characters/);
    expect(r.stderr).not.toContain("short");
  });
});
