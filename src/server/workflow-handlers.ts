/**
 * Saving workflows through the API: create, save a new version, read the version history
 * and any old version. Every save is validated exactly as `updraft validate` does and
 * answers 400 with every issue and its path; an unchanged document keeps its version.
 */
import { workflowToDocument } from "../spec/document.js";
import { ValidationError } from "../spec/errors.js";
import { getOwn, isObject } from "../spec/json.js";
import { WORKFLOW_NAME_RE } from "../spec/names.js";
import { parseWorkflowText, validateWorkflowDocument } from "../spec/parse.js";
import type { Workflow } from "../spec/types.js";
import type { Store, WorkflowVersionRecord } from "../store/types.js";
import type { ApiRequest } from "./api-handlers.js";
import { HttpError, badRequest, notFound } from "./http-errors.js";
import { json, type Reply } from "./reply.js";
import { drain, readJsonBody } from "./request-body.js";
import type { ApiRoute } from "./access.js";
import { authorize, type Resource } from "./auth/permissions.js";
import type { Principal } from "./auth/principal.js";
import type { WorkflowCatalog } from "./workflow-catalog.js";
import type { WorkflowOwners } from "./workflow-owners.js";
import { summary } from "./workflow-summary.js";
import type { WorkflowSchedules } from "./workflow-schedules.js";

/** A workflow file may be 5 MB; its JSON form in a request a little more. */
const MAX_WORKFLOW_BODY_BYTES = 6 * 1024 * 1024;
const MAX_VERSIONS = 1000;
/** Most workflows one list request returns (and the default). */
const MAX_LIST = 10_000;

/** What the workflow routes need. */
export interface WorkflowHandlerDeps {
  store: Store;
  workflows: WorkflowCatalog;
  schedules: WorkflowSchedules;
  /** Relative paths of workflows saved through the API resolve against the library. */
  libraryDir: string;
  /** Who owns each workflow (editors modify only their own). */
  owners: WorkflowOwners;
}

/** How many of each workflow's newest runs a list shows. */
const LAST_RUNS = 5;
/** Largest page that carries each workflow's last runs. */
const MAX_LAST_RUNS_PAGE = 1000;

/** The routes that write workflows and read their history. */
export function workflowRoutes(deps: WorkflowHandlerDeps): ApiRoute[] {
  return [
    {
      method: "GET",
      pattern: "/api/v1/workflows",
      access: "workflow:read",
      handler: ({ query }) => listPage(deps, query),
    },
    {
      method: "POST",
      pattern: "/api/v1/workflows",
      access: "workflow:create",
      handler: async ({ req, principal }) => {
        const workflow = workflowFromBody(await readJsonBody(req, MAX_WORKFLOW_BODY_BYTES));
        const name = workflow.name;
        mayGrant(principal, workflow);
        // A deleted workflow's name may be reused: its history continues with a new version.
        if (deps.workflows.get(name)) {
          throw new HttpError(
            409,
            "E_CONFLICT",
            `a workflow named ${JSON.stringify(name)} exists; PUT /api/v1/workflows/${name} saves a new version of it`,
          );
        }
        // Owner first: a crash between the two leaves an owned name, never an unowned save.
        await deps.owners.claim(name, mustHave(principal), new Date().toISOString());
        return save(deps, workflow, 201, principal);
      },
    },
    {
      method: "PUT",
      pattern: "/api/v1/workflows/:name",
      access: "workflow:write",
      handler: async ({ req, params, principal }) => {
        const name = checkName(params["name"] ?? "");
        const workflow = workflowFromBody(await readJsonBody(req, MAX_WORKFLOW_BODY_BYTES));
        if (workflow.name !== name) {
          throw badRequest(
            `the document is named ${JSON.stringify(workflow.name)} but the URL names ${JSON.stringify(name)}; they must match (a rename is a new workflow)`,
          );
        }
        if (!deps.workflows.get(name)) {
          throw notFound(
            `no workflow named ${JSON.stringify(name)}; POST /api/v1/workflows creates it`,
          );
        }
        authorize(principal, "workflow:write", ownedBy(deps, name));
        mayGrant(principal, workflow);
        return save(deps, workflow, 200, principal);
      },
    },
    {
      method: "DELETE",
      pattern: "/api/v1/workflows/:name",
      access: "workflow:write",
      handler: async ({ req, params, principal }) => {
        await drain(req);
        const name = checkName(params["name"] ?? "");
        if (!deps.workflows.get(name)) throw notFound(`no workflow named ${JSON.stringify(name)}`);
        authorize(principal, "workflow:write", ownedBy(deps, name));
        const at = new Date().toISOString();
        await deps.store.setDeleted(name, at);
        deps.workflows.remove(name);
        deps.schedules.removed(name);
        return json(200, { name, deletedAt: at });
      },
    },
    {
      method: "GET",
      pattern: "/api/v1/workflows/:name/versions",
      access: "workflow:read",
      handler: async ({ params, query }: ApiRequest) => {
        const name = checkName(params["name"] ?? "");
        const limit = parseLimit(query.get("limit"));
        const versions = await deps.store.listVersions(name, limit);
        if (versions.length === 0 && !deps.workflows.get(name)) {
          throw notFound(`no workflow named ${JSON.stringify(name)}`);
        }
        return json(200, { versions: versions.map(versionSummary) });
      },
    },
    {
      method: "GET",
      pattern: "/api/v1/workflows/:name/versions/:version",
      access: "workflow:read",
      handler: async ({ params }) => {
        const name = checkName(params["name"] ?? "");
        const raw = params["version"] ?? "";
        const version = /^[1-9][0-9]{0,8}$/.test(raw) ? Number(raw) : NaN;
        if (!Number.isSafeInteger(version)) {
          throw badRequest(`not a version number: ${JSON.stringify(raw.slice(0, 40))}`);
        }
        const v = await deps.store.getWorkflow(name, version);
        if (!v) throw notFound(`workflow ${JSON.stringify(name)} has no version ${version}`);
        return json(200, { ...versionSummary(v), document: v.document });
      },
    },
  ];
}

