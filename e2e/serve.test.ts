/**
 * `updraft serve` end to end: the real engine, store and task processes behind the HTTP
 * server on 127.0.0.1, fed the shipped examples plus a few workflows made for the test.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../src/engine/run-view.js";
import {
  loginToken,
  sendRaw,
  spawnServe,
  startTestService,
  TEST_ADMIN_PASSWORD,
  type Answer,
  type SendOptions,
  type TestService,
} from "./server-helpers.js";

const ROOT = resolve(import.meta.dirname, "..");
const PYTHON = process.env["UPDRAFT_PYTHON"] ?? "python3";

interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

interface WorkflowSummary {
  name: string;
  version: number;
  tasks: number;
  schedule: string | null;
  params: Record<string, { type: string; default?: unknown }>;
}

let service: TestService;
let port: number;
let tmp: string;

// Every request is admin's unless a test sets its own authorization header.
const send = (method: string, path: string, opts: SendOptions = {}): Promise<Answer> =>
  sendRaw(port, method, path, { ...opts, headers: { ...service.auth, ...opts.headers } });

function postJson(path: string, body: unknown): Promise<Answer> {
  return send("POST", path, {
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
}

function expectError(a: Answer, status: number, code?: string): void {
  expect(a.status, a.text).toBe(status);
  expect(a.headers["content-type"]).toMatch(/^application\/json/);
  const body = a.json<ErrorBody>();
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "details", "message"]);
  expect(typeof body.error.message).toBe("string");
  if (code) expect(body.error.code).toBe(code);
}

async function waitForRun(id: string, done: (state: string) => boolean): Promise<RunView> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const a = await send("GET", `/api/v1/runs/${id}`);
    expect(a.status).toBe(200);
    const run = a.json<RunView>();
    if (done(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ended = (s: string) => ["succeeded", "failed", "cancelled"].includes(s);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "updraft-serve-"));
  const catalog = join(tmp, "workflows");
  cpSync(join(ROOT, "examples"), catalog, { recursive: true });
  writeFileSync(
    join(catalog, "xss.yaml"),
    [
      "name: xss-demo",
      "description: \"<script>alert('x')</script> & <b>bold</b>\"",
      "tasks:",
      "  nothing: { type: empty }",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(catalog, "slow.yaml"),
    ["name: slow", "tasks:", "  nap: { type: shell, command: sleep 30 }", ""].join("\n"),
  );
  writeFileSync(join(catalog, "broken.yaml"), "name: Not A Valid Name\ntasks: 3\n");
  service = await startTestService(tmp, { examples: catalog, python: PYTHON });
  port = service.port;
});

afterAll(async () => {
  await service?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe("updraft serve", () => {
  it("reports the broken file, skips it and announces itself", () => {
    expect(service.stderr()).toContain("broken.yaml");
    expect(service.stderr()).toContain(`Updraft serving on http://127.0.0.1:${port}`);
  });

  it("answers health", async () => {
    const a = await send("GET", "/api/v1/health");
    expect(a.status).toBe(200);
    expect(a.json()).toEqual({ status: "ok" });
  });

  it("lists the loaded workflows", async () => {
    const a = await send("GET", "/api/v1/workflows");
    expect(a.status).toBe(200);
    const { workflows } = a.json<{ workflows: WorkflowSummary[] }>();
    expect(workflows.map((w) => w.name)).toEqual([...exampleNames(), "slow", "xss-demo"].sort());
    const hello = workflows.find((w) => w.name === "hello");
    expect(hello).toMatchObject({ version: 1, tasks: 4, schedule: null });
    expect(hello?.params["who"]).toMatchObject({ type: "string", default: "world" });
  });

  it("returns one workflow's document and version", async () => {
    const a = await send("GET", "/api/v1/workflows/iris-lite");
    expect(a.status).toBe(200);
    const body = a.json<{ version: number; document: { tasks: object } }>();
    expect(body.version).toBe(1);
    expect(Object.keys(body.document.tasks)).toContain("accurate_enough");
  });

  it("runs hello to success and serves a task's log", async () => {
    const a = await postJson("/api/v1/workflows/hello/runs", { params: { who: "e2e" } });
    expect(a.status, a.text).toBe(201);
    const started = a.json<RunView>();
    expect(["queued", "running"]).toContain(started.state);
    expect(Object.keys(started.tasks)).toEqual(["greet", "count", "long_enough", "celebrate"]);
    expect(a.headers["location"]).toBe(`/api/v1/runs/${started.id}`);

    const run = await waitForRun(started.id, ended);
    expect(run.state).toBe("succeeded");
    expect(run.params).toEqual({ who: "e2e", times: 2, min_words: 3 });
    expect(run.tasks["count"]?.outputs).toEqual({ words: 4, letters: 14 });

    const log = await send("GET", `/api/v1/runs/${started.id}/tasks/greet/log`);
    expect(log.status).toBe(200);
    expect(log.headers["content-type"]).toMatch(/^text\/plain/);
    expect(log.text).toContain("Hello, e2e! Hello, e2e!");

    // A condition runs no process, so it has no log.
    expectError(await send("GET", `/api/v1/runs/${started.id}/tasks/long_enough/log`), 404);
    expectError(await send("GET", `/api/v1/runs/${started.id}/tasks/nosuch/log`), 404);

    const list = await send("GET", "/api/v1/runs?workflow=hello");
    expect(list.status).toBe(200);
    expect(list.json<{ runs: RunView[] }>().runs.map((r) => r.id)).toContain(started.id);
    const none = await send("GET", "/api/v1/runs?workflow=slow");
    expect(none.json<{ runs: RunView[] }>().runs).toEqual([]);
  });

  it("cancels a running run", async () => {
    const a = await send("POST", "/api/v1/workflows/slow/runs");
    expect(a.status, a.text).toBe(201);
    const { id } = a.json<RunView>();
    await waitForRun(id, (s) => s === "running");
    const c = await send("POST", `/api/v1/runs/${id}/cancel`);
    expect(c.status, c.text).toBe(200);
    const run = await waitForRun(id, ended);
    expect(run.state).toBe("cancelled");
  });

  it("rejects malformed trigger requests with 4xx", async () => {
    const path = "/api/v1/workflows/hello/runs";
    const json = { "content-type": "application/json" };
    expectError(await send("POST", path, { body: "{not json", headers: json }), 400);
    expectError(await send("POST", path, { body: "[1]", headers: json }), 400);
    expectError(await postJson(path, { params: [1] }), 400);
    expectError(await postJson(path, { params: {}, extra: 1 }), 400);
    expectError(
      await send("POST", path, {
        body: '{"params":{}}',
        headers: { "content-type": "text/plain" },
      }),
      415,
    );
    expectError(
      await send("POST", path, {
        body: Buffer.alloc(2 * 1024 * 1024, "a"),
        headers: json,
      }),
      413,
    );
    expectError(await postJson("/api/v1/workflows/nope/runs", {}), 404);
    expectError(await postJson(path, { params: { times: "many" } }), 400, "E_PARAM");
    expectError(await postJson(path, { params: { times: 99 } }), 400, "E_PARAM");
    expectError(await postJson(path, { params: { nosuch: 1 } }), 400, "E_PARAM");
    expectError(
      await send("POST", path, {
        body: "{}",
        headers: { ...json, origin: "http://evil.example" },
      }),
      403,
    );
  });

  it("answers unknown things with 404 and wrong methods with 405", async () => {
    expectError(await send("GET", "/api/v1/workflows/nope"), 404);
    expectError(await send("GET", "/api/v1/runs/00000000-0000-0000-0000-000000000000"), 404);
    expectError(await send("GET", "/api/v1/nothing"), 404);
    expectError(await send("GET", "/api/v1/runs?limit=0"), 400);
    const a = await send("DELETE", "/api/v1/health");
    expectError(a, 405);
    expect(a.headers["allow"]).toBe("GET");
  });

  it("cannot be walked out of the data directory through the log endpoint", async () => {
    const runs = (await send("GET", "/api/v1/runs?workflow=hello")).json<{ runs: RunView[] }>();
    const id = runs.runs[0]?.id ?? "missing";
    for (const path of [
      `/api/v1/runs/${id}/tasks/..%2f..%2f..%2f..%2fetc%2fpasswd/log`,
      `/api/v1/runs/..%2f..%2f..%2fetc/tasks/greet/log`,
      `/api/v1/runs/${id}/tasks/greet%00/log`,
      `/api/v1/runs/${id}%00/tasks/greet/log`,
      `/api/v1/runs/${id}/tasks/%2e%2e/log`,
      `/api/v1/runs/${id}/tasks/../../../../etc/passwd/log`,
      `/api/v1/runs/${id}/tasks/%zz/log`,
    ]) {
      const a = await send("GET", path);
      expect(a.status, path).toBeGreaterThanOrEqual(400);
      expect(a.status, path).toBeLessThan(500);
      expect(a.text).not.toContain("root:");
    }
  });

  it("says how to build the web app when it has none, without a token", async () => {
    const a = await sendRaw(port, "GET", "/");
    expect(a.status).toBe(200);
    expect(a.headers["content-type"]).toMatch(/^text\/html/);
    expect(a.text).toContain("make web");
    expect(a.headers["content-security-policy"]).toContain("default-src 'none'");
  });
});

describe("updraft serve (the command)", () => {
  it("serves the examples as `make start` does and exits 0 on SIGTERM", async () => {
    const data = mkdtempSync(join(tmpdir(), "updraft-serve-cli-"));
    // The built CLI (the global setup builds dist/), with the arguments `make start` passes.
    const args = ["serve", "--port", "0", "--data-dir", data, "--examples", "examples"];
    const { url, child, stderr } = await spawnServe(args.slice(1), {
      cwd: ROOT,
      env: { ...process.env, UPDRAFT_PYTHON: PYTHON, UPDRAFT_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD },
    });
    const health = await fetch(`${url}/api/v1/health`);
    expect(await health.json()).toEqual({ status: "ok" });
    expect((await fetch(`${url}/api/v1/workflows`)).status).toBe(401);
    const token = await loginToken(url);
    const list = (await (
      await fetch(`${url}/api/v1/workflows`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      workflows: { name: string }[];
    };
    expect(list.workflows.map((w) => w.name)).toEqual(exampleNames());
    const code = await new Promise<number | null>((r) => {
      child.on("exit", (c) => r(c));
      child.kill("SIGTERM");
    });
    rmSync(data, { recursive: true, force: true });
    expect(code, stderr()).toBe(0);
  });
});

// The `name:` of every shipped example, sorted: the server must load each of them.
function exampleNames(): string[] {
  const names: string[] = [];
  for (const dir of readdirSync(join(ROOT, "examples"))) {
    for (const f of readdirSync(join(ROOT, "examples", dir))) {
      if (!/\.ya?ml$/.test(f)) continue;
      const m = /^name:\s*(\S+)/m.exec(readFileSync(join(ROOT, "examples", dir, f), "utf8"));
      if (m?.[1]) names.push(m[1]);
    }
  }
  return names.sort();
}
