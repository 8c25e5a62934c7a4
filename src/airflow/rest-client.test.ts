import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createAirflowClient, type AirflowClientOptions } from "./rest-client.js";
import {
  startTestAirflow,
  type TestAirflow,
  type TestAirflowOptions,
} from "./test-airflow-server.js";

let server: TestAirflow | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const USERS = { ada: "s3cret:with colon" };

async function start(opts: TestAirflowOptions): Promise<TestAirflow> {
  server = await startTestAirflow(opts);
  return server;
}

function client(s: TestAirflow, extra: Partial<AirflowClientOptions> = {}) {
  return createAirflowClient({
    baseUrl: s.url,
    auth: { kind: "basic", username: "ada", password: USERS.ada },
    timeoutMs: 5000,
    ...extra,
  });
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    return { code: String(e.code), message: String(e.message) };
  }
  throw new Error("expected a failure");
}

describe("Airflow 2.x (/api/v1, basic auth)", () => {
  const dags = { hello: { tasks: ["greet", "shout"] } };

  it("finds the v1 API by probing, and triggers with basic auth and a v1 body", async () => {
    const s = await start({ api: "v1", users: USERS, dags });
    const c = client(s);
    expect(await c.version()).toEqual({ api: "v1", version: "2.9.3" });
    const run = await c.triggerRun("hello", { conf: { who: "Ada", n: 3 }, runId: "r:1+x" });
    expect(run).toMatchObject({
      dagId: "hello",
      runId: "r:1+x",
      state: "queued",
      conf: { who: "Ada", n: 3 },
    });
    const post = s.requests.find((r) => r.method === "POST");
    expect(post?.path).toBe("/api/v1/dags/hello/dagRuns");
    // No logical_date: Airflow 2 uses the trigger time.
    expect(post?.body).toEqual({ conf: { who: "Ada", n: 3 }, dag_run_id: "r:1+x" });
    const basic = Buffer.from(`ada:${USERS.ada}`).toString("base64");
    expect(post?.authorization).toBe(`Basic ${basic}`);
    // The probe asked v2 first, which Airflow 2 does not have.
    expect(s.requests.slice(0, 2).map((r) => r.path)).toEqual([
      "/api/v2/version",
      "/api/v1/version",
    ]);
  });

  it("reads a run by id (percent-encoded), the latest run, and its task instances", async () => {
    const s = await start({ api: "v1", users: USERS, dags });
    const c = client(s);
    const first = await c.triggerRun("hello", { conf: {} });
    const second = await c.triggerRun("hello", {
      conf: {},
      logicalDate: "2026-01-01T00:00:00+00:00",
    });
    s.setStates("hello", first.runId, { greet: "success", shout: "failed" }, "failed");
    expect(await c.getRun("hello", first.runId)).toMatchObject({ state: "failed" });
    expect(s.requests.at(-1)?.path).toBe(
      `/api/v1/dags/hello/dagRuns/${encodeURIComponent(first.runId)}`,
    );
    expect((await c.latestRun("hello"))?.runId).toBe(second.runId);
    expect(s.requests.at(-1)?.path).toBe(
      "/api/v1/dags/hello/dagRuns?order_by=-execution_date&limit=1",
    );
    expect(await c.taskInstances("hello", first.runId)).toEqual([
      expect.objectContaining({ taskId: "greet", state: "success", tryNumber: 1 }),
      expect.objectContaining({
        taskId: "shout",
        state: "failed",
        endDate: expect.any(String) as string,
      }),
    ]);
    expect((await c.taskInstances("hello", second.runId)).map((t) => t.state)).toEqual([
      null,
      null,
    ]);
  });

  it("pages through more than 100 task instances", async () => {
    const tasks = Array.from({ length: 230 }, (_, i) => `t${String(i).padStart(3, "0")}`);
    const s = await start({ api: "v1", dags: { wide: { tasks } } });
    const c = createAirflowClient({ baseUrl: s.url, auth: { kind: "none" } });
    const run = await c.triggerRun("wide", { conf: {} });
    const tis = await c.taskInstances("wide", run.runId);
    expect(tis.map((t) => t.taskId)).toEqual(tasks);
    expect(s.requests.filter((r) => r.path.includes("taskInstances"))).toHaveLength(3);
  });

  it("reads and unpauses a DAG", async () => {
    const s = await start({ api: "v1", users: USERS, dags });
    const c = client(s);
    expect(await c.getDag("hello")).toEqual({ dagId: "hello", isPaused: true });
    await c.setPaused("hello", false);
    expect(s.requests.at(-1)).toMatchObject({
      method: "PATCH",
      path: "/api/v1/dags/hello?update_mask=is_paused",
      body: { is_paused: false },
    });
    expect(await c.getDag("hello")).toEqual({ dagId: "hello", isPaused: false });
  });

  it("says what to do on 401, 404, 409 and 400", async () => {
    const s = await start({
      api: "v1",
      users: USERS,
      dags: { hello: { checkConf: (c) => ("n" in c ? "Invalid input for param n" : undefined) } },
    });
    const wrong = client(s, { auth: { kind: "basic", username: "ada", password: "nope" } });
    const e401 = await failure(wrong.triggerRun("hello", { conf: {} }));
    expect(e401.code).toBe("E_AIRFLOW");
    expect(e401.message).toMatch(/refused the credentials \(401 Unauthorized\).*AIRFLOW_USERNAME/);
    const c = client(s);
    const e404 = await failure(c.triggerRun("nope", { conf: {} }));
    expect(e404.message).toMatch(
      /Airflow has no DAG nope: deploy it .*DAG with dag_id: 'nope' not found/,
    );
    await c.triggerRun("hello", { conf: {}, runId: "once" });
    const e409 = await failure(c.triggerRun("hello", { conf: {}, runId: "once" }));
    expect(e409.message).toMatch(
      /already has a run with id once; choose another --run-id \(409 Conflict: .*already exists\)/,
    );
    const e400 = await failure(c.triggerRun("hello", { conf: { n: 1 } }));
    expect(e400.message).toMatch(
      /rejected the request to trigger DAG hello \(400 Bad Request: Invalid input for param n\)/,
    );
    const eRun = await failure(c.getRun("hello", "missing"));
    expect(eRun.message).toMatch(/Airflow has no run missing of DAG hello/);
  });
});

