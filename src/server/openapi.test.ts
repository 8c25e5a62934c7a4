import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { systemClock } from "../engine/clock.js";
import { Engine } from "../engine/engine.js";
import { storedWorkflowLoader } from "../engine/stored-workflow.js";
import { workflowJsonSchema } from "../spec/schema.js";
import { SqliteStore } from "../store/sqlite-store.js";
import { createRunnerRegistry } from "../tasks/registry.js";
import { ConnectionVault } from "../secrets/connection-vault.js";
import { loadOrCreateKeyFile } from "../secrets/secret-key.js";
import { SqliteConnectionStore } from "../secrets/sqlite-connection-store.js";
import type { ApiRoute } from "./access.js";
import { apiRoutes } from "./api-handlers.js";
import { Accounts } from "./auth/accounts.js";
import { LoginService } from "./auth/login.js";
import { SqliteAuthStore } from "./auth/sqlite-auth-store.js";
import { WorkflowOwners } from "./workflow-owners.js";
import { Metrics } from "./metrics.js";
import { checkOpenApiDocument, resolvePointer } from "./openapi-check.js";
import { ROUTE_DOCS } from "./openapi-routes.js";
import { buildOpenApiDocument, openApiPath } from "./openapi.js";
import { RunViews } from "./run-views.js";
import { WorkflowCatalog } from "./workflow-catalog.js";
import { WorkflowSchedules } from "./workflow-schedules.js";

const dir = mkdtempSync(join(tmpdir(), "updraft-openapi-"));
const store = SqliteStore.open(join(dir, "updraft.db"));
const authStore = SqliteAuthStore.open(join(dir, "updraft.db"));
const connectionStore = SqliteConnectionStore.open(join(dir, "updraft.db"));
const runners = createRunnerRegistry({ python: "/usr/bin/python3" });
const engine = new Engine({ store, runners, dataDir: dir, baseEnv: {} });
afterAll(async () => {
  await engine.shutdown();
  await runners.close?.();
  await connectionStore.close();
  await authStore.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The routes the real server has, with their access rules. */
async function accessRoutes(): Promise<ApiRoute[]> {
  const workflows = new WorkflowCatalog();
  const routes = apiRoutes({
    engine,
    store,
    workflows,
    runViews: new RunViews(store),
    schedules: new WorkflowSchedules({
      engine,
      store,
      workflows,
      clock: systemClock,
      log: () => {},
    }),
    libraryDir: dir,
    loadRunWorkflow: storedWorkflowLoader(store, () => dir),
    dataDir: dir,
    log: () => {},
    metrics: new Metrics({ processMetrics: false }),
    auth: {
      login: new LoginService(authStore),
      accounts: new Accounts(authStore),
      owners: await WorkflowOwners.load(store, authStore),
    },
    connections: new ConnectionVault(connectionStore, loadOrCreateKeyFile(dir)),
  });
  return routes;
}

/** The routes the real server has, as `METHOD pattern`. */
async function serverRoutes(): Promise<string[]> {
  return (await accessRoutes()).map((r) => `${r.method} ${r.pattern}`);
}

describe("the OpenAPI route table", () => {
  it("describes every route of apiRoutes, and no route that does not exist", async () => {
    const routes = await serverRoutes();
    const documented = Object.keys(ROUTE_DOCS);
    expect(
      routes.filter((r) => !documented.includes(r)),
      "routes without a description",
    ).toEqual([]);
    expect(
      documented.filter((d) => !routes.includes(d)),
      "descriptions of no route",
    ).toEqual([]);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it("marks exactly the public routes as needing no token", async () => {
    const routes = await accessRoutes();
    for (const r of routes) {
      const key = `${r.method} ${r.pattern}`;
      expect(ROUTE_DOCS[key]?.public === true, key).toBe(r.access === "public");
    }
    expect(
      routes
        .filter((r) => r.access === "public")
        .map((r) => r.pattern)
        .sort(),
    ).toEqual(["/api/v1/auth/login", "/api/v1/docs", "/api/v1/health", "/api/v1/openapi.json"]);
  });

  it("has one operation per route in the document", async () => {
    const doc = buildOpenApiDocument();
    const paths = doc["paths"] as Record<string, Record<string, unknown>>;
    for (const route of await serverRoutes()) {
      const [method = "", pattern = ""] = route.split(" ");
      expect(paths[openApiPath(pattern)]?.[method.toLowerCase()], route).toBeDefined();
    }
  });
});

describe("buildOpenApiDocument", () => {
  it("passes the structural check (refs resolve, paths have operations and responses)", () => {
    expect(checkOpenApiDocument(buildOpenApiDocument())).toEqual([]);
  });

  it("reuses the workflow JSON Schema itself, not a copy", () => {
    const doc = buildOpenApiDocument();
    expect(resolvePointer(doc, "/components/schemas/Workflow")).toBe(workflowJsonSchema);
  });

  it("answers errors with the Error schema and describes SSE endpoints as text/event-stream", () => {
    const doc = buildOpenApiDocument();
    const events = resolvePointer(doc, "/paths/~1api~1v1~1events/get/responses/200") as {
      content: Record<string, unknown>;
      "x-events": Record<string, unknown>;
    };
    expect(Object.keys(events.content)).toEqual(["text/event-stream"]);
    expect(Object.keys(events["x-events"]).sort()).toEqual(["run", "task"]);
    const run = resolvePointer(doc, "/paths/~1api~1v1~1runs~1{id}/get") as {
      parameters: { name: string; in: string }[];
      responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
    };
    expect(run.parameters).toEqual([expect.objectContaining({ name: "id", in: "path" })]);
    expect(run.responses["404"]?.content?.["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/Error",
    });
    expect(run.responses["5XX"]).toBeDefined();
  });

  it("has component schemas that compile and accept their own examples", () => {
    const doc = buildOpenApiDocument();
    const ajv = new Ajv({ strict: false });
    ajv.addSchema(doc, "openapi");
    const validateError = ajv.getSchema("openapi#/components/schemas/Error");
    expect(validateError?.({ error: { code: "E_X", message: "m", details: null } })).toBe(true);
    expect(validateError?.({ error: { code: "E_X" } })).toBe(false);
    const validateSave = ajv.getSchema("openapi#/components/schemas/WorkflowSave");
    const document = { name: "w", tasks: { a: { type: "empty" } } };
    expect(validateSave?.({ document })).toBe(true);
    expect(validateSave?.({ document: { ...document, bogus: 1 } })).toBe(false);
    expect(validateSave?.({ yaml: "name: w", document })).toBe(false);
  });
});

describe("the structural check", () => {
  it("reports unresolved refs, missing responses and path parameters", () => {
    const problems = checkOpenApiDocument({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: {
        "/a/{id}": { get: { responses: {} } },
        "/b": { post: { responses: { "200": { $ref: "#/components/responses/Nope" } } } },
      },
      components: { schemas: { X: { $id: "x", properties: { y: { $ref: "#/nothing" } } } } },
    });
    expect(problems).toEqual([
      "GET /a/{id}: no responses",
      "GET /a/{id}: no path parameter for {id}",
      "#/paths/~1b/post/responses/200: $ref #/components/responses/Nope does not resolve",
      "#/components/schemas/X/properties/y: $ref #/nothing does not resolve",
    ]);
  });
});
