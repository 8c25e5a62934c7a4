/**
 * Prometheus metrics of `updraft serve`: runs and task attempts from the engine's events,
 * HTTP requests by route pattern, and the Node process. One registry per instance (no
 * global default registry), so several services or tests in one process never share counts.
 * Labels are bounded: workflow names come from the catalog, routes are patterns, statuses
 * are classes; run and task ids never become labels.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { EngineEvent } from "../engine/engine.js";
import type { Handler } from "./api-handlers.js";
import { isTerminal } from "../engine/states.js";
import type { RunState, TaskState } from "../store/types.js";
import type { Route } from "./router.js";

/** What the metrics listen to: anything with the engine's `subscribe`. */
export interface EventSource {
  subscribe(listener: (e: EngineEvent) => void): () => void;
}

/** Options of a `Metrics`. */
export interface MetricsOptions {
  /** Also export the process metrics (CPU, memory, event loop, GC) prefixed `updraft_`; default true. */
  processMetrics?: boolean;
}

/** The route label of requests no route matched (404, 405, malformed targets). */
export const UNMATCHED_ROUTE = "unmatched";

const PREFIX = "updraft_";
const RUN_ENDS: ReadonlySet<RunState> = new Set(["succeeded", "failed", "cancelled"]);
const METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
]);
// Tasks range from an instant `empty` to hours of training.
const TASK_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400];
const DELAY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface RunningTask {
  workflow: string;
  startedAt: number;
}

interface ActiveRun {
  workflow: string;
  /** When the run last started running, for its duration. */
  startedAt: number | undefined;
  /** Latest moment the run started or one of its tasks ended (see `taskStartDelay`). */
  lastProgress: number | undefined;
}

/** The service's metrics and the registry `GET /metrics` renders. */
export class Metrics {
  /** The registry every metric of this instance is in. */
  readonly registry = new Registry();

  private readonly activeRuns = new Map<string, ActiveRun>();
  private readonly runningTasks = new Map<string, RunningTask>();
  // The pattern of the route that handled a request, set by the instrumented handlers.
  private readonly routeOf = new WeakMap<IncomingMessage, string>();

