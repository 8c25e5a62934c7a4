/**
 * `/metrics`, `/api/v1/openapi.json` and `/api/v1/docs` of a real `updraft serve` (engine,
 * SQLite store, task processes) over HTTP on 127.0.0.1.
 */
import { rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkOpenApiDocument } from "../src/server/openapi-check.js";
import { samples } from "../src/server/test-metrics.js";
import {
  sendRaw,
  startTestService,
  tempCatalog,
  type Answer,
  type TestService,
} from "./server-helpers.js";

let service: TestService;
let port: number;
let tmp: string;

function send(method: string, path: string, body?: string): Promise<Answer> {
  const headers: Record<string, string> = {
    ...service.auth,
    ...(body ? { "content-type": "application/json" } : {}),
  };
  return sendRaw(port, method, path, { ...(body !== undefined ? { body } : {}), headers });
}

async function runToEnd(workflow: string): Promise<{ id: string; state: string }> {
  const started = await send("POST", `/api/v1/workflows/${workflow}/runs`, "{}");
  expect(started.status, started.text).toBe(201);
  const { id } = JSON.parse(started.text) as { id: string };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const a = await send("GET", `/api/v1/runs/${id}`);
    const run = JSON.parse(a.text) as { id: string; state: string };
    if (["succeeded", "failed", "cancelled"].includes(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const made = tempCatalog("updraft-metrics-e2e-");
  tmp = made.tmp;
  const catalog = made.catalog;
  writeFileSync(
    join(catalog, "counted.yaml"),
    [
      "name: counted",
      "tasks:",
      '  hello: { type: shell, command: "echo hi" }',
      "  py: { type: python, needs: [hello], code: 'print(1)' }",
      "",
    ].join("\n"),
  );
  const started = await startTestService(tmp, { examples: catalog });
  service = started;
  port = started.port;
});

afterAll(async () => {
  await service?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe("GET /metrics", () => {
  it("shows the run, its tasks and the requests after a run", async () => {
    const run = await runToEnd("counted");
    expect(run.state).toBe("succeeded");
    expect((await send("GET", "/api/v1/no-such-thing")).status).toBe(404);
    const a = await send("GET", "/metrics");
    expect(a.status).toBe(200);
    expect(a.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = samples(a.text);
    expect(s.get('updraft_runs_total{workflow="counted",state="succeeded"}')).toBe(1);
    expect(s.get('updraft_tasks_total{workflow="counted",state="succeeded"}')).toBe(2);
    expect(s.get('updraft_task_attempts_total{workflow="counted",outcome="succeeded"}')).toBe(2);
    expect(
      s.get(
        'updraft_http_requests_total{method="POST",route="/api/v1/workflows/:name/runs",status="2xx"}',
      ),
    ).toBe(1);
    expect(
      s.get('updraft_http_requests_total{method="GET",route="/api/v1/runs/:id",status="2xx"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      s.get('updraft_http_requests_total{method="GET",route="unmatched",status="4xx"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(s.get("updraft_process_resident_memory_bytes")).toBeGreaterThan(0);
    // Raw paths and ids are not labels: cardinality stays bounded.
    expect(a.text).not.toContain(run.id);
    expect(a.text).not.toContain("no-such-thing");
  });

  it("counts an event stream when it closes, without timing it", async () => {
    await new Promise<void>((resolvePromise, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/api/v1/events", headers: service.auth },
        (res) => {
          expect(res.statusCode).toBe(200);
          res.destroy();
          resolvePromise();
        },
      );
      req.on("error", reject);
      req.end();
    });
    const key = 'updraft_http_requests_total{method="GET",route="/api/v1/events",status="2xx"}';
    const deadline = Date.now() + 10_000;
    let s = samples((await send("GET", "/metrics")).text);
    while (s.get(key) !== 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      s = samples((await send("GET", "/metrics")).text);
    }
    expect(s.get(key)).toBe(1);
    expect(
      [...s.keys()].some((k) => k.includes('route="/api/v1/events"') && k.includes("_duration_")),
    ).toBe(false);
  });

  it("answers HEAD, refuses other methods with 405 and ignores hostile queries", async () => {
    expect((await send("HEAD", "/metrics")).status).toBe(200);
    const post = await send("POST", "/metrics", "{}");
    expect(post.status).toBe(405);
    expect(JSON.parse(post.text)).toMatchObject({ error: { code: "E_METHOD_NOT_ALLOWED" } });
    for (const q of [
      "?%zz",
      "?name[]=%00%ff",
      "?__proto__=1&constructor=x",
      `?x=${"a".repeat(4000)}`,
    ]) {
      const a = await send("GET", `/metrics${q}`);
      expect(a.status, q).toBe(200);
    }
  });
});

describe("GET /api/v1/openapi.json", () => {
  it("serves a structurally sound OpenAPI 3.1 document", async () => {
    const a = await send("GET", "/api/v1/openapi.json");
    expect(a.status).toBe(200);
    expect(a.headers["content-type"]).toMatch(/^application\/json/);
    const doc = JSON.parse(a.text) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(checkOpenApiDocument(doc)).toEqual([]);
    expect(Object.keys(doc.paths)).toContain("/api/v1/runs/{id}/tasks/{task}/log");
  });

  it("has schemas that the server's real answers satisfy", async () => {
    const doc = JSON.parse((await send("GET", "/api/v1/openapi.json")).text) as object;
    const ajv = new Ajv({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema(doc, "openapi");
    const check = (schema: string, body: string) => {
      const validate = ajv.getSchema(`openapi#/components/schemas/${schema}`);
      if (!validate) throw new Error(`no schema ${schema}`);
      const valid = validate(JSON.parse(body));
      expect(valid, `${schema}: ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    const run = await runToEnd("counted");
    check("Run", (await send("GET", `/api/v1/runs/${run.id}`)).text);
    check("RunList", (await send("GET", "/api/v1/runs?workflow=counted")).text);
    check("WorkflowList", (await send("GET", "/api/v1/workflows")).text);
    check("WorkflowDetail", (await send("GET", "/api/v1/workflows/counted")).text);
    check("Health", (await send("GET", "/api/v1/health")).text);
    const missing = await send("GET", "/api/v1/runs/doesnotexist");
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.status).toBeLessThan(500);
    check("Error", missing.text);
  });

  it("gives 4xx, never 5xx, for hostile query strings and paths", async () => {
    const targets = [
      "/api/v1/openapi.json?%zz=%ff",
      "/api/v1/openapi.json?a=<script>alert(1)</script>",
      "/api/v1/docs?'%22><img%20src=x>",
      `/api/v1/docs?${"x=1&".repeat(2000)}`,
      "/api/v1/docs/%zz",
      "/api/v1/openapi.json/..%2f..%2fetc%2fpasswd",
      "/api/v1/openapi.json%00",
    ];
    for (const t of targets) {
      const a = await send("GET", t);
      expect(a.status, t).toBeLessThan(500);
    }
    expect((await send("GET", "/api/v1/docs/%zz")).status).toBe(400);
    expect((await send("GET", "/api/v1/openapi.json%00")).status).toBe(404);
    expect((await send("DELETE", "/api/v1/openapi.json")).status).toBe(405);
    // Oversized request line: node refuses it before any handler runs.
    const huge = await send("GET", `/api/v1/docs?${"a".repeat(20_000)}`);
    expect(huge.status).toBe(431);
  });
});

describe("GET /api/v1/docs", () => {
  it("serves a self-contained page with a strict policy", async () => {
    const a = await send("GET", "/api/v1/docs");
    expect(a.status).toBe(200);
    expect(a.headers["content-type"]).toMatch(/^text\/html/);
    const csp = String(a.headers["content-security-policy"]);
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/unsafe|script-src|https?:/);
    expect(a.text).not.toMatch(/<script|<link|<img|\ssrc=/i);
    expect(a.text).not.toMatch(/(href|src)="https?:/);
    expect(a.text).toContain("/api/v1/runs/{id}/cancel");
    expect(a.text).toContain('href="/api/v1/openapi.json"');
    expect(a.text).toContain('id="schema-Workflow"');
  });
});
