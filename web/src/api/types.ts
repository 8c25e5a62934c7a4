/**
 * Shapes of the HTTP API (DESIGN.md §8) as the web app reads them. Mirrored rather than
 * imported from the server, whose modules pull in Node-only code.
 */
import type { ParameterInfo } from "../../../src/notebook/inspect-types.js";
import type { JsonObject, ParamSpec } from "../../../src/spec/types.js";

export type { ParameterInfo };

/** A row of the workflows list (`GET /api/v1/workflows`). */
export interface WorkflowSummary {
  name: string;
  description: string | null;
  version: number;
  schedule: string | null;
  tasks: number;
  params: Record<string, ParamSpec>;
  /** Paused workflows are not scheduled (new ones start paused). */
  paused?: boolean;
  /** When the next scheduled run is due (ISO), null when paused or unscheduled. */
  nextRun?: string | null;
  /** The user who created the workflow. */
  owner?: string | null;
  /** The latest runs, newest first. */
  lastRuns?: LastRun[];
}

/** A recent run as the workflows list shows it. */
export interface LastRun {
  id: string;
  state: RunState;
  logicalDate?: string | null;
}

/** What to list of the workflows (`?q=&limit=&offset=`). */
export interface WorkflowQuery {
  /** Part of a name or description (case-insensitive). */
  q?: string;
  limit?: number;
  offset?: number;
}

/** One page of the workflows list, with how many match in all. */
export interface WorkflowPage {
  workflows: WorkflowSummary[];
  total: number;
  offset: number;
  limit: number;
}

/** Roles, weakest first: a viewer reads, an editor also writes, an admin does everything. */
export type Role = "viewer" | "editor" | "admin";

/** The signed-in user (`GET /api/v1/auth/me`). */
export interface UserView {
  id: string;
  username: string;
  role: Role;
}

/** A stored workflow (`GET /api/v1/workflows/{name}`). */
export interface StoredWorkflow {
  name: string;
  version: number;
  /** The workflow document (plain JSON, as the validator reads it). */
  document: JsonObject;
  paused?: boolean;
  nextRun?: string | null;
  owner?: string | null;
}

/** One entry of a workflow's version history. */
export interface WorkflowVersion {
  version: number;
  createdAt: string;
  /** The file it was loaded from, null when saved through the API. */
  source?: string | null;
  /** The user who saved it. */
  createdBy?: string | null;
}

/** One version with its document (`GET /api/v1/workflows/{name}/versions/{v}`). */
export interface WorkflowVersionDoc extends WorkflowVersion {
  document: JsonObject;
}

/** States of tasks and runs (DESIGN.md §5), as the store defines them. */
import type { RunState, TaskState } from "../../../src/store/types.js";
export type { RunState, TaskState };

/** A task of a run. */
export interface TaskView {
  state: TaskState;
  attempts: number;
  outputs: JsonObject;
  startedAt: string | null;
  endedAt: string | null;
  /** Why the task failed (the server's `{code, message}`). */
  error: { code: string; message: string } | null;
}

/** A run with its tasks (`GET /api/v1/runs/{id}`). */
export interface RunView {
  id: string;
  workflow: string;
  version: number;
  state: RunState;
  params: JsonObject;
  logicalDate?: string;
  trigger?: string;
  startedAt: string | null;
  endedAt: string | null;
  tasks: Record<string, TaskView>;
}

/** A notebook of the library (`GET /api/v1/notebooks`). */
export interface NotebookEntry {
  path: string;
  /** The kernel or language, when the library reports it. */
  kernel?: string | null;
  /** The parameter language (python, R, …), when known. */
  language?: string | null;
  size?: number;
  /** Last modification, ISO 8601. */
  modified?: string;
  /** How many parameters the notebook declares; null when unreadable. */
  params?: number | null;
  /** Why the file does not read as a notebook, or null. */
  error?: string | null;
}

/** An error the API answered with (`{error: {code, message, details}}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}
