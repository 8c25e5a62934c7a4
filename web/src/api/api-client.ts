/**
 * What the web app asks of the server: one method per endpoint of DESIGN.md §8. Pages
 * receive an ApiClient, so they run against the real server (HttpApiClient) or an
 * in-memory one (MemoryApiClient) for development and tests.
 */
import type { JsonObject } from "../core/model.js";
import type {
  NotebookEntry,
  ParameterInfo,
  RunView,
  StoredWorkflow,
  WorkflowSummary,
  WorkflowVersion,
} from "./types.js";

/** The HTTP API of an Updraft server. */
export interface ApiClient {
  /** `POST /auth/login`: signs in and keeps the token for later calls. */
  login(username: string, password: string): Promise<void>;
  /** Forgets the token. */
  logout(): void;
  /** True while a token is held. */
  signedIn(): boolean;
  /** `GET /health`. */
  health(): Promise<{ status: string }>;
  /** `GET /workflows`. */
  listWorkflows(): Promise<WorkflowSummary[]>;
  /** `POST /workflows`: creates a workflow from a document. */
  createWorkflow(document: JsonObject): Promise<StoredWorkflow>;
  /** `GET /workflows/{name}`: the latest version. */
  getWorkflow(name: string): Promise<StoredWorkflow>;
  /** `PUT /workflows/{name}`: saves a new version. */
  saveWorkflow(name: string, document: JsonObject): Promise<StoredWorkflow>;
  /** `DELETE /workflows/{name}`. */
  deleteWorkflow(name: string): Promise<void>;
  /** `GET /workflows/{name}/versions`. */
  listVersions(name: string): Promise<WorkflowVersion[]>;
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
  /** `GET /notebooks/{path}/params`: the notebook's declared parameters. */
  notebookParams(path: string): Promise<ParameterInfo[]>;
  /** `GET /workflows/{name}/airflow`: the generated DAG file. */
  airflowDag(name: string): Promise<string>;
}