describe("Airflow 3.x (/api/v2, JWT)", () => {
  const dags = { hello: { tasks: ["greet"] } };

  it("logs in once with POST /auth/token and sends the Bearer token and logical_date", async () => {
    const s = await start({ api: "v2", users: USERS, dags });
    const c = client(s);
    expect(await c.version()).toEqual({ api: "v2", version: "3.0.2" });
    const run = await c.triggerRun("hello", { conf: { a: [1] } });
    expect(run.runId).toMatch(/^manual__/);
    expect(run.logicalDate).not.toBeNull(); // run_after stands in for a missing logical date
    await c.getRun("hello", run.runId);
    await c.latestRun("hello");
    expect(s.requests.at(-1)?.path).toBe("/api/v2/dags/hello/dagRuns?order_by=-run_after&limit=1");
    const logins = s.requests.filter((r) => r.path === "/auth/token");
    expect(logins).toHaveLength(1);
    expect(logins[0]?.body).toEqual({ username: "ada", password: USERS.ada });
    const post = s.requests.find((r) => r.method === "POST" && r.path.includes("dagRuns"));
    expect(post?.body).toEqual({ conf: { a: [1] }, logical_date: null });
    expect(post?.authorization).toBe("Bearer eyJ.test-1.sig");
    // Airflow 3 answers at the first probe.
    expect(s.requests[0]?.path).toBe("/api/v2/version");
    expect(s.requests.some((r) => r.path === "/api/v1/version")).toBe(false);
  });

  it("uses a given token as is, under a path prefix, with the API chosen by the caller", async () => {
    const s = await start({ api: "v2", tokens: ["tok-123"], dags, prefix: "/airflow" });
    const c = createAirflowClient({
      baseUrl: s.url.replace(/\/$/, ""),
      auth: { kind: "token", token: "tok-123" },
      api: "v2",
    });
    await c.triggerRun("hello", { conf: {}, runId: "x", logicalDate: "2026-02-03T00:00:00Z" });
    expect(s.requests.some((r) => r.path === "/auth/token")).toBe(false);
    const post = s.requests.find((r) => r.method === "POST");
    expect(post).toMatchObject({
      path: "/api/v2/dags/hello/dagRuns",
      authorization: "Bearer tok-123",
      body: { conf: {}, dag_run_id: "x", logical_date: "2026-02-03T00:00:00Z" },
    });
  });

  it("says what to do on a refused login, an unknown DAG and a duplicate run id", async () => {
    const s = await start({ api: "v2", users: USERS, dags });
    const bad = client(s, { auth: { kind: "basic", username: "ada", password: "x" } });
    const eLogin = await failure(bad.triggerRun("hello", { conf: {} }));
    expect(eLogin.message).toMatch(
      /refused the username or password \(POST \/auth\/token: 401 Unauthorized: Invalid credentials\)/,
    );
    const none = createAirflowClient({ baseUrl: s.url, auth: { kind: "none" } });
    expect((await failure(none.getDag("hello"))).message).toMatch(
      /401.*Not authenticated.*--token/,
    );
    const c = client(s);
    await c.triggerRun("hello", { conf: {}, runId: "dup" });
    const e409 = await failure(c.triggerRun("hello", { conf: {}, runId: "dup" }));
    expect(e409.message).toMatch(/run with id dup.*409 Conflict: Unique constraint violation/);
    expect((await failure(c.getDag("gone"))).message).toMatch(/Airflow has no DAG gone/);
  });
});

