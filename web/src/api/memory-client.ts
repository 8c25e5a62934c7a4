/**
 * An in-memory ApiClient for developing the designer without a server (`?demo` in the
 * URL) and for tests. Workflows are validated on save with the server's validator, so
 * save errors look like the server's 400s. Runs need the real engine: run methods
 * answer 501 here.
 */
import { parse as parseYamlText } from "yaml";
import { validateWorkflowDocument } from "../../../src/spec/parse.js";
import { cloneJson, type JsonObject } from "../core/model.js";
import type { ApiClient } from "./api-client.js";
import {
  ApiError,
  type NotebookEntry,
  type ParameterInfo,
  type RunView,
  type Role,
  type StoredWorkflow,
  type UserView,
  type WorkflowPage,
  type WorkflowQuery,
  type WorkflowSummary,
  type WorkflowVersion,
  type WorkflowVersionDoc,
} from "./types.js";

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** A notebook the in-memory library holds. */
export interface MemoryNotebook extends Omit<NotebookEntry, "params"> {
  params: ParameterInfo[];
  content?: JsonObject;
}

interface Stored {
  versions: { document: JsonObject; createdAt: string }[];
  paused: boolean;
  owner: string | null;
}

/** The in-memory implementation of ApiClient. */
export class MemoryApiClient implements ApiClient {
  private readonly workflows = new Map<string, Stored>();
  private readonly notebooks = new Map<string, MemoryNotebook>();
  private token: string | null = null;
  private user: UserView | null = null;
  private readonly unauthorized = new Set<(message: string) => void>();

  constructor(
    notebooks: readonly MemoryNotebook[] = [],
    private readonly now: () => Date = () => new Date(),
    /** The role every sign-in gets. */
    private readonly role: Role = "admin",
  ) {
    for (const nb of notebooks) this.notebooks.set(nb.path, nb);
  }

  /** Ends the session as an expired token would: the next 401 listeners hear it now. */
  expireSession(message = "your session has expired; sign in again"): void {
    this.token = null;
    this.user = null;
    for (const listener of [...this.unauthorized]) listener(message);
  }

  private stored(name: string): Stored {
    const s = this.workflows.get(name);
    if (s === undefined)
      throw new ApiError(404, "E_NOT_FOUND", `no workflow named ${JSON.stringify(name)}`);
    return s;
  }

  private view(name: string, s: Stored): StoredWorkflow {
    const latest = s.versions[s.versions.length - 1]!;
    return { name, version: s.versions.length, document: cloneJson(latest.document) };
  }

  private check(document: JsonObject): string {
    const { workflow, issues } = validateWorkflowDocument(document);
    if (workflow === undefined) {
      throw new ApiError(
        400,
        "E_VALIDATION",
        issues.map((i) => `${i.path}: ${i.message}`).join("\n"),
        issues,
      );
    }
    return workflow.name;
  }

