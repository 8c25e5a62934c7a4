/**
 * What each route of `apiRoutes` does, for the OpenAPI document: one entry per
 * `METHOD pattern`. `openapi.test.ts` fails when a route has no entry here (or an entry
 * has no route), so a new endpoint cannot ship undocumented.
 */
import type { JsonObject } from "../spec/types.js";
import { AUTH_ROUTE_DOCS } from "./openapi-auth-routes.js";
import { ref } from "./openapi-schemas.js";

/** A query parameter of a route. */
export interface QueryDoc {
  name: string;
  description: string;
  schema: JsonObject;
}

/** One possible answer of a route. */
export interface ResponseDoc {
  description: string;
  /** Media type to schema; none for an empty body. */
  content?: Record<string, JsonObject>;
  /** For `text/event-stream`: event name to the schema of its `data`. */
  events?: Record<string, JsonObject>;
}

/** The documentation of one route. */
export interface RouteDoc {
  tag: string;
  summary: string;
  description?: string;
  /** Descriptions of the pattern's `:captures`, by name. */
  pathParams?: Record<string, string>;
  query?: QueryDoc[];
  requestBody?: {
    description: string;
    required: boolean;
    /** The `application/json` body. */
    schema: JsonObject;
    /** Other media types accepted, to their schema. */
    alsoAccepts?: Record<string, JsonObject>;
  };
  /** Answers by status; the common error answers are added by the builder. */
  responses: Record<string, ResponseDoc>;
  /** Needs no token (the route's access is `public`; openapi.test.ts checks they agree). */
  public?: true;
}

const JSON_TYPE = "application/json";

const ok = (description: string, schema: JsonObject): ResponseDoc => ({
  description,
  content: { [JSON_TYPE]: schema },
});

const failure = (description: string): ResponseDoc => ({
  description,
  content: { [JSON_TYPE]: ref("Error") },
});

const WORKFLOW = { name: "Workflow name, e.g. `iris-training`." };
const RUN = { id: "Run id." };
const NO_BODY = "Ignored; send none.";

const limitQuery = (max: number, otherwise: string): QueryDoc => ({
  name: "limit",
  description: `How many to return, 1 to ${max} (${otherwise}).`,
  schema: { type: "integer", minimum: 1, maximum: max },
});

