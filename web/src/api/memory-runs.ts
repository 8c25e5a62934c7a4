/**
 * In-memory runs for the in-memory ApiClient: runs whose states, logs and executed
 * notebooks a test (or the demo) drives by hand, with the live streams the server would
 * send for each change. Nothing executes here; `updateTask` is what a task finishing
 * looks like. `withMemoryRuns` puts them in front of any ApiClient (MemoryApiClient for
 * workflows and notebooks), so new ApiClient methods need nothing here.
 */
import { cloneJson, type JsonObject } from "../core/model.js";
import type { EventFilter, LiveEvent, LiveHandlers, LogStreamEvent } from "./live.js";
import type { ApiClient } from "./api-client.js";
import { ApiError, type RunState, type RunView, type TaskState, type TaskView } from "./types.js";

const TERMINAL_TASK = new Set<TaskState>([
  "succeeded",
  "failed",
  "upstream_failed",
  "skipped",
  "cancelled",
]);
const TERMINAL_RUN = new Set<RunState>(["succeeded", "failed", "cancelled"]);
const REPAIRABLE = new Set<TaskState>(["failed", "upstream_failed", "cancelled"]);

interface TaskExtras {
  log: string;
  notebook?: JsonObject;
}

interface LogFollower {
  taskId: string;
  runId: string;
  send: (e: LogStreamEvent) => void;
}

function notFound(message: string): ApiError {
  return new ApiError(404, "E_NOT_FOUND", message);
}

/** Resolves when `signal` aborts (a stream's lifetime). */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** The ApiClient methods {@link MemoryRuns} answers. */
export const RUN_METHODS = [
  "triggerRun",
  "listRuns",
  "getRun",
  "cancelRun",
  "repairRun",
  "taskLog",
  "taskNotebook",
  "watchEvents",
  "followTaskLog",
] as const;

/** The part of ApiClient that runs are. */
export type RunApi = Pick<ApiClient, (typeof RUN_METHODS)[number]>;

/** Hand-driven runs and their live streams. */
export class MemoryRuns implements RunApi {
  private readonly runs = new Map<string, RunView>();
  private readonly extras = new Map<string, TaskExtras>();
  private readonly listeners = new Set<(e: LiveEvent) => void>();
  private readonly followers = new Set<LogFollower>();
  private nextId = 1;

