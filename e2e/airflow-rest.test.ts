/**
 * `updraft airflow trigger` and `status`: the real CLI talking HTTP to a stand-in for
 * Airflow's REST API (Airflow itself cannot run here), for Airflow 2.x and 3.x, with
 * the failures a user meets: wrong password, unknown DAG, duplicate run id, a broken
 * or silent server. Every failure is one line of advice and a non-zero exit.
 */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  startTestAirflow,
  type TestAirflow,
  type TestAirflowOptions,
} from "../src/airflow/test-airflow-server.js";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "updraft");
const USERS = { ada: "pässword" };

const servers: TestAirflow[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(opts: Partial<TestAirflowOptions> = {}): Promise<TestAirflow> {
  const server = await startTestAirflow({
    api: "v1",
    users: USERS,
    dags: { hello: { tasks: ["greet", "shout"] } },
    ...opts,
  });
  servers.push(server);
  return server;
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Asynchronous: the stand-in server answers from this process's event loop.
function updraft(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((res, rej) => {
    const child = spawn(BIN, args, {
      cwd: ROOT,
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: process.env["HOME"] ?? "/root",
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", rej);
    child.on("close", (code) => res({ code, stdout, stderr }));
  });
}

function envOf(s: TestAirflow): Record<string, string> {
  return { AIRFLOW_URL: s.url, AIRFLOW_USERNAME: "ada", AIRFLOW_PASSWORD: USERS.ada };
}

function oneLineError(r: Result, pattern: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
  expect(r.stderr).not.toMatch(/internal error/);
}

describe("updraft airflow trigger", () => {
  it("triggers with params from --conf and -p, warns about a paused DAG, and unpauses on request", async () => {
    const s = await start();
    const r = await updraft(
      [
        "airflow",
        "trigger",
        "hello",
        "--conf",
        '{"x": 1, "who": "Bob"}',
        "-p",
        "who",
        "Ada",
        "-p",
        "n",
        "3",
        "-r",
        "v",
        "1.10",
        "--run-id",
        "r1",
      ],
      envOf(s),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("triggered run r1 of DAG hello (queued)\n");
    expect(r.stderr).toMatch(/DAG hello is paused in Airflow, so the run stays queued .*--unpause/);
    expect(r.stderr).toContain("follow it with: updraft airflow status hello r1");
    expect(s.runs("hello")[0]?.conf).toEqual({ x: 1, who: "Ada", n: 3, v: "1.10" });

    const u = await updraft(["airflow", "trigger", "hello", "--unpause", "--json"], envOf(s));
    expect(u.code, u.stderr).toBe(0);
    expect(u.stderr).toContain("unpaused DAG hello");
    expect(JSON.parse(u.stdout)).toMatchObject({ dagId: "hello", state: "queued", conf: {} });
    const again = await updraft(["airflow", "trigger", "hello"], envOf(s));
    expect(again.stderr).not.toMatch(/paused/);
  });

  it("works with Airflow 3: a JWT from /auth/token, logical_date in the body", async () => {
    const s = await start({ api: "v2" });
    const r = await updraft(["airflow", "trigger", "hello", "-p", "size", "0.5"], envOf(s));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^triggered run manual__\S+ of DAG hello \(queued\)\n$/);
    const post = s.requests.find((q) => q.method === "POST" && q.path.includes("dagRuns"));
    expect(post?.body).toEqual({ conf: { size: 0.5 }, logical_date: null });
    expect(post?.authorization).toMatch(/^Bearer /);
  });

  it("fails with advice and exit 1 on a wrong password, an unknown DAG or a duplicate run id", async () => {
    const s = await start();
    oneLineError(
      await updraft(["airflow", "trigger", "hello"], { ...envOf(s), AIRFLOW_PASSWORD: "wrong" }),
      /^updraft: Airflow refused the credentials \(401 Unauthorized\); set --username and --password/,
    );
    oneLineError(
      await updraft(["airflow", "trigger", "nope"], envOf(s)),
      /^updraft: Airflow has no DAG nope: deploy it \(updraft airflow deploy\)/,
    );
    expect((await updraft(["airflow", "trigger", "hello", "--run-id", "dup"], envOf(s))).code).toBe(
      0,
    );
    oneLineError(
      await updraft(["airflow", "trigger", "hello", "--run-id", "dup"], envOf(s)),
      /DAG hello already has a run with id dup; choose another --run-id \(409 Conflict/,
    );
    const v2 = await start({ api: "v2" });
    oneLineError(
      await updraft(["airflow", "trigger", "hello", "--api", "v2"], {
        ...envOf(v2),
        AIRFLOW_PASSWORD: "x",
      }),
      /refused the username or password \(POST \/auth\/token: 401/,
    );
  });

  it("fails on a broken or silent server with exit 1", async () => {
    const s = await start();
    s.failNext("/api/v1/dags/hello", {
      kind: "status",
      status: 503,
      body: '{"detail": "db down", "title": "Service Unavailable", "status": 503}',
    });
    oneLineError(
      await updraft(["airflow", "trigger", "hello"], envOf(s)),
      /Airflow failed to read DAG hello \(503 Service Unavailable: db down\); see the Airflow API server's log/,
    );
    s.failNext("/api/v1/dags/hello", { kind: "not-json" });
    oneLineError(await updraft(["airflow", "trigger", "hello"], envOf(s)), /not JSON/);
    s.failNext("/api/v1/dags/hello", {
      kind: "huge",
      bytes: 64 * 1024 * 1024,
      declareLength: false,
    });
    oneLineError(await updraft(["airflow", "trigger", "hello"], envOf(s)), /larger than 8 MiB/);
    s.failNext("/api/v1/dags/hello", { kind: "hang" });
    oneLineError(
      await updraft(["airflow", "trigger", "hello", "--timeout", "0.5"], envOf(s)),
      /did not answer GET .*\/api\/v1\/dags\/hello within 0\.5 s/,
    );
  });

  it("rejects bad usage with exit 2 before contacting Airflow", async () => {
    const s = await start();
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["airflow", "trigger", "hello"], {}, /no Airflow URL: pass --url or set AIRFLOW_URL/],
      [["airflow", "trigger", "hello", "--conf", "{nope"], envOf(s), /--conf is not JSON/],
      [["airflow", "trigger", "hello", "--conf", "[1]"], envOf(s), /--conf must be a JSON object/],
      [["airflow", "trigger", "hello", "-p", "x", "nan"], envOf(s), /has no nan; use -r/],
      [["airflow", "trigger", "../x"], envOf(s), /is not a DAG id/],
      [["airflow", "trigger", "hello", "--run-id", "a b"], envOf(s), /--run-id/],
      [["airflow", "status", "hello", "r\u001b[2J"], envOf(s), /RUN_ID takes/],
      [["airflow", "status", "hello", "--wait", "--interval", "-1"], envOf(s), /--interval/],
      [["airflow", "trigger", "hello", "--api", "v9"], envOf(s), /--api takes v1, v2 or auto/],
      [["airflow", "trigger", "hello", "--timeout", "soon"], envOf(s), /--timeout/],
      [["airflow", "trigger", "hello", "--url", "http://u:p@host"], {}, /not in the URL/],
      [
        ["airflow", "trigger", "hello"],
        { AIRFLOW_URL: s.url, AIRFLOW_USERNAME: "ada" },
        /needs a password/,
      ],
    ];
    for (const [args, env, pattern] of cases) {
      const r = await updraft(args, env);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(pattern);
    }
    expect(s.requests).toEqual([]);
  });
});

describe("updraft airflow status", () => {
  it("prints a run and its tasks, the latest run by default, or JSON", async () => {
    const s = await start();
    expect((await updraft(["airflow", "trigger", "hello", "--run-id", "r1"], envOf(s))).code).toBe(
      0,
    );
    s.setStates("hello", "r1", { greet: "success", shout: "running" }, "running");
    const r = await updraft(["airflow", "status", "hello", "r1"], envOf(s));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("run r1 of DAG hello: running (Airflow 2.9.3, API v1)");
    expect(lines[1]).toMatch(/^ {2}logical date \S+, started \S+$/);
    expect(lines[2]).toMatch(/^ {2}greet {2}success {2}try 1 {2}\S+ {2}\S+$/);
    expect(lines[3]).toMatch(/^ {2}shout {2}running {2}try 1 {2}\S+$/);
    expect(lines[4]).toBe("  1 success, 1 running");
    const latest = await updraft(["airflow", "status", "hello", "--json"], envOf(s));
    expect(JSON.parse(latest.stdout)).toMatchObject({
      runId: "r1",
      state: "running",
      airflow: { api: "v1", version: "2.9.3" },
      tasks: [
        { taskId: "greet", state: "success" },
        { taskId: "shout", state: "running" },
      ],
    });
  });

  it("--wait polls until the run ends; exit 0 iff it succeeded", async () => {
    const s = await start({ api: "v2" });
    expect((await updraft(["airflow", "trigger", "hello", "--run-id", "w"], envOf(s))).code).toBe(
      0,
    );
    const waiting = updraft(
      ["airflow", "status", "hello", "w", "--wait", "--interval", "0.05"],
      envOf(s),
    );
    // Finish the run once the CLI has polled it at least twice (no clock involved).
    await until(
      () => s.requests.filter((q) => q.path === "/api/v2/dags/hello/dagRuns/w").length >= 2,
    );
    s.setStates("hello", "w", { greet: "success", shout: "success" }, "success");
    const r = await waiting;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("run w: success");
    expect(r.stdout).toMatch(/^run w of DAG hello: success \(Airflow 3\.0\.2, API v2\)/);

    expect((await updraft(["airflow", "trigger", "hello", "--run-id", "f"], envOf(s))).code).toBe(
      0,
    );
    s.setStates("hello", "f", { greet: "failed", shout: "upstream_failed" }, "failed");
    const failed = await updraft(["airflow", "status", "hello", "f", "--wait"], envOf(s));
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("1 failed, 1 upstream_failed");
  });

  it("says when there is no run, or no such run", async () => {
    const s = await start();
    const none = await updraft(["airflow", "status", "hello"], envOf(s));
    oneLineError(
      none,
      /DAG hello has no runs in Airflow yet; start one with: updraft airflow trigger hello/,
    );
    oneLineError(
      await updraft(["airflow", "status", "hello", "zzz"], envOf(s)),
      /Airflow has no run zzz of DAG hello/,
    );
  });
});

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}
