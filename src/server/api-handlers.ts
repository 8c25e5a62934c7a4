/** Handlers of the minimal `/api/v1` and of the page at `/`. */
import type { IncomingMessage } from "node:http";
import type { Engine, RunWorkflowLoader } from "../engine/engine.js";
import { generateAirflowDag } from "../airflow/dag-codegen.js";
import { workflowToDocument } from "../spec/document.js";
import { getOwn, isObject } from "../spec/json.js";
import { resolveRunParams } from "../spec/params.js";
import type { JsonObject } from "../spec/types.js";
import type { Store } from "../store/types.js";
import { badRequest, notFound } from "./http-errors.js";
import { json, type Reply } from "./reply.js";
import { drain, readJsonBody } from "./request-body.js";
import type { ApiRoute } from "./access.js";
import { authRoutes, type AuthRouteDeps } from "./auth-handlers.js";
import type { Principal } from "./auth/principal.js";
import { connectionRoutes } from "./connection-handlers.js";
import type { ConnectionVault } from "../secrets/connection-vault.js";
import type { WorkflowOwners } from "./workflow-owners.js";
import type { RunViews } from "./run-views.js";
import { eventStream, followTaskLog } from "./live-handlers.js";
import { backfillRoutes } from "./backfill-handlers.js";
import { workflowRoutes } from "./workflow-handlers.js";
import { summary } from "./workflow-summary.js";
import { NotebookLibrary } from "./notebook-library.js";
import { notebookRoutes } from "./notebook-handlers.js";
import type { Metrics } from "./metrics.js";
import { metricsRoutes } from "./metrics-routes.js";
import { docsRoutes } from "./openapi.js";
import { checkRunId, findTaskLog } from "./task-log.js";
import { taskNotebook } from "./task-notebook.js";
import type { CatalogEntry, WorkflowCatalog } from "./workflow-catalog.js";
import type { WorkflowSchedules } from "./workflow-schedules.js";

/** What the handlers work with. */
export interface ApiDeps {
  engine: Engine;
  store: Store;
  workflows: WorkflowCatalog;
  runViews: RunViews;
  /** Pause state and next runs of the workflows' schedules. */
  schedules: WorkflowSchedules;
  /** Where relative paths of workflows saved through the API resolve. */
  libraryDir: string;
  /** Finds the workflow version and base directory of a stored run (for repair). */
  loadRunWorkflow: RunWorkflowLoader;
  dataDir: string;
  log: (message: string) => void;
  /** Served at `/metrics` when given. */
  metrics?: Metrics;
  /** Logins, accounts and who owns which workflow. */
  auth: AuthRouteDeps & { owners: WorkflowOwners };
  /** The connections endpoints, when the service has a vault. */
  connections?: ConnectionVault;
}

/** One request as a handler sees it. */
export interface ApiRequest {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Who is calling; set by the guard on every route that is not public. */
  principal?: Principal;
}

/** A route handler. */
export type Handler = (r: ApiRequest) => Promise<Reply>;

const DEFAULT_RUNS = 50;
const MAX_RUNS = 500;