  private readonly runsTotal: Counter<"workflow" | "state">;
  private readonly runDuration: Histogram<"workflow" | "state">;
  private readonly tasksTotal: Counter<"workflow" | "state">;
  private readonly attemptsTotal: Counter<"workflow" | "outcome">;
  private readonly attemptDuration: Histogram<"workflow" | "outcome">;
  private readonly taskStartDelay: Histogram<"workflow">;
  private readonly httpTotal: Counter<"method" | "route" | "status">;
  private readonly httpDuration: Histogram<"method" | "route" | "status">;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.runsTotal = new Counter({
      name: `${PREFIX}runs_total`,
      help: "Runs that ended, by workflow and final state.",
      labelNames: ["workflow", "state"],
      registers,
    });
    this.runDuration = new Histogram({
      name: `${PREFIX}run_duration_seconds`,
      help: "Wall time of runs from start to end, by workflow and final state.",
      labelNames: ["workflow", "state"],
      buckets: TASK_BUCKETS,
      registers,
    });
    this.tasksTotal = new Counter({
      name: `${PREFIX}tasks_total`,
      help: "Tasks that reached a final state (succeeded, failed, upstream_failed, skipped, cancelled).",
      labelNames: ["workflow", "state"],
      registers,
    });
    this.attemptsTotal = new Counter({
      name: `${PREFIX}task_attempts_total`,
      help: "Task attempts that ended, by workflow and outcome (succeeded, failed, cancelled); a failed attempt that is retried counts as failed.",
      labelNames: ["workflow", "outcome"],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: `${PREFIX}task_attempt_duration_seconds`,
      help: "Wall time of task attempts, by workflow and outcome.",
      labelNames: ["workflow", "outcome"],
      buckets: TASK_BUCKETS,
      registers,
    });
    this.taskStartDelay = new Histogram({
      name: `${PREFIX}task_start_delay_seconds`,
      help: "Time from the latest progress of a run (its start or a task's end) to the start of a task's first attempt: a lower bound of the wait after its upstream ended (scheduling and slot waits).",
      labelNames: ["workflow"],
      buckets: DELAY_BUCKETS,
      registers,
    });
    const running = this.runningTasks;
    new Gauge({
      name: `${PREFIX}tasks_running`,
      help: "Task attempts running now, by workflow.",
      labelNames: ["workflow"],
      registers,
      collect() {
        this.reset();
        for (const [workflow, n] of countBy(running.values())) this.set({ workflow }, n);
      },
    });
    const active = this.activeRuns;
    new Gauge({
      name: `${PREFIX}runs_active`,
      help: "Runs queued or running now, by workflow.",
      labelNames: ["workflow"],
      registers,
      collect() {
        this.reset();
        for (const [workflow, n] of countBy(active.values())) this.set({ workflow }, n);
      },
    });
    this.httpTotal = new Counter({
      name: `${PREFIX}http_requests_total`,
      help: "HTTP requests answered, by method, route pattern and status class (2xx, 4xx, ...).",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.httpDuration = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: "Time to answer HTTP requests, by method, route pattern and status class; event streams are left out (they last as long as the client listens).",
      labelNames: ["method", "route", "status"],
      buckets: HTTP_BUCKETS,
      registers,
    });
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    }
  }

  /** Follows an engine's state changes; returns the unsubscribe function. */
  attach(source: EventSource): () => void {
    return source.subscribe((e) => this.onEvent(e));
  }

  /** Accounts for one engine event (public so a replay or a test can feed events). */
  onEvent(e: EngineEvent): void {
    if (e.kind === "run") this.onRun(e.runId, e.workflow, e.state, e.at);
    else this.onTask(e.runId, e.workflow, e.taskId, e.state, e.attempt, e.at);
  }

  /** Wraps route handlers so that each request is counted under its route's pattern. */
  instrumentRoutes(routes: readonly Route<Handler>[]): Route<Handler>[] {
    return routes.map((route) => {
      const inner = route.handler;
      const handler: Handler = (r) => {
        this.routeOf.set(r.req, route.pattern);
        return inner(r);
      };
      return { ...route, handler };
    });
  }

  /** Starts timing a request; it is counted when its response finishes or the connection closes. */
  observeRequest(req: IncomingMessage, res: ServerResponse): void {
    const start = process.hrtime.bigint();
    let done = false;
    const record = () => {
      if (done) return;
      done = true;
      const raw = req.method ?? "";
      const labels = {
        method: METHODS.has(raw) ? raw : "other",
        route: this.routeOf.get(req) ?? UNMATCHED_ROUTE,
        // A response cut off before its headers were sent has no status of its own.
        status: res.headersSent ? `${Math.floor(res.statusCode / 100)}xx` : "aborted",
      };
      this.httpTotal.inc(labels);
      const type = res.getHeader("content-type");
      if (typeof type === "string" && type.startsWith("text/event-stream")) return;
      this.httpDuration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    };
    res.once("finish", record);
    res.once("close", record);
  }

  /** The exposition text and its content type, as `GET /metrics` answers. */
  async render(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  private onRun(runId: string, workflow: string, state: RunState, at: number): void {
    if (RUN_ENDS.has(state)) {
      const run = this.activeRuns.get(runId);
      this.activeRuns.delete(runId);
      this.runsTotal.inc({ workflow, state });
      if (run?.startedAt !== undefined) {
        this.runDuration.observe({ workflow, state }, seconds(at - run.startedAt));
      }
      // Attempts of an abandoned run stop counting as running with it.
      for (const key of this.runningTasks.keys()) {
        if (key.startsWith(`${runId}\u0000`)) this.runningTasks.delete(key);
      }
      return;
    }
    const run = this.activeRuns.get(runId) ?? {
      workflow,
      startedAt: undefined,
      lastProgress: undefined,
    };
    if (state === "running") {
      run.startedAt = at;
      run.lastProgress = at;
    }
    this.activeRuns.set(runId, run);
  }

  private onTask(
    runId: string,
    workflow: string,
    taskId: string,
    state: TaskState,
    attempt: number,
    at: number,
  ): void {
    const key = `${runId}\u0000${taskId}`;
    const run = this.activeRuns.get(runId);
    if (state === "running") {
      if (attempt === 1 && run?.lastProgress !== undefined) {
        this.taskStartDelay.observe({ workflow }, seconds(at - run.lastProgress));
      }
      this.runningTasks.set(key, { workflow, startedAt: at });
      return;
    }
    const attemptRunning = this.runningTasks.get(key);
    if (attemptRunning) {
      this.runningTasks.delete(key);
      const outcome =
        state === "succeeded" ? "succeeded" : state === "cancelled" ? "cancelled" : "failed";
      this.attemptsTotal.inc({ workflow, outcome });
      this.attemptDuration.observe({ workflow, outcome }, seconds(at - attemptRunning.startedAt));
    }
    if (state === "retrying" || isTerminal(state)) {
      if (run) run.lastProgress = at;
    }
    if (isTerminal(state)) this.tasksTotal.inc({ workflow, state });
  }
}

function seconds(ms: number): number {
  return Math.max(0, ms) / 1000;
}

function countBy(items: Iterable<{ workflow: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { workflow } of items) counts.set(workflow, (counts.get(workflow) ?? 0) + 1);
  return counts;
}
