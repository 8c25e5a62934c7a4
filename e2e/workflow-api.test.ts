/**
 * Workflows saved through the HTTP API: create, new versions, history, old versions,
 * validation errors with paths, hostile bodies, and what survives a restart (including
 * a file that must not overwrite a version saved through the API).
 */
import { rmSync } from "node:fs";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../src/engine/run-view.js";
import { startTestService, tempCatalog, type TestService } from "./server-helpers.js";

const { tmp, catalog } = tempCatalog("updraft-wf-api-", {
  "from-file.yaml": "name: from-file\ntasks:\n  a: { type: empty }\n",
});
let service: TestService;
let stderr = "";

async function start(): Promise<TestService> {
  const err = new PassThrough();
  err.on("data", (c: Buffer) => (stderr += c.toString()));
  return startTestService(tmp, { examples: catalog, stderr: err });
}

beforeAll(async () => {
  service = await start();
});
afterAll(async () => {
  await service.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function send(method: string, path: string, body?: unknown, raw?: string) {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: {
      ...service.auth,
      ...(body === undefined && raw === undefined ? {} : { "content-type": "application/json" }),
    },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

const doc = (greeting: string) => ({
  name: "greeter",
  params: { who: { type: "string", default: "world" } },
  tasks: {
    greet: {
      type: "shell",
      command: `echo "text=${greeting} $UPDRAFT_PARAM_WHO" >> "$UPDRAFT_OUTPUTS"`,
      outputs: ["text"],
    },
  },
});

describe("workflows through the API", () => {
  it("creates a workflow, runs it, saves versions and reads the history", async () => {
    const created = await send("POST", "/api/v1/workflows", { document: doc("hello") });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "greeter",
      version: 1,
      changed: true,
      paused: true,
    });

    const again = await send("POST", "/api/v1/workflows", { document: doc("hello") });
    expect(again.status).toBe(409);

    const same = await send("PUT", "/api/v1/workflows/greeter", { document: doc("hello") });
    expect(same.body).toMatchObject({ version: 1, changed: false });
    const yaml = [
      "name: greeter",
      "params:",
      "  who: { type: string, default: world }",
      "tasks:",
      "  greet:",
      "    type: shell",
      `    command: 'echo "text=hi $UPDRAFT_PARAM_WHO" >> "$UPDRAFT_OUTPUTS"'`,
      "    outputs: [text]",
      "",
    ].join("\n");
    const v2 = await send("PUT", "/api/v1/workflows/greeter", { yaml });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, changed: true });

    const run = await send("POST", "/api/v1/workflows/greeter/runs", { params: { who: "Ada" } });
    expect(run.status).toBe(201);
    let view = run.body as unknown as RunView;
    for (let i = 0; i < 200 && !["succeeded", "failed"].includes(view.state); i++) {
      await new Promise((r) => setTimeout(r, 25));
      view = (await send("GET", `/api/v1/runs/${view.id}`)).body as unknown as RunView;
    }
    expect(view).toMatchObject({ state: "succeeded", version: 2 });
    expect(view.tasks["greet"]?.outputs).toEqual({ text: "hi Ada" });

    const history = await send("GET", "/api/v1/workflows/greeter/versions");
    expect((history.body["versions"] as { version: number }[]).map((v) => v.version)).toEqual([
      2, 1,
    ]);
    const old = await send("GET", "/api/v1/workflows/greeter/versions/1");
    expect(JSON.stringify(old.body["document"])).toContain("hello");
    // Restoring an old version is saving it again: a new version with the old content.
    const restored = await send("PUT", "/api/v1/workflows/greeter", {
      document: old.body["document"],
    });
    expect(restored.body).toMatchObject({ version: 3, changed: true });
  });

  it("answers every validation issue with its path, and hostile bodies with a 4xx", async () => {
    const bad = await send("POST", "/api/v1/workflows", {
      document: {
        name: "bad",
        tasks: { a: { type: "shell", needs: ["ghost"] }, b: { type: "nope" } },
      },
    });
    expect(bad.status).toBe(400);
    const err = bad.body["error"] as { code: string; details: { path: string }[] };
    expect(err.code).toBe("E_VALIDATION");
    expect(err.details.map((d) => d.path)).toEqual(
      expect.arrayContaining(["tasks.a.needs[0]", "tasks.b.type"]),
    );
    const badYaml = await send("POST", "/api/v1/workflows", { yaml: "name: x\ntasks: [\n" });
    expect(badYaml.status).toBe(400);
    const cases: [string, string, unknown, string | undefined, number][] = [
      ["POST", "/api/v1/workflows", undefined, "{not json", 400],
      ["POST", "/api/v1/workflows", [1, 2], undefined, 400],
      ["POST", "/api/v1/workflows", { document: {}, yaml: "" }, undefined, 400],
      ["POST", "/api/v1/workflows", { yaml: 42 }, undefined, 400],
      ["POST", "/api/v1/workflows", { document: { name: "__proto__", tasks: {} } }, undefined, 400],
      ["POST", "/api/v1/workflows", { yaml: "a: &a [*a]\n" }, undefined, 400],
      ["PUT", "/api/v1/workflows/greeter", { document: doc("x") }, undefined, 200],
      ["PUT", "/api/v1/workflows/other", { document: doc("x") }, undefined, 400],
      [
        "PUT",
        "/api/v1/workflows/missing",
        { document: { ...doc("x"), name: "missing" } },
        undefined,
        404,
      ],
      ["PUT", "/api/v1/workflows/Bad%20Name", { document: doc("x") }, undefined, 400],
      ["GET", "/api/v1/workflows/greeter/versions/0", undefined, undefined, 400],
      ["GET", "/api/v1/workflows/greeter/versions/99999999999", undefined, undefined, 400],
      ["GET", "/api/v1/workflows/greeter/versions/77", undefined, undefined, 404],
      ["GET", "/api/v1/workflows/greeter/versions?limit=-1", undefined, undefined, 400],
      ["GET", "/api/v1/workflows/nobody/versions", undefined, undefined, 404],
      ["POST", "/api/v1/workflows", { yaml: "x".repeat(7 * 1024 * 1024) }, undefined, 413],
    ];
    for (const [method, path, body, raw, status] of cases) {
      const r = await send(method, path, body, raw);
      expect(r.status, `${method} ${path}`).toBe(status);
      if (status >= 400) expect(r.body["error"], `${method} ${path}`).toBeDefined();
    }
  });

  it("lists workflows in name order with search and paging", async () => {
    for (const n of ["zeta", "alpha-etl", "beta"]) {
      const r = await send("POST", "/api/v1/workflows", {
        document: {
          name: n,
          description: n === "beta" ? "Nightly ETL" : "",
          tasks: { a: { type: "empty" } },
        },
      });
      expect(r.status).toBe(201);
    }
    const all = await send("GET", "/api/v1/workflows");
    const names = (all.body["workflows"] as { name: string }[]).map((w) => w.name);
    expect(names).toEqual([...names].sort());
    expect(all.body["total"]).toBe(names.length);
    const etl = await send("GET", "/api/v1/workflows?q=ETL");
    expect((etl.body["workflows"] as { name: string }[]).map((w) => w.name)).toEqual([
      "alpha-etl",
      "beta",
    ]);
    const page = await send("GET", "/api/v1/workflows?limit=2&offset=1");
    expect((page.body["workflows"] as { name: string }[]).map((w) => w.name)).toEqual(
      names.slice(1, 3),
    );
    for (const q of ["limit=0", "limit=10001", "offset=-1", "limit=abc", `q=${"x".repeat(201)}`]) {
      expect((await send("GET", `/api/v1/workflows?${q}`)).status, q).toBe(400);
    }
  });

  it("keeps API versions across a restart and never lets a file overwrite them", async () => {
    const put = await send("PUT", "/api/v1/workflows/from-file", {
      document: { name: "from-file", tasks: { a: { type: "empty" }, b: { type: "empty" } } },
    });
    expect(put.body).toMatchObject({ version: 2 });
    await service.stop();
    service = await start();
    const list = await send("GET", "/api/v1/workflows");
    const byName = new Map(
      (list.body["workflows"] as { name: string; version: number; tasks: number }[]).map((w) => [
        w.name,
        w,
      ]),
    );
    expect(byName.get("greeter")?.version).toBe(4);
    expect(byName.get("from-file")).toMatchObject({ version: 2, tasks: 2 });
    expect(stderr).toContain("has a newer version saved through the API");
  });
});
