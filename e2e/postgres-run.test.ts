/**
 * `updraft run` and `updraft serve` with `--db postgres://...` through the real bin/updraft,
 * reading back from the real PostgreSQL what the process wrote.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresStore } from "../src/store/postgres-store.js";
import { loginToken, TEST_ADMIN_PASSWORD } from "./server-helpers.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "updraft");
const HELLO = join(ROOT, "examples", "hello", "hello.yaml");
const PG_URL = process.env["UPDRAFT_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
const SCHEMA = `updraft_e2e_${process.pid}`;
const DB = `${PG_URL}?schema=${SCHEMA}`;
const work = mkdtempSync(join(tmpdir(), "updraft-pg-e2e-"));

const ENV = {
  PATH: process.env["PATH"] ?? "/usr/bin:/bin",
  HOME: work,
  UPDRAFT_PYTHON: process.env["UPDRAFT_PYTHON"] ?? "/usr/bin/python3",
  UPDRAFT_DATA_DIR: join(work, "data"),
  UPDRAFT_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
};

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  const c = new pg.Client(PG_URL);
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await c.end();
});

function updraft(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(BIN, args, {
    env: { ...ENV, ...env },
    encoding: "utf8",
    cwd: work,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface PrintedRun {
  id: string;
  workflow: string;
  version: number;
  state: string;
  tasks: Record<string, { state: string; outputs: Record<string, unknown> }>;
}

describe("updraft backfill --db postgres://", () => {
  it("creates one run per interval in PostgreSQL and skips them on a second pass", async () => {
    const daily = join(ROOT, "examples", "daily-partition", "daily-partition.yaml");
    const args = ["backfill", daily, "--from", "2024-02-01", "--to", "2024-02-03", "--db", DB];
    const r = updraft([...args, "-p", "events_per_day", "50", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const runs = JSON.parse(r.stdout) as { id: string; state: string }[];
    expect(runs.map((x) => x.state)).toEqual(["succeeded", "succeeded", "succeeded"]);
    const store = await PostgresStore.open(DB);
    try {
      const stored = await store.listRuns({ workflow: "daily-partition" });
      expect(stored.map((x) => x.logicalDate).sort()).toEqual([
        "2024-02-01T03:00:00.000Z",
        "2024-02-02T03:00:00.000Z",
        "2024-02-03T03:00:00.000Z",
      ]);
      expect(new Set(stored.map((x) => x.trigger))).toEqual(new Set(["backfill"]));
    } finally {
      await store.close();
    }
    const again = updraft(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("0 run(s), 3 skipped");
  });
});

describe("updraft run --db postgres://", () => {
  it("runs hello and leaves the run, its tasks and attempts in PostgreSQL", async () => {
    const r = updraft(["run", HELLO, "--db", DB, "-p", "who", "Ada", "--json"]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as PrintedRun;
    expect(printed).toMatchObject({ workflow: "hello", version: 1, state: "succeeded" });

    const store = await PostgresStore.open(DB);
    try {
      const run = await store.getRun(printed.id);
      expect(run).toMatchObject({
        id: printed.id,
        workflow: "hello",
        version: 1,
        state: "succeeded",
        params: { who: "Ada", times: 2, min_words: 3 },
        trigger: "manual",
      });
      const tasks = Object.fromEntries(run!.tasks.map((t) => [t.taskId, t]));
      expect(Object.keys(tasks).sort()).toEqual(Object.keys(printed.tasks).sort());
      for (const [id, t] of Object.entries(printed.tasks)) {
        expect(tasks[id]?.state).toBe(t.state);
        expect(tasks[id]?.outputs).toEqual(t.outputs);
      }
      expect(tasks["greet"]?.outputs["greeting"]).toMatch(/Hello, Ada!/);
      const attempts = await store.listAttempts(printed.id, "greet");
      expect(attempts).toMatchObject([
        {
          attempt: 1,
          state: "succeeded",
          exitCode: 0,
          logPath: `runs/${printed.id}/greet/1/log.txt`,
        },
      ]);
      const wf = await store.getWorkflow("hello");
      expect(wf?.source).toBe(HELLO);
      expect(Object.keys(wf!.document["tasks"] as object)).toEqual([
        "greet",
        "count",
        "long_enough",
        "celebrate",
      ]);
    } finally {
      await store.close();
    }
    // A second run of the same file reuses the stored version; UPDRAFT_DB works as --db.
    const again = updraft(["run", HELLO, "--json"], { UPDRAFT_DB: DB });
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as PrintedRun).version).toBe(1);
  });

  it("reports an unreachable server in one sentence, without the password or a stack trace", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    await new Promise<void>((r) => server.close(() => r()));
    const r = updraft(["run", HELLO, "--db", `postgres://postgres:s3cret@127.0.0.1:${port}/test`]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^updraft: Cannot open the Updraft database at postgres://postgres@127\\.0\\.0\\.1:${port}/test`,
        "m",
      ),
    );
    expect(r.stderr).not.toContain("s3cret");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses an unknown kind of --db as a usage error", () => {
    const r = updraft(["run", HELLO, "--db", "mysql://root:s3cret@127.0.0.1/db"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^updraft: --db mysql: is not a store/m);
    expect(r.stderr).not.toContain("s3cret");
  });
});

describe("updraft serve --db postgres://", () => {
  it("keeps the loaded workflows and a run triggered over HTTP in PostgreSQL", async () => {
    const child = spawn(
      BIN,
      ["serve", "--port", "0", "--db", DB, "--examples", join(ROOT, "examples")],
      { env: ENV, cwd: work },
    );
    let stderr = "";
    let runId = "";
    const exited = new Promise<number | null>((r) => child.once("exit", r));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on("data", (d: Buffer) => {
          stderr += d.toString();
          const m = /Updraft serving on (\S+)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
      });
      // An answer means the server is past start-up, signal handlers included.
      const health = await fetch(`${url}/api/v1/health`);
      expect(health.status).toBe(200);
      const auth = { authorization: `Bearer ${await loginToken(url)}` };
      const created = await fetch(`${url}/api/v1/workflows/hello/runs`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ params: { who: "O'Brien \"; DROP TABLE runs; --" } }),
      });
      expect(created.status).toBe(201);
      runId = ((await created.json()) as { id: string }).id;
      let state = "";
      // Paced by the run's progress, not by a time limit (the test timeout is the limit).
      while (!["succeeded", "failed", "cancelled"].includes(state)) {
        await new Promise((r) => setTimeout(r, 100));
        const got = await fetch(`${url}/api/v1/runs/${runId}`, { headers: auth });
        state = ((await got.json()) as { state: string }).state;
      }
      expect(state).toBe("succeeded");
    } finally {
      child.kill("SIGTERM");
    }
    // A clean stop: runs cancelled, pending writes committed, the store closed.
    expect(await exited, stderr).toBe(0);
    expect(stderr).not.toMatch(/\n\s+at /);
    const store = await PostgresStore.open(DB);
    try {
      const names = (await store.listWorkflows()).map((w) => w.name);
      expect(names).toEqual(expect.arrayContaining(["hello"]));
      const run = await store.getRun(runId);
      expect(run).toMatchObject({ workflow: "hello", state: "succeeded" });
      expect(run?.params["who"]).toBe(`O'Brien "; DROP TABLE runs; --`);
      expect(run?.tasks.find((t) => t.taskId === "greet")?.outputs["greeting"]).toContain(
        `Hello, O'Brien "; DROP TABLE runs; --!`,
      );
    } finally {
      await store.close();
    }
  });
});
