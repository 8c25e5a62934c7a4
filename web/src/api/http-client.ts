/** ApiClient over fetch against an Updraft server's `/api/v1`. */
import type { JsonObject } from "../core/model.js";
import type { ApiClient } from "./api-client.js";
import * as live from "./live.js";
import {
  ApiError,
  type NotebookEntry,
  type ParameterInfo,
  type RunView,
  type StoredWorkflow,
  type UserView,
  type WorkflowPage,
  type WorkflowQuery,
  type WorkflowSummary,
  type WorkflowVersion,
  type WorkflowVersionDoc,
} from "./types.js";

/** Where the session token is kept between page loads. */
export interface TokenStore {
  get(): string | null;
  set(token: string | null): void;
}

/** A token store over `sessionStorage` (or any Storage). */
export function storageTokenStore(storage: Storage, key = "updraft.token"): TokenStore {
  return {
    get: () => storage.getItem(key),
    set: (token) => (token === null ? storage.removeItem(key) : storage.setItem(key, token)),
  };
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

const enc = encodeURIComponent;

/** The HTTP implementation of ApiClient. */
export class HttpApiClient implements ApiClient {
  private readonly unauthorized = new Set<(message: string) => void>();

  constructor(
    private readonly tokens: TokenStore,
    private readonly fetchFn: Fetch,
    private readonly base = "/api/v1",
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json" };
    const token = this.tokens.get();
    if (token !== null) headers["authorization"] = `Bearer ${token}`;
    const init: RequestInit = { method, headers };
    if (body instanceof FormData) {
      // fetch sets the multipart content type with its boundary.
      init.body = body;
    } else if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}${path}`, init);
    } catch (err) {
      throw new ApiError(0, "E_NETWORK", `the server cannot be reached (${String(err)})`);
    }
    if (!res.ok) {
      const error = await errorOf(res);
      // A wrong password is the sign-in form's business, not an expired session.
      if (res.status === 401 && path !== "/auth/login") {
        this.tokens.set(null);
        for (const listener of [...this.unauthorized]) listener(error.message);
      }
      throw error;
    }
    return res;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call(method, path, body);
    return (await res.json()) as T;
  }

  async login(username: string, password: string): Promise<UserView> {
    const { token, user } = await this.json<{ token: string; user: UserView }>(
      "POST",
      "/auth/login",
      { username, password },
    );
    if (typeof token !== "string" || token === "")
      throw new ApiError(502, "E_HTTP", "the server's sign-in answer holds no token");
    this.tokens.set(token);
    return typeof user === "object" && user !== null ? user : this.me();
  }
  async logout(): Promise<void> {
    try {
      if (this.tokens.get() !== null) await this.call("POST", "/auth/logout");
    } finally {
      // Signed out here even when the server cannot be told (the token expires anyway).
      this.tokens.set(null);
    }
  }
  signedIn(): boolean {
    return this.tokens.get() !== null;
  }
  me(): Promise<UserView> {
    return this.json("GET", "/auth/me");
  }
  onUnauthorized(listener: (message: string) => void): () => void {
    this.unauthorized.add(listener);
    return () => this.unauthorized.delete(listener);
  }
  health(): Promise<{ status: string }> {
    return this.json("GET", "/health");
  }
  async listWorkflows(): Promise<WorkflowSummary[]> {
    return (await this.json<{ workflows: WorkflowSummary[] }>("GET", "/workflows")).workflows;
  }
  searchWorkflows(query: WorkflowQuery): Promise<WorkflowPage> {
    const q = new URLSearchParams();
    if (query.q !== undefined && query.q !== "") q.set("q", query.q);
    if (query.limit !== undefined) q.set("limit", String(query.limit));
    if (query.offset !== undefined) q.set("offset", String(query.offset));
    const qs = q.toString();
    return this.json("GET", `/workflows${qs === "" ? "" : `?${qs}`}`);
  }
  createWorkflow(document: JsonObject): Promise<StoredWorkflow> {
    return this.json("POST", "/workflows", { document });
  }
  importWorkflowYaml(text: string): Promise<StoredWorkflow> {
    return this.json("POST", "/workflows", { yaml: text });
  }
  setPaused(name: string, paused: boolean): Promise<WorkflowSummary> {
    return this.json("POST", `/workflows/${enc(name)}/${paused ? "pause" : "unpause"}`);
  }
  getWorkflow(name: string): Promise<StoredWorkflow> {
    return this.json("GET", `/workflows/${enc(name)}`);
  }
  saveWorkflow(name: string, document: JsonObject): Promise<StoredWorkflow> {
    return this.json("PUT", `/workflows/${enc(name)}`, { document });
  }
  async deleteWorkflow(name: string): Promise<void> {
    await this.call("DELETE", `/workflows/${enc(name)}`);
  }
  async listVersions(name: string): Promise<WorkflowVersion[]> {
    return (
      await this.json<{ versions: WorkflowVersion[] }>("GET", `/workflows/${enc(name)}/versions`)
    ).versions;
  }
  getVersion(name: string, version: number): Promise<WorkflowVersionDoc> {
    return this.json("GET", `/workflows/${enc(name)}/versions/${version}`);
  }
  triggerRun(name: string, params: JsonObject): Promise<RunView> {
    return this.json("POST", `/workflows/${enc(name)}/runs`, { params });
  }
  async listRuns(workflow?: string): Promise<RunView[]> {
    const q = workflow === undefined ? "" : `?workflow=${enc(workflow)}`;
    return (await this.json<{ runs: RunView[] }>("GET", `/runs${q}`)).runs;
  }
  getRun(id: string): Promise<RunView> {
    return this.json("GET", `/runs/${enc(id)}`);
  }
  cancelRun(id: string): Promise<RunView> {
    return this.json("POST", `/runs/${enc(id)}/cancel`);
  }
  repairRun(id: string): Promise<RunView> {
    return this.json("POST", `/runs/${enc(id)}/repair`);
  }
  async taskLog(id: string, task: string): Promise<string> {
    return (await this.call("GET", `/runs/${enc(id)}/tasks/${enc(task)}/log`)).text();
  }
  taskNotebook(id: string, task: string): Promise<JsonObject> {
    return this.json("GET", `/runs/${enc(id)}/tasks/${enc(task)}/notebook`);
  }
  async listNotebooks(): Promise<NotebookEntry[]> {
    return (await this.json<{ notebooks: NotebookEntry[] }>("GET", "/notebooks")).notebooks;
  }
  uploadNotebook(path: string, content: JsonObject): Promise<NotebookEntry> {
    return this.json("POST", "/notebooks", { path, content });
  }
  uploadNotebookFile(path: string, file: Blob, overwrite: boolean): Promise<NotebookEntry> {
    const form = new FormData();
    form.set("path", path);
    form.set("overwrite", overwrite ? "true" : "false");
    form.set("file", file, path.split("/").at(-1) ?? "notebook.ipynb");
    return this.json("POST", "/notebooks", form);
  }
  getNotebook(path: string): Promise<JsonObject> {
    return this.json("GET", `/notebooks/${notebookPath(path)}`);
  }
  async notebookParams(path: string): Promise<ParameterInfo[]> {
    return (
      await this.json<{ params: ParameterInfo[] }>("GET", `/notebooks/${notebookPath(path)}/params`)
    ).params;
  }
  async airflowDag(name: string): Promise<string> {
    return (await this.call("GET", `/workflows/${enc(name)}/airflow`)).text();
  }
  private sse(): live.SseOpener {
    return live.fetchSseOpener(
      this.fetchFn,
      this.base,
      () => this.tokens.get(),
      (message) => {
        this.tokens.set(null);
        for (const listener of [...this.unauthorized]) listener(message);
      },
    );
  }
  watchEvents(
    filter: live.EventFilter,
    handlers: live.LiveHandlers<live.LiveEvent>,
    signal: AbortSignal,
  ): Promise<void> {
    return live.watchEventsOver(this.sse(), filter, handlers, signal);
  }
  followTaskLog(
    id: string,
    task: string,
    handlers: live.LiveHandlers<live.LogStreamEvent>,
    signal: AbortSignal,
  ): Promise<void> {
    return live.followLogOver(this.sse(), id, task, handlers, signal);
  }
}

/** A notebook path in a URL: each segment encoded, the slashes kept. */
function notebookPath(path: string): string {
  return path.split("/").map(enc).join("/");
}

/** The ApiError of a non-2xx response, from its `{error: {code, message, details}}` body when it has one. */
async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as {
      error?: { code?: unknown; message?: unknown; details?: unknown };
    };
    const e = body.error;
    if (e !== undefined && typeof e.message === "string") {
      return new ApiError(
        res.status,
        typeof e.code === "string" ? e.code : "E_HTTP",
        e.message,
        e.details,
      );
    }
  } catch {
    // Not JSON: fall through to the status line.
  }
  return new ApiError(res.status, "E_HTTP", `the server answered ${res.status} ${res.statusText}`);
}