describe("a broken or hostile server", () => {
  const dags = { hello: { tasks: ["a"] } };

  it("reports 5xx answers with the detail and where to look", async () => {
    const s = await start({ api: "v1", dags });
    const c = client(s);
    await c.version();
    s.failNext("/api/v1/dags/hello/dagRuns", {
      kind: "status",
      status: 500,
      body: "<html>Internal Server Error\u001b[2J</html>",
      contentType: "text/html",
    });
    const e = await failure(c.triggerRun("hello", { conf: {} }));
    expect(e.message).toMatch(
      /Airflow failed to trigger DAG hello \(500 Internal Server Error: <html>Internal Server Error \[2J<\/html>\); see the Airflow API server's log/,
    );
    expect(e.message.includes("\u001b")).toBe(false);
    s.failNext("/api/v1/dags/hello", { kind: "status", status: 502, body: "" });
    expect((await failure(c.getDag("hello"))).message).toMatch(/\(502 Bad Gateway\)/);
  });

  it("rejects a 200 answer that is not JSON, or JSON of the wrong shape", async () => {
    const s = await start({ api: "v1", dags });
    const c = client(s);
    await c.version();
    s.failNext("/api/v1/dags/hello", { kind: "not-json" });
    const e = await failure(c.getDag("hello"));
    expect(e.message).toMatch(
      /not JSON \(it starts with: <!DOCTYPE html>.*is --url the Airflow API server\?/,
    );
    expect(e.message.includes("\u001b")).toBe(false);
    s.failNext("/api/v1/dags/hello/dagRuns", { kind: "status", status: 200, body: '{"state": 3}' });
    expect((await failure(c.triggerRun("hello", { conf: {} }))).message).toMatch(
      /has no field dag_id/,
    );
    s.failNext("/api/v1/dags/hello/dagRuns", { kind: "status", status: 200, body: "[1,2]" });
    expect((await failure(c.latestRun("hello"))).message).toMatch(/no dag_runs list/);
  });

  it("cleans terminal control characters out of what the server says", async () => {
    const s = await start({ api: "v1", dags });
    const c = client(s);
    await c.version();
    const evil = {
      dag_id: "hello",
      dag_run_id: "r\u001b]0;owned\u0007\u001b[2J",
      state: "fa\u009biled",
    };
    s.failNext("/api/v1/dags/hello/dagRuns/x", {
      kind: "status",
      status: 200,
      body: JSON.stringify(evil),
    });
    const run = await c.getRun("hello", "x");
    expect(run.runId).toBe("r ]0;owned [2J");
    expect(run.state).toBe("fa iled");
    s.failNext("/api/v1/dags/hello", {
      kind: "status",
      status: 418,
      body: JSON.stringify({ title: "\u001b[31mteapot", detail: "x".repeat(10_000) }),
    });
    const e = await failure(c.getDag("hello"));
    expect(e.message).toMatch(
      /^Airflow rejected the request to read DAG hello \(418 I'm a Teapot: \[31mteapot: x+…\)$/,
    );
    expect(e.message.length).toBeLessThan(400);
  });

  it("stops reading a huge body, declared or streamed", async () => {
    const s = await start({ api: "v1", dags });
    const c = client(s, { maxBodyBytes: 1024 * 1024 });
    await c.version();
    for (const declareLength of [true, false]) {
      s.failNext("/api/v1/dags/hello", { kind: "huge", bytes: 20 * 1024 * 1024, declareLength });
      const e = await failure(c.getDag("hello"));
      expect(e.message).toMatch(
        /answer to GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/dags\/hello is larger than 1 MiB/,
      );
    }
  });

  it("times out on a server that never answers, and reports a dropped connection", async () => {
    const s = await start({ api: "v1", dags });
    const c = client(s, { timeoutMs: 300 });
    await c.version();
    s.failNext("/api/v1/dags/hello", { kind: "hang" });
    const e = await failure(c.getDag("hello"));
    expect(e).toMatchObject({ code: "E_AIRFLOW" });
    expect(e.message).toMatch(/did not answer GET .* within 0\.3 s \(raise --timeout/);
    s.failNext("/api/v1/dags/hello", { kind: "reset" });
    expect((await failure(c.getDag("hello"))).message).toMatch(/cannot reach Airflow for GET/);
  });

  it("reports a refused connection and a server that is not Airflow", async () => {
    const closed = createServer();
    closed.listen(0, "127.0.0.1");
    await new Promise((r) => closed.once("listening", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const c = createAirflowClient({ baseUrl: `http://127.0.0.1:${port}`, auth: { kind: "none" } });
    expect((await failure(c.version())).message).toMatch(
      /cannot reach Airflow .*ECONNREFUSED.*is --url right\?/,
    );

    const s = await start({ api: "v1", dags, prefix: "/somewhere-else" });
    const wrong = createAirflowClient({
      baseUrl: s.url.replace("/somewhere-else/", "/"),
      auth: { kind: "none" },
    });
    expect((await failure(wrong.getDag("hello"))).message).toMatch(
      /found no Airflow REST API at http:\/\/127\.0\.0\.1:\d+\/: \/api\/v2\/version answered 404 and \/api\/v1\/version answered 404/,
    );
  });

  it("rejects unusable URLs and credentials before sending anything", () => {
    const make =
      (baseUrl: string, auth: AirflowClientOptions["auth"] = { kind: "none" }) =>
      () =>
        createAirflowClient({ baseUrl, auth });
    expect(make("not a url")).toThrow(/is not a URL/);
    expect(make("ftp://airflow")).toThrow(/http:\/\/ or https:\/\//);
    expect(make("http://ada:pw@airflow")).toThrow(/not in the URL/);
    expect(make("http://airflow/?x=1")).toThrow(/query/);
    expect(make("http://airflow", { kind: "token", token: "a\nb" })).toThrow(/printable ASCII/);
    expect(make("http://airflow", { kind: "basic", username: "a:b", password: "" })).toThrow(/':'/);
    try {
      make("nope")();
    } catch (err) {
      expect(err).toMatchObject({ code: "E_USAGE" });
    }
  });
});