/** Every documented route, by `METHOD pattern` exactly as `apiRoutes` lists it. */
export const ROUTE_DOCS: Readonly<Record<string, RouteDoc>> = {
  ...AUTH_ROUTE_DOCS,
  "GET /api/v1/health": {
    tag: "service",
    summary: "Liveness",
    description: "Answers while the server is up; needs no authentication.",
    public: true,
    responses: { "200": ok("The server is up.", ref("Health")) },
  },
  "GET /metrics": {
    tag: "service",
    summary: "Prometheus metrics",
    description:
      "Runs, task attempts, HTTP requests and the process, in the Prometheus text format.",
    responses: {
      "200": {
        description: "The exposition text.",
        content: { "text/plain; version=0.0.4": { type: "string" } },
      },
    },
  },
  "GET /api/v1/openapi.json": {
    tag: "service",
    summary: "This OpenAPI document",
    public: true,
    responses: {
      "200": ok("The OpenAPI 3.1 document.", { type: "object" }),
    },
  },
  "GET /api/v1/docs": {
    tag: "service",
    summary: "API reference page",
    public: true,
    description: "This document rendered as a self-contained HTML page.",
    responses: {
      "200": { description: "The page.", content: { "text/html": { type: "string" } } },
    },
  },
  "GET /api/v1/events": {
    tag: "live",
    summary: "Stream of run and task state changes (SSE)",
    description:
      "Server-sent events, one per persisted state change, until the client disconnects. " +
      "Events are named `run` and `task`; `data` is their JSON.",
    query: [
      { name: "run", description: "Only the events of this run.", schema: { type: "string" } },
      {
        name: "workflow",
        description: "Only the events of this workflow's runs.",
        schema: { type: "string", pattern: "^[a-z][a-z0-9_-]{0,62}$" },
      },
    ],
    responses: {
      "200": {
        description: "An endless event stream.",
        content: { "text/event-stream": { type: "string" } },
        events: { run: ref("RunEvent"), task: ref("TaskEvent") },
      },
      "400": failure("A malformed run id or workflow name."),
    },
  },
  "GET /api/v1/workflows": {
    tag: "workflows",
    summary: "List workflows",
    responses: { "200": ok("The workflows of the catalog.", ref("WorkflowList")) },
  },
  "POST /api/v1/workflows": {
    tag: "workflows",
    summary: "Create a workflow",
    description: "Validated as `updraft validate` does; every issue is listed with its path.",
    requestBody: { description: "The workflow.", required: true, schema: ref("WorkflowSave") },
    responses: {
      "201": ok("Created as version 1.", ref("WorkflowSaved")),
      "400": failure("The document is invalid; `details` lists the issues."),
      "409": failure("A workflow of that name exists; PUT saves a new version."),
      "413": failure("The body is too large."),
    },
  },
  "GET /api/v1/workflows/:name": {
    tag: "workflows",
    summary: "Read a workflow (latest version)",
    pathParams: WORKFLOW,
    responses: {
      "200": ok("The workflow.", ref("WorkflowDetail")),
      "404": failure("No such workflow."),
    },
  },
  "PUT /api/v1/workflows/:name": {
    tag: "workflows",
    summary: "Save a new version of a workflow",
    description: "An unchanged document keeps its version (`changed: false`).",
    pathParams: WORKFLOW,
    requestBody: { description: "The workflow.", required: true, schema: ref("WorkflowSave") },
    responses: {
      "200": ok("Saved.", ref("WorkflowSaved")),
      "400": failure("The document is invalid or names another workflow."),
      "404": failure("No such workflow; POST creates it."),
      "413": failure("The body is too large."),
    },
  },
  "GET /api/v1/workflows/:name/versions": {
    tag: "workflows",
    summary: "Version history",
    pathParams: WORKFLOW,
    query: [limitQuery(1000, "all when absent")],
    responses: {
      "200": ok("The versions, newest first.", ref("WorkflowVersionList")),
      "404": failure("No such workflow."),
    },
  },
  "GET /api/v1/workflows/:name/versions/:version": {
    tag: "workflows",
    summary: "Read an old version",
    pathParams: { ...WORKFLOW, version: "Version number, from 1." },
    responses: {
      "200": ok("That version.", ref("WorkflowVersionDetail")),
      "404": failure("No such workflow or version."),
    },
  },
  "GET /api/v1/workflows/:name/airflow": {
    tag: "workflows",
    summary: "Generated Airflow DAG file",
    pathParams: WORKFLOW,
    responses: {
      "200": { description: "Python source.", content: { "text/x-python": { type: "string" } } },
      "404": failure("No such workflow."),
    },
  },
  "POST /api/v1/workflows/:name/runs": {
    tag: "runs",
    summary: "Trigger a run",
    pathParams: WORKFLOW,
    requestBody: { description: "Param values.", required: false, schema: ref("RunRequest") },
    responses: {
      "201": ok("The run, just created (Location has its URL).", ref("Run")),
      "400": failure("Unknown fields, or a param value of the wrong type."),
      "404": failure("No such workflow."),
    },
  },
  "POST /api/v1/workflows/:name/backfill": {
    tag: "runs",
    summary: "Backfill a past range",
    description:
      "One run per schedule interval whose start lies between `from` and `to` (both " +
      "inclusive; a date covers its whole day in the workflow's time zone), as " +
      "`updraft backfill` does; intervals that already succeeded are skipped unless `rerun`.",
    pathParams: WORKFLOW,
    requestBody: {
      description: "The range, and optional params, rerun and dryRun.",
      required: true,
      schema: {
        type: "object",
        required: ["from", "to"],
        additionalProperties: false,
        properties: {
          from: { type: "string", description: "YYYY-MM-DD or an ISO date-time with offset." },
          to: { type: "string", description: "YYYY-MM-DD or an ISO date-time with offset." },
          params: { type: "object" },
          rerun: { type: "boolean" },
          dryRun: { type: "boolean" },
        },
      },
    },
    responses: {
      "200": ok("Dry run: the logical dates it would run.", { type: "object" }),
      "201": ok("The created runs and the skipped logical dates.", { type: "object" }),
      "400": failure("A bad range, an unscheduled workflow, or bad params."),
      "404": failure("No such workflow."),
    },
  },
  "POST /api/v1/workflows/:name/pause": {
    tag: "workflows",
    summary: "Pause the schedule",
    pathParams: WORKFLOW,
    requestBody: { description: NO_BODY, required: false, schema: {} },
    responses: {
      "200": ok("The workflow, paused.", ref("WorkflowSummary")),
      "404": failure("No such workflow."),
    },
  },
  "POST /api/v1/workflows/:name/unpause": {
    tag: "workflows",
    summary: "Unpause the schedule",
    pathParams: WORKFLOW,
    requestBody: { description: NO_BODY, required: false, schema: {} },
    responses: {
      "200": ok("The workflow, scheduled again.", ref("WorkflowSummary")),
      "404": failure("No such workflow."),
    },
  },
  "GET /api/v1/runs": {
    tag: "runs",
    summary: "List runs",
    query: [
      { name: "workflow", description: "Only this workflow's runs.", schema: { type: "string" } },
      limitQuery(500, "50 when absent"),
    ],
    responses: {
      "200": ok("Runs, newest first, with their tasks.", ref("RunList")),
      "400": failure("A bad limit."),
    },
  },
  "GET /api/v1/runs/:id": {
    tag: "runs",
    summary: "Read a run",
    pathParams: RUN,
    responses: {
      "200": ok("The run with its task states and outputs.", ref("Run")),
      "400": failure("A malformed run id."),
      "404": failure("No such run."),
    },
  },
  "POST /api/v1/runs/:id/cancel": {
    tag: "runs",
    summary: "Cancel a run",
    pathParams: RUN,
    requestBody: { description: NO_BODY, required: false, schema: {} },
    responses: {
      "200": ok("The run after the cancel request.", ref("Run")),
      "404": failure("No such run."),
    },
  },
  "POST /api/v1/runs/:id/repair": {
    tag: "runs",
    summary: "Repair a run",
    description:
      "Re-runs the failed and cancelled tasks and their downstream, reusing upstream outputs.",
    pathParams: RUN,
    requestBody: { description: NO_BODY, required: false, schema: {} },
    responses: {
      "200": ok("The run, queued again.", ref("Run")),
      "404": failure("No such run."),
      "409": failure("The run is still active, or has nothing to repair."),
    },
  },
  "GET /api/v1/runs/:id/tasks/:task/log": {
    tag: "live",
    summary: "A task's log (SSE with ?follow=1)",
    description:
      "The latest attempt's log as text; with `follow=1`, server-sent events across retries " +
      "until the task ends: `attempt`, `log`, and a final `end`.",
    pathParams: { ...RUN, task: "Task id." },
    query: [
      {
        name: "follow",
        description: "`1` or `true`: stream the log as it grows.",
        schema: { type: "string", enum: ["1", "true"] },
      },
    ],
    responses: {
      "200": {
        description: "The log text, or (follow) the event stream.",
        content: { "text/plain": { type: "string" }, "text/event-stream": { type: "string" } },
        events: { attempt: ref("AttemptEvent"), log: ref("LogEvent"), end: ref("EndEvent") },
      },
      "400": failure("A malformed run or task id."),
      "404": failure("No such run, task or log."),
    },
  },
  "DELETE /api/v1/workflows/:name": {
    tag: "workflows",
    summary: "Delete a workflow",
    description:
      "Removes the workflow from the server and stops its schedule. Its versions and runs are " +
      "kept; creating a workflow of the same name later continues its version history, and a " +
      "file of that name under --examples is no longer loaded.",
    pathParams: { name: "Workflow name." },
    responses: {
      "200": { description: "Deleted.", content: { "application/json": { type: "object" } } },
      "400": failure("A malformed workflow name."),
      "404": failure("No such workflow."),
    },
  },
  "GET /api/v1/runs/:id/tasks/:task/notebook": {
    tag: "runs",
    summary: "The executed notebook of a notebook task",
    description:
      "The output notebook (.ipynb, nbformat 4.5, with papermill metadata) of the latest " +
      "attempt, or of `attempt`. Saved as cells finish, so a running task shows its partial output.",
    pathParams: { ...RUN, task: "Task id." },
    query: [
      {
        name: "attempt",
        description: "Attempt number (default: the latest).",
        schema: { type: "integer", minimum: 1 },
      },
    ],
    responses: {
      "200": {
        description: "The notebook.",
        content: { "application/x-ipynb+json": { type: "object" } },
      },
      "400": failure("A malformed run id, task id or attempt."),
      "404": failure("No such run, task, attempt or notebook."),
    },
  },
  "GET /api/v1/notebooks": {
    tag: "notebooks",
    summary: "List the notebook library",
    responses: { "200": ok("Every notebook of the library.", ref("NotebookList")) },
  },
  "POST /api/v1/notebooks": {
    tag: "notebooks",
    summary: "Upload a notebook",
    description:
      "As JSON `{path, content}` or as `multipart/form-data` with fields `path` and `file`. " +
      "Paths are confined to the library: no `..`, no absolute paths.",
    requestBody: {
      description: "The notebook and where to put it.",
      required: true,
      schema: ref("NotebookUpload"),
      alsoAccepts: { "multipart/form-data": ref("NotebookMultipartUpload") },
    },
    responses: {
      "201": ok("Created.", ref("NotebookEntry")),
      "200": ok("Replaced (`overwrite`).", ref("NotebookEntry")),
      "400": failure("A bad path, or content that is not a notebook."),
      "409": failure("A notebook exists at that path; send overwrite."),
    },
  },
  "GET /api/v1/notebooks/*path/params": {
    tag: "notebooks",
    summary: "A notebook's declared params",
    pathParams: { path: "Path in the library; its slashes stay as they are." },
    responses: {
      "200": ok("The parameters.", ref("NotebookParams")),
      "400": failure("A path outside the library."),
      "404": failure("No such notebook."),
    },
  },
  "GET /api/v1/notebooks/*path": {
    tag: "notebooks",
    summary: "Read a notebook",
    pathParams: { path: "Path in the library; its slashes stay as they are." },
    responses: {
      "200": {
        description: "The notebook file.",
        content: { "application/x-ipynb+json": { type: "object" } },
      },
      "400": failure("A path outside the library."),
      "404": failure("No such notebook."),
    },
  },
};