// `?q=` filters by name or description; `limit` (default and most 10,000) and `offset` page.
async function listPage(deps: WorkflowHandlerDeps, query: URLSearchParams): Promise<Reply> {
  const q = (query.get("q") ?? "").toLowerCase();
  if (q.length > 200) throw badRequest("q must be at most 200 characters");
  const limit = wholeNumber(query.get("limit"), "limit", MAX_LIST, MAX_LIST, 1);
  const offset = wholeNumber(query.get("offset"), "offset", 0, Number.MAX_SAFE_INTEGER, 0);
  const all = deps.workflows.list();
  const matching =
    q === ""
      ? all
      : all.filter(
          (e) =>
            e.workflow.name.includes(q) || (e.workflow.description ?? "").toLowerCase().includes(q),
        );
  const entries = matching.slice(offset, offset + limit);
  // One query for the page's last runs. A page of thousands (a full export, not a screen)
  // goes without them: that query grows with the page, the rest of the answer barely does.
  const recent =
    entries.length <= MAX_LAST_RUNS_PAGE
      ? await deps.store.listRecentRuns(
          LAST_RUNS,
          entries.map((e) => e.workflow.name),
        )
      : undefined;
  const page = entries.map((e) => ({
    ...summary(e, deps.schedules),
    owner: deps.owners.ownerName(e.workflow.name),
    ...(recent && {
      lastRuns: (recent.get(e.workflow.name) ?? []).map((r) => ({
        id: r.id,
        state: r.state,
        logicalDate: r.logicalDate,
        trigger: r.trigger,
      })),
    }),
  }));
  return json(200, { workflows: page, total: matching.length, offset, limit });
}

function wholeNumber(raw: string | null, what: string, dflt: number, max: number, min: number) {
  if (raw === null || raw === "") return dflt;
  const n = /^[0-9]{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max))
    throw badRequest(`${what} must be a whole number from ${min} to ${max}`);
  return n;
}

async function save(
  deps: WorkflowHandlerDeps,
  workflow: Workflow,
  status: number,
  principal: Principal | undefined,
): Promise<Reply> {
  const before = deps.workflows.get(workflow.name)?.version;
  const saved = await deps.store.saveWorkflow(
    workflow.name,
    workflowToDocument(workflow),
    undefined,
    principal?.username,
  );
  await deps.store.setDeleted(workflow.name, null);
  deps.workflows.set({ workflow, baseDir: deps.libraryDir, version: saved.version, path: "" });
  await deps.schedules.added(workflow.name);
  return json(
    status,
    {
      name: workflow.name,
      version: saved.version,
      changed: saved.version !== before,
      ...deps.schedules.status(workflow.name),
      owner: deps.owners.ownerName(workflow.name),
      document: saved.document,
    },
    { location: `/api/v1/workflows/${workflow.name}` },
  );
}

function ownedBy(deps: WorkflowHandlerDeps, name: string): Resource {
  return { kind: "workflow", name, ownerId: deps.owners.ownerId(name) };
}

// Naming a connection in a task grants it the connection's secrets: that needs its own right.
function mayGrant(principal: Principal | undefined, workflow: Workflow): void {
  if (Object.values(workflow.tasks).some((t) => (t.connections ?? []).length > 0))
    authorize(principal, "connection:use");
}

// The guard has authorized the route; this narrows the type (and refuses if it had not).
function mustHave(principal: Principal | undefined): Principal {
  authorize(principal, "workflow:create");
  return principal;
}

// `{document: {...}}` (the JSON form, as the designer sends it) or `{yaml: "..."}` (a file's text).
function workflowFromBody(body: unknown): Workflow {
  const shape = 'the request body must be {"document": {...}} or {"yaml": "..."}';
  if (!isObject(body)) throw badRequest(shape);
  const keys = Object.keys(body);
  const unknown = keys.filter((k) => k !== "document" && k !== "yaml");
  if (unknown.length > 0 || keys.length !== 1) {
    throw badRequest(`${shape}; got the field(s) ${keys.join(", ") || "none"}`, { fields: keys });
  }
  const yaml = getOwn(body, "yaml");
  if (yaml !== undefined) {
    if (typeof yaml !== "string") throw badRequest(`"yaml" must be the text of a workflow file`);
    return parseWorkflowText(yaml, { filename: "the request" });
  }
  const { workflow, issues } = validateWorkflowDocument(getOwn(body, "document"));
  if (!workflow) throw new ValidationError(issues);
  return workflow;
}

function checkName(name: string): string {
  if (!WORKFLOW_NAME_RE.test(name)) {
    throw badRequest(`not a valid workflow name: ${JSON.stringify(name.slice(0, 80))}`);
  }
  return name;
}

function parseLimit(raw: string | null): number {
  if (raw === null) return MAX_VERSIONS;
  const n = /^[0-9]{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_VERSIONS)) {
    throw badRequest(`limit must be a whole number from 1 to ${MAX_VERSIONS}`);
  }
  return n;
}

function versionSummary(v: WorkflowVersionRecord) {
  return {
    name: v.name,
    version: v.version,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    source: v.source ?? null,
  };
}