  login(username: string, password: string): Promise<UserView> {
    if (username === "" || password === "") {
      return Promise.reject(new ApiError(401, "E_UNAUTHENTICATED", "wrong user name or password"));
    }
    this.token = `memory:${username}`;
    this.user = { id: `u-${username}`, username, role: this.role };
    return Promise.resolve({ ...this.user });
  }
  logout(): Promise<void> {
    this.token = null;
    this.user = null;
    return Promise.resolve();
  }
  signedIn(): boolean {
    return this.token !== null;
  }
  me(): Promise<UserView> {
    if (this.user === null)
      return Promise.reject(new ApiError(401, "E_UNAUTHENTICATED", "sign in first"));
    return Promise.resolve({ ...this.user });
  }
  onUnauthorized(listener: (message: string) => void): () => void {
    this.unauthorized.add(listener);
    return () => this.unauthorized.delete(listener);
  }
  health(): Promise<{ status: string }> {
    return Promise.resolve({ status: "ok" });
  }
  listWorkflows(): Promise<WorkflowSummary[]> {
    return Promise.resolve([...this.workflows].map(([name, s]) => this.summary(name, s)));
  }
  private summary(name: string, s: Stored): WorkflowSummary {
    const { workflow } = validateWorkflowDocument(s.versions[s.versions.length - 1]!.document);
    return {
      name,
      description: workflow?.description ?? null,
      version: s.versions.length,
      schedule: workflow?.schedule ?? null,
      paused: s.paused,
      nextRun: null,
      owner: s.owner,
      tasks: Object.keys(workflow?.tasks ?? {}).length,
      params: workflow?.params ?? {},
      lastRuns: [],
    };
  }
  searchWorkflows(query: WorkflowQuery): Promise<WorkflowPage> {
    const q = (query.q ?? "").toLowerCase();
    const limit = query.limit ?? 10_000;
    const offset = query.offset ?? 0;
    const names = [...this.workflows.keys()].sort();
    const matching = names
      .map((name) => this.summary(name, this.workflows.get(name)!))
      .filter(
        (w) => q === "" || w.name.includes(q) || (w.description ?? "").toLowerCase().includes(q),
      );
    return Promise.resolve({
      workflows: matching.slice(offset, offset + limit),
      total: matching.length,
      offset,
      limit,
    });
  }
  importWorkflowYaml(text: string): Promise<StoredWorkflow> {
    let value: unknown;
    try {
      value = parseYamlText(text);
    } catch (err) {
      return Promise.reject(new ApiError(400, "E_PARSE", asError(err).message));
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return Promise.reject(
        new ApiError(400, "E_PARSE", "the text is not a workflow (a YAML mapping)"),
      );
    }
    return this.createWorkflow(value as JsonObject);
  }
  setPaused(name: string, paused: boolean): Promise<WorkflowSummary> {
    try {
      const s = this.stored(name);
      s.paused = paused;
      return Promise.resolve(this.summary(name, s));
    } catch (err) {
      return Promise.reject(asError(err));
    }
  }
  createWorkflow(document: JsonObject): Promise<StoredWorkflow> {
    try {
      const name = this.check(document);
      if (this.workflows.has(name))
        throw new ApiError(409, "E_CONFLICT", `a workflow named ${name} exists`);
      const s: Stored = {
        versions: [{ document: cloneJson(document), createdAt: this.now().toISOString() }],
        paused: true,
        owner: this.user?.username ?? null,
      };
      this.workflows.set(name, s);
      return Promise.resolve(this.view(name, s));
    } catch (err) {
      return Promise.reject(asError(err));
    }
  }
  getWorkflow(name: string): Promise<StoredWorkflow> {
    try {
      return Promise.resolve(this.view(name, this.stored(name)));
    } catch (err) {
      return Promise.reject(asError(err));
    }
  }
  saveWorkflow(name: string, document: JsonObject): Promise<StoredWorkflow> {
    try {
      const s = this.stored(name);
      if (this.check(document) !== name) {
        throw new ApiError(
          400,
          "E_VALIDATION",
          `the document's name must stay ${JSON.stringify(name)}`,
        );
      }
      s.versions.push({ document: cloneJson(document), createdAt: this.now().toISOString() });
      return Promise.resolve(this.view(name, s));
    } catch (err) {
      return Promise.reject(asError(err));
    }
  }
  deleteWorkflow(name: string): Promise<void> {
    this.workflows.delete(name);
    return Promise.resolve();
  }
  listVersions(name: string): Promise<WorkflowVersion[]> {
    try {
      const s = this.stored(name);
      return Promise.resolve(
        s.versions.map((v, i) => ({ version: i + 1, createdAt: v.createdAt })).reverse(),
      );
    } catch (err) {
      return Promise.reject(asError(err));
    }
  }
  getVersion(name: string, version: number): Promise<WorkflowVersionDoc> {
    try {
      const v = this.stored(name).versions[version - 1];
      if (v === undefined)
        throw new ApiError(404, "E_NOT_FOUND", `workflow ${name} has no version ${version}`);
      return Promise.resolve({ version, createdAt: v.createdAt, document: cloneJson(v.document) });
    } catch (err) {
      return Promise.reject(asError(err));
    }
  }
  private noRuns<T>(): Promise<T> {
    return Promise.reject(new ApiError(501, "E_UNAVAILABLE", "runs need a real Updraft server"));
  }
  triggerRun(): Promise<RunView> {
    return this.noRuns();
  }
  listRuns(): Promise<RunView[]> {
    return Promise.resolve([]);
  }
  getRun(): Promise<RunView> {
    return this.noRuns();
  }
  cancelRun(): Promise<RunView> {
    return this.noRuns();
  }
  repairRun(): Promise<RunView> {
    return this.noRuns();
  }
  taskLog(): Promise<string> {
    return this.noRuns();
  }
  taskNotebook(): Promise<JsonObject> {
    return this.noRuns();
  }
  listNotebooks(): Promise<NotebookEntry[]> {
    return Promise.resolve(
      [...this.notebooks.values()].map((n) => ({
        path: n.path,
        kernel: n.kernel ?? null,
        params: n.params.length,
      })),
    );
  }
  uploadNotebook(path: string, content: JsonObject): Promise<NotebookEntry> {
    this.notebooks.set(path, { path, params: [], content });
    return Promise.resolve({ path });
  }
  async uploadNotebookFile(path: string, file: Blob, overwrite: boolean): Promise<NotebookEntry> {
    if (!overwrite && this.notebooks.has(path))
      throw new ApiError(409, "E_CONFLICT", `${path} exists; choose to replace it`);
    let content: unknown;
    try {
      content = JSON.parse(await file.text());
    } catch {
      throw new ApiError(400, "E_NOTEBOOK", `${path}: is not a notebook (not JSON)`);
    }
    if (content === null || typeof content !== "object" || Array.isArray(content))
      throw new ApiError(400, "E_NOTEBOOK", `${path}: is not a notebook (not a JSON object)`);
    return this.uploadNotebook(path, content as JsonObject);
  }
  getNotebook(path: string): Promise<JsonObject> {
    const nb = this.notebooks.get(path);
    if (nb === undefined)
      return Promise.reject(new ApiError(404, "E_NOT_FOUND", `no notebook ${path}`));
    return Promise.resolve(
      cloneJson(nb.content ?? { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }),
    );
  }
  notebookParams(path: string): Promise<ParameterInfo[]> {
    const nb = this.notebooks.get(path);
    if (nb === undefined)
      return Promise.reject(new ApiError(404, "E_NOT_FOUND", `no notebook ${path}`));
    return Promise.resolve(nb.params.map((p) => ({ ...p })));
  }
  airflowDag(): Promise<string> {
    return Promise.reject(
      new ApiError(501, "E_UNAVAILABLE", "the Airflow export needs a real Updraft server"),
    );
  }
  // Live streams need runs; MemoryRunsClient (memory-runs.ts) simulates them.
  watchEvents(): Promise<void> {
    return this.noRuns();
  }
  followTaskLog(): Promise<void> {
    return this.noRuns();
  }
}

