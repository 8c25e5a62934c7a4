/**
 * An in-memory ApiClient for developing the designer without a server (`?demo` in the
 * URL) and for tests. Workflows are validated on save with the server's validator, so
 * save errors look like the server's 400s. Runs need the real engine: run methods
 * answer 501 here.
 */
import { validateWorkflowDocument } from "../../../src/spec/parse.js";
import { cloneJson, type JsonObject } from "../core/model.js";
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

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** A notebook the in-memory library holds. */
export interface MemoryNotebook extends NotebookEntry {
  params: ParameterInfo[];
  content?: JsonObject;
}

interface Stored {
  versions: { document: JsonObject; createdAt: string }[];
}

/** The in-memory implementation of ApiClient. */
export class MemoryApiClient implements ApiClient {
  private readonly workflows = new Map<string, Stored>();
  private readonly notebooks = new Map<string, MemoryNotebook>();
  private token: string | null = null;

  constructor(
    notebooks: readonly MemoryNotebook[] = [],
    private readonly now: () => Date = () => new Date(),
  ) {
    for (const nb of notebooks) this.notebooks.set(nb.path, nb);
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

  login(username: string, password: string): Promise<void> {
    if (username === "" || password === "") {
      return Promise.reject(new ApiError(401, "E_AUTH", "wrong user name or password"));
    }
    this.token = `memory:${username}`;
    return Promise.resolve();
  }
  logout(): void {
    this.token = null;
  }
  signedIn(): boolean {
    return this.token !== null;
  }
  health(): Promise<{ status: string }> {
    return Promise.resolve({ status: "ok" });
  }
  listWorkflows(): Promise<WorkflowSummary[]> {
    return Promise.resolve(
      [...this.workflows].map(([name, s]) => {
        const { workflow } = validateWorkflowDocument(s.versions[s.versions.length - 1]!.document);
        return {
          name,
          description: workflow?.description ?? null,
          version: s.versions.length,
          schedule: workflow?.schedule ?? null,
          tasks: Object.keys(workflow?.tasks ?? {}).length,
          params: workflow?.params ?? {},
        };
      }),
    );
  }
  createWorkflow(document: JsonObject): Promise<StoredWorkflow> {
    try {
      const name = this.check(document);
      if (this.workflows.has(name))
        throw new ApiError(409, "E_CONFLICT", `a workflow named ${name} exists`);
      const s: Stored = {
        versions: [{ document: cloneJson(document), createdAt: this.now().toISOString() }],
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
        s.versions.map((v, i) => ({ version: i + 1, createdAt: v.createdAt })),
      );
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
      [...this.notebooks.values()].map((n) =>
        n.kernel === undefined ? { path: n.path } : { path: n.path, kernel: n.kernel },
      ),
    );
  }
  uploadNotebook(path: string, content: JsonObject): Promise<NotebookEntry> {
    this.notebooks.set(path, { path, params: [], content });
    return Promise.resolve({ path });
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