/** Every route of the API, each with its access rule. */
export function apiRoutes(deps: ApiDeps): ApiRoute[] {
  const { engine, workflows, runViews } = deps;
  const workflowOf = (name: string): CatalogEntry => {
    const entry = workflows.get(name);
    if (!entry) throw notFound(`no workflow named ${JSON.stringify(name.slice(0, 80))}`);
    return entry;
  };

  return [
    {
      method: "GET",
      pattern: "/api/v1/health",
      access: "public",
      handler: () => ok({ status: "ok" }),
    },
    ...authRoutes(deps.auth),
    ...(deps.connections ? connectionRoutes(deps.connections) : []),
    ...workflowRoutes({ ...deps, owners: deps.auth.owners }),
    ...backfillRoutes(deps),
    ...notebookRoutes({ library: new NotebookLibrary(deps.libraryDir) }),
    ...(deps.metrics ? metricsRoutes(deps.metrics) : []),
    ...docsRoutes(),
    {
      method: "GET",
      pattern: "/api/v1/events",
      access: "run:read",
      handler: ({ query }) => Promise.resolve(eventStream(engine, query)),
    },
    {
      method: "GET",
      pattern: "/api/v1/workflows/:name",
      access: "workflow:read",
      handler: ({ params }) => {
        const entry = workflowOf(params["name"] ?? "");
        return ok({
          name: entry.workflow.name,
          version: entry.version,
          ...deps.schedules.status(entry.workflow.name),
          owner: deps.auth.owners.ownerName(entry.workflow.name),
          document: workflowToDocument(entry.workflow),
        });
      },
    },
    {
      method: "GET",
      pattern: "/api/v1/workflows/:name/airflow",
      access: "workflow:read",
      handler: ({ params }) => {
        const entry = workflowOf(params["name"] ?? "");
        const body = generateAirflowDag(entry.workflow, { version: entry.version });
        return Promise.resolve({
          kind: "text",
          status: 200,
          body,
          contentType: "text/x-python; charset=utf-8",
        });
      },
    },
    {
      method: "POST",
      pattern: "/api/v1/workflows/:name/runs",
      access: "run:trigger",
      handler: async ({ req, params }) => {
        const entry = workflowOf(params["name"] ?? "");
        const given = runRequestParams(await readJsonBody(req));
        const resolved = resolveRunParams(entry.workflow.params, given);
        const handle = await engine.startRun({
          workflow: entry.workflow,
          version: entry.version,
          params: resolved,
          baseDir: entry.baseDir,
        });
        // Nobody awaits the end of a run triggered over HTTP; a failure to read it is logged.
        void handle.finished.then(undefined, (err: unknown) =>
          deps.log(`run ${handle.id}: ${String(err)}`),
        );
        const view = await runViews.get(handle.id);
        if (!view) throw notFound(`run ${handle.id} vanished`);
        return json(201, view, { location: `/api/v1/runs/${handle.id}` });
      },
    },
    {
      method: "GET",
      pattern: "/api/v1/runs",
      access: "run:read",
      handler: async ({ query }) => {
        const workflow = query.get("workflow") ?? undefined;
        const limit = parseLimit(query.get("limit"));
        return ok({ runs: await runViews.list(workflow || undefined, limit) });
      },
    },
    {
      method: "GET",
      pattern: "/api/v1/runs/:id",
      access: "run:read",
      handler: async ({ params }) => ok(await runOr404(runViews, params["id"] ?? "")),
    },
    {
      method: "POST",
      pattern: "/api/v1/runs/:id/cancel",
      access: "run:cancel",
      handler: async ({ req, params }) => {
        const id = params["id"] ?? "";
        await drain(req); // The body, if any, means nothing here.
        await runOr404(runViews, id);
        // A run this process is not executing has ended (or belongs to a dead server).
        await engine.cancelRun(id);
        return ok(await runOr404(runViews, id));
      },
    },
    ...(["pause", "unpause"] as const).map((action): ApiRoute => ({
      method: "POST",
      pattern: `/api/v1/workflows/:name/${action}`,
      access: "run:trigger",
      handler: async ({ req, params }: ApiRequest) => {
        await drain(req);
        const entry = workflowOf(params["name"] ?? "");
        await deps.schedules.setPaused(entry.workflow.name, action === "pause");
        return ok(summary(entry, deps.schedules));
      },
    })),
    {
      method: "POST",
      pattern: "/api/v1/runs/:id/repair",
      access: "run:repair",
      handler: async ({ req, params }) => {
        const id = params["id"] ?? "";
        await drain(req);
        await runOr404(runViews, id);
        const handle = await engine.repairRun(id, deps.loadRunWorkflow);
        void handle.finished.then(undefined, (err: unknown) =>
          deps.log(`repair of run ${id}: ${String(err)}`),
        );
        return ok(await runOr404(runViews, id));
      },
    },
    {
      method: "GET",
      pattern: "/api/v1/runs/:id/tasks/:task/notebook",
      access: "run:read",
      handler: ({ params, query }) =>
        taskNotebook(
          deps.store,
          deps.dataDir,
          params["id"] ?? "",
          params["task"] ?? "",
          query.get("attempt"),
        ),
    },
    {
      method: "GET",
      pattern: "/api/v1/runs/:id/tasks/:task/log",
      access: "run:read",
      handler: async ({ params, query }) => {
        if (query.get("follow") === "1" || query.get("follow") === "true") {
          return followTaskLog(deps.store, deps.dataDir, params["id"] ?? "", params["task"] ?? "");
        }
        const log = await findTaskLog(
          deps.store,
          deps.dataDir,
          params["id"] ?? "",
          params["task"] ?? "",
        );
        return {
          kind: "file",
          status: 200,
          path: log.path,
          size: log.size,
          contentType: "text/plain; charset=utf-8",
        };
      },
    },
  ];
}

function ok(body: unknown): Promise<Reply> {
  return Promise.resolve(json(200, body));
}

async function runOr404(runViews: RunViews, id: string) {
  checkRunId(id);
  const view = await runViews.get(id);
  if (!view) throw notFound(`no run ${id}`);
  return view;
}

// The body of a trigger: nothing, `{}` or `{params: {...}}`; anything else is a 400.
function runRequestParams(body: unknown): JsonObject {
  if (body === undefined) return {};
  if (!isObject(body)) {
    throw badRequest('the request body must be a JSON object such as {"params": {}}');
  }
  const unknown = Object.keys(body).filter((k) => k !== "params");
  if (unknown.length > 0) {
    throw badRequest(
      `unknown field(s) in the request body: ${unknown.join(", ")}; only "params" is accepted`,
      {
        fields: unknown,
      },
    );
  }
  const params = getOwn(body, "params");
  if (params === undefined || params === null) return {};
  if (!isObject(params)) {
    throw badRequest('"params" must be a JSON object of param names to values');
  }
  return params as JsonObject;
}

function parseLimit(text: string | null): number {
  if (text === null || text === "") return DEFAULT_RUNS;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RUNS) {
    throw badRequest(`limit must be an integer from 1 to ${MAX_RUNS}`);
  }
  return n;
}