  constructor(
    /** Where workflows (the document of a run's version) are read. */
    private readonly workflows: Pick<ApiClient, "getWorkflow" | "getVersion">,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private iso(): string {
    return this.clock().toISOString();
  }

  private run(id: string): RunView {
    const r = this.runs.get(id);
    if (r === undefined) throw notFound(`no run ${id}`);
    return r;
  }

  private extra(runId: string, taskId: string): TaskExtras {
    const key = `${runId}\0${taskId}`;
    let x = this.extras.get(key);
    if (x === undefined) {
      x = { log: "" };
      this.extras.set(key, x);
    }
    return x;
  }

  private emit(e: LiveEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  /** Stores a run as given (tests seed history this way); returns its copy. */
  addRun(view: RunView): RunView {
    this.runs.set(view.id, cloneJson(view as unknown as JsonObject) as unknown as RunView);
    return cloneJson(view as unknown as JsonObject) as unknown as RunView;
  }

  /** Changes a task and sends its `task` event; a finished task ends followed logs. */
  updateTask(runId: string, taskId: string, patch: Partial<TaskView>): void {
    const run = this.run(runId);
    const task = run.tasks[taskId];
    if (task === undefined) throw notFound(`run ${runId} has no task ${taskId}`);
    Object.assign(task, patch);
    this.emit({
      kind: "task",
      runId,
      workflow: run.workflow,
      taskId,
      state: task.state,
      attempt: task.attempts,
      at: this.iso(),
      error: task.error,
    });
    if (patch.attempts !== undefined) {
      this.extra(runId, taskId).log = "";
      this.sendLog(runId, taskId, { kind: "attempt", attempt: task.attempts });
    }
    if (TERMINAL_TASK.has(task.state)) {
      this.sendLog(runId, taskId, { kind: "end", state: task.state, attempt: task.attempts });
    }
  }

  /** Changes a run's state (and end time when it ends) and sends its `run` event. */
  updateRun(runId: string, state: RunState): void {
    const run = this.run(runId);
    run.state = state;
    if (state === "running" && run.startedAt === null) run.startedAt = this.iso();
    if (TERMINAL_RUN.has(state)) run.endedAt = this.iso();
    this.emit({ kind: "run", runId, workflow: run.workflow, state, at: this.iso() });
  }

  /** Appends to the latest attempt's log, as a running task prints. */
  appendLog(runId: string, taskId: string, text: string): void {
    const run = this.run(runId);
    const x = this.extra(runId, taskId);
    x.log += text;
    this.sendLog(runId, taskId, { kind: "log", attempt: run.tasks[taskId]?.attempts ?? 0, text });
  }

  /** Sets the executed notebook of a task. */
  setNotebook(runId: string, taskId: string, notebook: JsonObject): void {
    this.run(runId);
    this.extra(runId, taskId).notebook = cloneJson(notebook);
  }

  /** How many log streams are open (tests check they close). */
  openLogStreams(): number {
    return this.followers.size;
  }

  /** How many event streams are open. */
  openEventStreams(): number {
    return this.listeners.size;
  }

  private sendLog(runId: string, taskId: string, e: LogStreamEvent): void {
    for (const f of [...this.followers]) if (f.runId === runId && f.taskId === taskId) f.send(e);
  }

  async triggerRun(name: string, params: JsonObject): Promise<RunView> {
    const wf = await this.workflows.getWorkflow(name);
    const tasks: Record<string, TaskView> = {};
    const declared = wf.document["tasks"];
    for (const id of Object.keys(
      typeof declared === "object" && declared !== null ? declared : {},
    )) {
      tasks[id] = {
        state: "pending",
        attempts: 0,
        outputs: {},
        startedAt: null,
        endedAt: null,
        error: null,
      };
    }
    const id = `run-${String(this.nextId++).padStart(4, "0")}`;
    const view: RunView = {
      id,
      workflow: name,
      version: wf.version,
      state: "queued",
      params: cloneJson(params),
      logicalDate: this.iso(),
      trigger: "manual",
      startedAt: null,
      endedAt: null,
      tasks,
    };
    this.runs.set(id, view);
    this.emit({ kind: "run", runId: id, workflow: name, state: "queued", at: this.iso() });
    return cloneJson(view as unknown as JsonObject) as unknown as RunView;
  }

  listRuns(workflow?: string): Promise<RunView[]> {
    const all = [...this.runs.values()]
      .filter((r) => workflow === undefined || r.workflow === workflow)
      .sort((a, b) => (b.logicalDate ?? "").localeCompare(a.logicalDate ?? ""));
    return Promise.resolve(
      all.map((r) => cloneJson(r as unknown as JsonObject) as unknown as RunView),
    );
  }

  getRun(id: string): Promise<RunView> {
    return this.attempt(
      () => cloneJson(this.run(id) as unknown as JsonObject) as unknown as RunView,
    );
  }

  // A rejected promise for what throws, as the HTTP client's calls reject.
  private attempt<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  cancelRun(id: string): Promise<RunView> {
    return this.attempt(() => {
      const run = this.run(id);
      if (!TERMINAL_RUN.has(run.state)) {
        for (const [taskId, t] of Object.entries(run.tasks)) {
          if (!TERMINAL_TASK.has(t.state)) this.updateTask(id, taskId, { state: "cancelled" });
        }
        this.updateRun(id, "cancelled");
      }
    }).then(() => this.getRun(id));
  }

  async repairRun(id: string): Promise<RunView> {
    const run = this.run(id);
    if (!TERMINAL_RUN.has(run.state)) {
      throw new ApiError(409, "E_CONFLICT", `run ${id} is still ${run.state}`);
    }
    const doc = (await this.workflows.getVersion(run.workflow, run.version)).document;
    const needs = new Map<string, string[]>();
    const tasks = doc["tasks"];
    if (typeof tasks === "object" && tasks !== null && !Array.isArray(tasks)) {
      for (const [tid, t] of Object.entries(tasks)) {
        const n = (t as JsonObject)["needs"];
        needs.set(tid, Array.isArray(n) ? n.filter((x): x is string => typeof x === "string") : []);
      }
    }
    // Failed tasks and everything downstream of them run again.
    const again = new Set(
      Object.keys(run.tasks).filter((t) => REPAIRABLE.has(run.tasks[t]!.state)),
    );
    for (let grew = true; grew;) {
      grew = false;
      for (const [tid, n] of needs) {
        if (!again.has(tid) && n.some((x) => again.has(x))) {
          again.add(tid);
          grew = true;
        }
      }
    }
    for (const tid of again) {
      if (run.tasks[tid] !== undefined) this.updateTask(id, tid, { state: "pending", error: null });
    }
    run.endedAt = null;
    this.updateRun(id, "running");
    return this.getRun(id);
  }

  taskLog(id: string, task: string): Promise<string> {
    return this.attempt(() => {
      const run = this.run(id);
      if (run.tasks[task] === undefined) throw notFound(`run ${id} has no task ${task}`);
      if (run.tasks[task].attempts === 0)
        throw notFound(`task ${task} of run ${id} has not started yet`);
      return this.extra(id, task).log;
    });
  }

  taskNotebook(id: string, task: string): Promise<JsonObject> {
    return this.attempt(() => {
      this.run(id);
      const nb = this.extra(id, task).notebook;
      if (nb === undefined) throw notFound(`task ${task} of run ${id} has no executed notebook`);
      return cloneJson(nb);
    });
  }

  async watchEvents(
    filter: EventFilter,
    handlers: LiveHandlers<LiveEvent>,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted) return;
    const listener = (e: LiveEvent) => {
      if (filter.run !== undefined && e.runId !== filter.run) return;
      if (filter.workflow !== undefined && e.workflow !== filter.workflow) return;
      handlers.onEvent(e);
    };
    this.listeners.add(listener);
    handlers.onOpen?.(false);
    await untilAborted(signal);
    this.listeners.delete(listener);
  }

  async followTaskLog(
    id: string,
    task: string,
    handlers: LiveHandlers<LogStreamEvent>,
    signal: AbortSignal,
  ): Promise<void> {
    const run = this.run(id);
    const t = run.tasks[task];
    if (t === undefined) throw notFound(`run ${id} has no task ${task}`);
    if (t.attempts === 0) throw notFound(`task ${task} of run ${id} has not started yet`);
    handlers.onOpen?.(false);
    handlers.onEvent({ kind: "attempt", attempt: t.attempts });
    const log = this.extra(id, task).log;
    if (log !== "") handlers.onEvent({ kind: "log", attempt: t.attempts, text: log });
    if (TERMINAL_TASK.has(t.state)) {
      handlers.onEvent({ kind: "end", state: t.state, attempt: t.attempts });
      return;
    }
    const ended = new AbortController();
    const follower: LogFollower = {
      runId: id,
      taskId: task,
      send: (e) => {
        handlers.onEvent(e);
        if (e.kind === "end") ended.abort();
      },
    };
    this.followers.add(follower);
    await untilAborted(AbortSignal.any([signal, ended.signal]));
    this.followers.delete(follower);
  }
}

/**
 * `base` with its run methods answered by `runs` (every other method, present or added
 * later, goes to `base` unchanged).
 */
export function withMemoryRuns(base: ApiClient, runs: MemoryRuns): ApiClient {
  const own = new Set<PropertyKey>(RUN_METHODS);
  return new Proxy(base, {
    get(target, prop, receiver) {
      const from: object = own.has(prop) ? runs : target;
      const value: unknown = Reflect.get(from, prop, own.has(prop) ? runs : receiver);
      return typeof value === "function"
        ? (value as (...a: unknown[]) => unknown).bind(from)
        : value;
    },
  });
}
