/**
 * What the web app asks of the server: one method per endpoint of DESIGN.md §8. Pages
 * receive an ApiClient, so they run against the real server (HttpApiClient) or an
 * in-memory one (MemoryApiClient) for development and tests.
 */
import type { JsonObject } from "../core/model.js";
import type { EventFilter, LiveEvent, LiveHandlers, LogStreamEvent } from "./live.js";
import type {
  NotebookEntry,
  ParameterInfo,
  RunView,
  StoredWorkflow,
  UserView,
  WorkflowPage,
  WorkflowQuery,
  WorkflowSummary,
  WorkflowVersion,
  WorkflowVersionDoc,
} from "./types.js";

/** The HTTP API of an Updraft server. */
export interface ApiClient {
  /** `POST /auth/login`: signs in and keeps the token for later calls. */
  login(username: string, password: string): Promise<UserView>;
  /** `POST /auth/logout` (revokes the token), then forgets the token even if that failed. */
  logout(): Promise<void>;
  /** True while a token is held. */
  signedIn(): boolean;
  /** `GET /auth/me`: the signed-in user. */
  me(): Promise<UserView>;
  /**
   * Calls `listener` with the server's message whenever an answer is 401 (the token is
   * then forgotten); returns the unsubscribe function.
   */
  onUnauthorized(listener: (message: string) => void): () => void;
  /** `GET /health`. */
  health(): Promise<{ status: string }>;
  /** `GET /workflows`. */
  listWorkflows(): Promise<WorkflowSummary[]>;
  /** `GET /workflows?q=&limit=&offset=`: one page of matching workflows and their count. */
  searchWorkflows(query: WorkflowQuery): Promise<WorkflowPage>;
  /** `POST /workflows`: creates a workflow from a document. */
  createWorkflow(document: JsonObject): Promise<StoredWorkflow>;
  /** `POST /workflows` `{yaml}`: creates a workflow from a workflow file's text. */
  importWorkflowYaml(text: string): Promise<StoredWorkflow>;
  /** `POST /workflows/{name}/pause` or `/unpause`. */
  setPaused(name: string, paused: boolean): Promise<WorkflowSummary>;
  /** `GET /workflows/{name}`: the latest version. */
  getWorkflow(name: string): Promise<StoredWorkflow>;
  /** `PUT /workflows/{name}`: saves a new version. */
  saveWorkflow(name: string, document: JsonObject): Promise<StoredWorkflow>;
  /** `DELETE /workflows/{name}`. */
  deleteWorkflow(name: string): Promise<void>;
  /** `GET /workflows/{name}/versions` (newest first). */
  listVersions(name: string): Promise<WorkflowVersion[]>;
  /** `GET /workflows/{name}/versions/{version}`: one version with its document. */
  getVersion(name: string, version: number): Promise<WorkflowVersionDoc>;
  /** `POST /workflows/{name}/runs`: triggers a run with params. */
  triggerRun(name: string, params: JsonObject): Promise<RunView>;
  /** `GET /runs?workflow=NAME`. */
  listRuns(workflow?: string): Promise<RunView[]>;
  /** `GET /runs/{id}`. */
  getRun(id: string): Promise<RunView>;
  /** `POST /runs/{id}/cancel`. */
  cancelRun(id: string): Promise<RunView>;
  /** `POST /runs/{id}/repair`. */
  repairRun(id: string): Promise<RunView>;
  /** `GET /runs/{id}/tasks/{task}/log`. */
  taskLog(id: string, task: string): Promise<string>;
  /** `GET /runs/{id}/tasks/{task}/notebook`: the executed notebook's JSON. */
  taskNotebook(id: string, task: string): Promise<JsonObject>;
  /** `GET /notebooks`. */
  listNotebooks(): Promise<NotebookEntry[]>;
  /** `POST /notebooks`: uploads a notebook's JSON at `path`. */
  uploadNotebook(path: string, content: JsonObject): Promise<NotebookEntry>;
  /** `POST /notebooks` as multipart: uploads an `.ipynb` file (the server checks it). */
  uploadNotebookFile(path: string, file: Blob, overwrite: boolean): Promise<NotebookEntry>;
  /** `GET /notebooks/{path}`: the notebook's JSON. */
  getNotebook(path: string): Promise<JsonObject>;
  /** `GET /notebooks/{path}/params`: the notebook's declared parameters. */
  notebookParams(path: string): Promise<ParameterInfo[]>;
  /** `GET /workflows/{name}/airflow`: the generated DAG file. */
  airflowDag(name: string): Promise<string>;
  /** `GET /events[?run=&workflow=]` over SSE, reopened after drops, until `signal` aborts. */
  watchEvents(
    filter: EventFilter,
    handlers: LiveHandlers<LiveEvent>,
    signal: AbortSignal,
  ): Promise<void>;
  /** `GET /runs/{id}/tasks/{task}/log?follow=1` over SSE, until the task ends or `signal` aborts. */
  followTaskLog(
    id: string,
    task: string,
    handlers: LiveHandlers<LogStreamEvent>,
    signal: AbortSignal,
  ): Promise<void>;
}
