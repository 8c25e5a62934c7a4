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
}

/** A stored workflow (`GET /api/v1/workflows/{name}`). */
export interface StoredWorkflow {
  name: string;
  version: number;
  /** The workflow document (plain JSON, as the validator reads it). */
  document: JsonObject;
}

/** One entry of a workflow's version history. */
export interface WorkflowVersion {
  version: number;
  createdAt: string;
  author?: string | null;
}

/** States of a task attempt (DESIGN.md §5). */
export type TaskState =
  | "pending"
  | "queued"
  | "running"
  | "succeeded"
  | "failed"
  | "retrying"
  | "upstream_failed"
  | "skipped"
  | "cancelled";

/** States of a run. */
export type RunState = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** A task of a run. */
export interface TaskView {
  state: TaskState;
  attempts: number;
  outputs: JsonObject;
  startedAt: string | null;
  endedAt: string | null;
  error: string | null;
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
  kernel?: string;
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