/** Notebooks of the demo library (what `updraft notebook inspect` reports for such notebooks). */
export const DEMO_NOTEBOOKS: readonly MemoryNotebook[] = [
  {
    path: "notebooks/prepare.ipynb",
    kernel: "python3",
    params: [
      { name: "test_size", inferredType: "float", default: "0.2", help: "share of rows held out" },
      { name: "seed", inferredType: "int", default: "7", help: "random seed" },
    ],
  },
  {
    path: "notebooks/train.ipynb",
    kernel: "python3",
    params: [
      {
        name: "train_path",
        inferredType: "str",
        default: "'data/train.csv'",
        help: "training rows",
      },
      { name: "model", inferredType: "str", default: "'logreg'", help: "logreg or forest" },
      { name: "epochs", inferredType: "int", default: "10", help: "" },
    ],
  },
  {
    path: "notebooks/report.ipynb",
    kernel: "ir",
    params: [
      { name: "accuracy", inferredType: "numeric", default: "0", help: "accuracy to report" },
    ],
  },
];

/** A workflow of the demo library, built on the demo notebooks. */
export const DEMO_WORKFLOW: JsonObject = {
  name: "iris-demo",
  description: "Prepare, train and report on the demo notebooks",
  schedule: "0 2 * * *",
  timezone: "Europe/Paris",
  params: { test_size: { type: "number", default: 0.2, minimum: 0, maximum: 1 } },
  tasks: {
    prepare: {
      type: "notebook",
      notebook: "notebooks/prepare.ipynb",
      params: { test_size: "{{ params.test_size }}" },
      outputs: ["train_path"],
    },
    train: {
      type: "notebook",
      notebook: "notebooks/train.ipynb",
      needs: ["prepare"],
      params: { train_path: "{{ tasks.prepare.outputs.train_path }}" },
      outputs: ["accuracy"],
      retries: 2,
      timeout: "30m",
    },
    report: {
      type: "notebook",
      notebook: "notebooks/report.ipynb",
      needs: ["train"],
      params: { accuracy: "{{ tasks.train.outputs.accuracy }}" },
    },
  },
};
