/** ApiClient over fetch against an Updraft server's `/api/v1`. */
import type { JsonObject } from "../core/model.js";
import type { ApiClient } from "./api-client.js";
import {
  ApiError,
  type NotebookEntry,
  type ParameterInfo,
  type RunView,
  type StoredWorkflow,
  type WorkflowSummary,
  type WorkflowVersion,
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
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}${path}`, init);
    } catch (err) {
      throw new ApiError(0, "E_NETWORK", `the server cannot be reached (${String(err)})`);
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call(method, path, body);
    return (await res.json()) as T;
  }

  async login(username: string, password: string): Promise<void> {
    const { token } = await this.json<{ token: string }>("POST", "/auth/login", {
      username,
      password,
    });
    this.tokens.set(token);
  }
  logout(): void {
    this.tokens.set(null);
  }
  signedIn(): boolean {
    return this.tokens.get() !== null;
  }
  health(): Promise<{ status: string }> {
    return this.json("GET", "/health");
  }
  async listWorkflows(): Promise<WorkflowSummary[]> {
    return (await this.json<{ workflows: WorkflowSummary[] }>("GET", "/workflows")).workflows;
  }
  createWorkflow(document: JsonObject): Promise<StoredWorkflow> {
    return this.json("POST", "/workflows", document);
  }
  getWorkflow(name: string): Promise<StoredWorkflow> {
    return this.json("GET", `/workflows/${enc(name)}`);
  }
  saveWorkflow(name: string, document: JsonObject): Promise<StoredWorkflow> {
    return this.json("PUT", `/workflows/${enc(name)}`, document);
  }
  async deleteWorkflow(name: string): Promise<void> {
    await this.call("DELETE", `/workflows/${enc(name)}`);
  }
  async listVersions(name: string): Promise<WorkflowVersion[]> {
    return (
      await this.json<{ versions: WorkflowVersion[] }>("GET", `/workflows/${enc(name)}/versions`)
    ).versions;
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
  async notebookParams(path: string): Promise<ParameterInfo[]> {
    // Notebook paths hold slashes; each segment is encoded, the slashes kept.
    const p = path.split("/").map(enc).join("/");
    return (await this.json<{ params: ParameterInfo[] }>("GET", `/notebooks/${p}/params`)).params;
  }
  async airflowDag(name: string): Promise<string> {
    return (await this.call("GET", `/workflows/${enc(name)}/airflow`)).text();
  }
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
