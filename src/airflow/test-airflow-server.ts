/**
 * A small stand-in for Airflow's REST API, for tests: a real HTTP server on 127.0.0.1
 * that answers the endpoints the client uses with Airflow's documented shapes, for
 * Airflow 2.x (`/api/v1`, basic auth, RFC 7807 problem documents) or 3.x (`/api/v2`,
 * JWTs from `POST /auth/token`, FastAPI `{detail}` errors, strict request bodies).
 * Airflow itself cannot run here (no PyPI), so this is the fake behind the
 * `AirflowClient` interface's real HTTP; faults can be injected per request.
 * Not part of the runtime: only tests import it.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sendFault, type TestFault } from "./test-airflow-faults.js";

export type { TestFault } from "./test-airflow-faults.js";

/** Airflow version served: 2.x (`v1`) or 3.x (`v2`). */
export type TestApi = "v1" | "v2";

/** A DAG the server knows. */
export interface TestDag {
  paused?: boolean;
  /** Task ids; every run gets one task instance per id. */
  tasks?: string[];
  /** Checks a run's conf like the DAG's Params would: a message makes the trigger a 400. */
  checkConf?: (conf: Record<string, unknown>) => string | undefined;
}

/** Options of {@link startTestAirflow}. */
export interface TestAirflowOptions {
  api: TestApi;
  version?: string;
  /** username -> password; empty: no authentication required. */
  users?: Record<string, string>;
  /** Tokens accepted as `Bearer` besides the ones `/auth/token` issues. */
  tokens?: string[];
  dags?: Record<string, TestDag>;
  /** Serve under this path prefix (e.g. `/airflow`), as behind a reverse proxy. */
  prefix?: string;
}

/** A request the server received. */
export interface RecordedRequest {
  method: string;
  /** Path without the prefix, with the query. */
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** A stored DAG run, in the server's own (snake_case) form. */
type RunDoc = Record<string, unknown> & { dag_run_id: string; state: string };

/** The running server. */
export interface TestAirflow {
  /** Base URL (with the prefix and a trailing slash). */
  url: string;
  requests: RecordedRequest[];
  /** Makes the next request to a path starting with `pathPrefix` fail with `fault`. */
  failNext(pathPrefix: string, fault: TestFault): void;
  /** Sets the state of task instances of a run (and optionally the run's state). */
  setStates(dagId: string, runId: string, tasks: Record<string, string>, run?: string): void;
  /** The runs of a DAG, oldest first. */
  runs(dagId: string): RunDoc[];
  close(): Promise<void>;
}

/** Starts the server on an ephemeral port of 127.0.0.1. */
export async function startTestAirflow(opts: TestAirflowOptions): Promise<TestAirflow> {
  const state = new FakeAirflow(opts);
  const server = createServer((req, res) => void state.handle(req, res));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${opts.prefix ?? ""}/`,
    requests: state.requests,
    failNext: (p, f) => state.faults.push([p, f]),
    setStates: (d, r, t, run) => state.setStates(d, r, t, run),
    runs: (d) => [...(state.dags.get(d)?.runs.values() ?? [])],
    close: () => closeServer(server),
  };
}

interface DagState {
  def: TestDag;
  paused: boolean;
  runs: Map<string, RunDoc>;
  tis: Map<string, Map<string, string | null>>;
}

class FakeAirflow {
  readonly requests: RecordedRequest[] = [];
  readonly faults: [string, TestFault][] = [];
  readonly dags = new Map<string, DagState>();
  private readonly issued = new Set<string>();
  private clock = Date.UTC(2025, 0, 1);

  constructor(private readonly opts: TestAirflowOptions) {
    for (const [id, def] of Object.entries(opts.dags ?? {})) {
      this.dags.set(id, { def, paused: def.paused ?? true, runs: new Map(), tis: new Map() });
    }
  }

  setStates(dagId: string, runId: string, tasks: Record<string, string>, run?: string): void {
    const dag = this.dags.get(dagId);
    const doc = dag?.runs.get(runId);
    if (!dag || !doc) throw new Error(`no run ${runId} of ${dagId}`);
    const tis = dag.tis.get(runId);
    for (const [t, s] of Object.entries(tasks)) tis?.set(t, s);
    if (run !== undefined) {
      doc.state = run;
      doc["start_date"] ??= this.now();
      if (run === "success" || run === "failed") doc["end_date"] = this.now();
    }
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readAll(req);
    const prefix = this.opts.prefix ?? "";
    const full = req.url ?? "/";
    const path = full.startsWith(prefix) ? full.slice(prefix.length) : full;
    let body: unknown;
    try {
      body = raw === "" ? undefined : (JSON.parse(raw) as unknown);
    } catch {
      body = raw;
    }
    this.requests.push({
      method: req.method ?? "",
      path,
      authorization: req.headers.authorization,
      body,
    });
    const fault = this.takeFault(path);
    if (fault) return sendFault(res, fault);
    if (!full.startsWith(prefix)) return this.error(res, 404, "Not Found", "no such page");
    const url = new URL(path, "http://x");
    const [answer, status] = this.route(req.method ?? "GET", url, body, req.headers.authorization);
    const problem = this.opts.api === "v1" && status >= 400;
    res.writeHead(status, {
      "content-type": problem ? "application/problem+json" : "application/json",
    });
    res.end(JSON.stringify(answer));
  }

  private takeFault(path: string): TestFault | undefined {
    const i = this.faults.findIndex(([p]) => path.startsWith(p));
    if (i < 0) return undefined;
    return this.faults.splice(i, 1)[0]?.[1];
  }

  private route(
    method: string,
    url: URL,
    body: unknown,
    auth: string | undefined,
  ): [unknown, number] {
    const api = this.opts.api;
    const p = url.pathname;
    if (method === "GET" && p === `/api/${api}/version`) {
      return [
        { version: this.opts.version ?? (api === "v1" ? "2.9.3" : "3.0.2"), git_version: null },
        200,
      ];
    }
    if (api === "v2" && p === "/auth/token" && method === "POST") return this.login(body);
    if (!p.startsWith(`/api/${api}/`)) return this.fail(404, "Not Found", "Not Found");
    if (!this.authorized(auth)) {
      return this.fail(401, "Unauthorized", api === "v1" ? null : "Not authenticated");
    }
    const parts = p.slice(`/api/${api}/`.length).split("/").map(decodeURIComponent);
    if (parts[0] !== "dags" || parts[1] === undefined)
      return this.fail(404, "Not Found", "Not Found");
    const dagId = parts[1];
    const dag = this.dags.get(dagId);
    if (!dag) return this.fail(404, "DAG not found", `DAG with dag_id: '${dagId}' not found`);
    if (parts.length === 2 && method === "GET") return [this.dagDoc(dagId, dag), 200];
    if (parts.length === 2 && method === "PATCH") return this.patchDag(dagId, dag, url, body);
    if (parts[2] !== "dagRuns") return this.fail(404, "Not Found", "Not Found");
    if (parts.length === 3 && method === "POST") return this.trigger(dagId, dag, body);
    if (parts.length === 3 && method === "GET") return this.listRuns(dag, url);
    const run = parts[3] === undefined ? undefined : dag.runs.get(parts[3]);
    if (!run) {
      return this.fail(
        404,
        "DAGRun not found",
        `DAGRun with DAG ID: '${dagId}' and DagRun ID: '${parts[3]}' not found`,
      );
    }
    if (parts.length === 4 && method === "GET") return [run, 200];
    if (parts.length === 5 && parts[4] === "taskInstances" && method === "GET") {
      return this.listTis(dagId, dag, run, url);
    }
    return this.fail(405, "Method Not Allowed", "Method Not Allowed");
  }

  private login(body: unknown): [unknown, number] {
    const b = body as { username?: unknown; password?: unknown } | undefined;
    const users = this.opts.users ?? {};
    if (typeof b?.username !== "string" || typeof b.password !== "string") {
      return [
        { detail: [{ type: "missing", loc: ["body", "username"], msg: "Field required" }] },
        422,
      ];
    }
    if (!Object.hasOwn(users, b.username) || users[b.username] !== b.password) {
      return [{ detail: "Invalid credentials" }, 401];
    }
    const token = `eyJ.test-${this.issued.size + 1}.sig`;
    this.issued.add(token);
    return [{ access_token: token }, 201];
  }

  private authorized(header: string | undefined): boolean {
    const users = this.opts.users ?? {};
    const tokens = this.opts.tokens ?? [];
    if (Object.keys(users).length === 0 && tokens.length === 0) return true;
    if (header?.startsWith("Bearer ")) {
      const t = header.slice(7);
      return tokens.includes(t) || this.issued.has(t);
    }
    if (this.opts.api === "v1" && header?.startsWith("Basic ")) {
      const [u = "", ...rest] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":");
      return Object.hasOwn(users, u) && users[u] === rest.join(":");
    }
    return false;
  }

  private dagDoc(dagId: string, dag: DagState): Record<string, unknown> {
    return {
      dag_id: dagId,
      is_paused: dag.paused,
      fileloc: `/dags/${dagId}.py`,
      tags: [{ name: "updraft" }],
    };
  }

  private patchDag(dagId: string, dag: DagState, url: URL, body: unknown): [unknown, number] {
    const b = body as { is_paused?: unknown } | undefined;
    if (url.searchParams.get("update_mask") !== "is_paused" || typeof b?.is_paused !== "boolean") {
      return this.fail(400, "Bad Request", "only is_paused can be patched");
    }
    dag.paused = b.is_paused;
    return [this.dagDoc(dagId, dag), 200];
  }

  private trigger(dagId: string, dag: DagState, body: unknown): [unknown, number] {
    const api = this.opts.api;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return this.fail(400, "Bad Request", "Request body must be a JSON object");
    }
    const b = body as Record<string, unknown>;
    const allowed = ["dag_run_id", "logical_date", "conf", "note"];
    const extra = Object.keys(b).find((k) => !allowed.includes(k));
    if (extra !== undefined) {
      return api === "v1"
        ? this.fail(
            400,
            "Bad Request",
            `Additional properties are not allowed ('${extra}' was unexpected)`,
          )
        : [
            {
              detail: [
                {
                  type: "extra_forbidden",
                  loc: ["body", extra],
                  msg: "Extra inputs are not permitted",
                },
              ],
            },
            422,
          ];
    }
    // Airflow 3's TriggerDAGRunPostBody has logical_date as a required, nullable field.
    if (api === "v2" && !("logical_date" in b)) {
      return [
        { detail: [{ type: "missing", loc: ["body", "logical_date"], msg: "Field required" }] },
        422,
      ];
    }
    const conf = b["conf"] ?? {};
    if (typeof conf !== "object" || conf === null || Array.isArray(conf)) {
      return this.fail(400, "Bad Request", "conf must be an object");
    }
    const invalid = dag.def.checkConf?.(conf as Record<string, unknown>);
    if (invalid !== undefined) return this.fail(400, "Bad Request", invalid);
    const logical = typeof b["logical_date"] === "string" ? b["logical_date"] : null;
    const runAfter = this.now();
    const at = logical ?? runAfter;
    const runId = typeof b["dag_run_id"] === "string" ? b["dag_run_id"] : `manual__${at}`;
    if (dag.runs.has(runId)) {
      return api === "v1"
        ? this.fail(
            409,
            "Conflict",
            `DAGRun with DAG ID: '${dagId}' and DAGRun ID: '${runId}' already exists`,
          )
        : [
            {
              detail: {
                reason: "Unique constraint violation",
                statement: "INSERT INTO dag_run ...",
                orig_error: "UNIQUE constraint failed: dag_run.dag_id, dag_run.run_id",
              },
            },
            409,
          ];
    }
    const doc: RunDoc = {
      dag_run_id: runId,
      dag_id: dagId,
      logical_date: api === "v1" ? at : logical,
      start_date: null,
      end_date: null,
      state: "queued",
      conf,
      run_type: "manual",
      note: null,
      ...(api === "v1"
        ? { execution_date: at, external_trigger: true }
        : { run_after: runAfter, queued_at: runAfter }),
    };
    dag.runs.set(runId, doc);
    dag.tis.set(runId, new Map((dag.def.tasks ?? []).map((t) => [t, null])));
    return [doc, 200];
  }

  private listRuns(dag: DagState, url: URL): [unknown, number] {
    const order = url.searchParams.get("order_by") ?? "";
    const key = this.opts.api === "v1" ? "execution_date" : "run_after";
    if (order !== "" && order.replace(/^-/, "") !== key && order.replace(/^-/, "") !== "id") {
      return this.fail(
        400,
        "Ordering with 'x' is disallowed",
        `Ordering with '${order.replace(/^-/, "")}' is disallowed or the attribute does not exist on the model`,
      );
    }
    const runs = [...dag.runs.values()];
    if (order.startsWith("-")) runs.reverse();
    const limit = Number(url.searchParams.get("limit") ?? 100);
    return [{ dag_runs: runs.slice(0, limit), total_entries: runs.length }, 200];
  }

  private listTis(dagId: string, dag: DagState, run: RunDoc, url: URL): [unknown, number] {
    const tis = [...(dag.tis.get(run.dag_run_id) ?? new Map<string, string | null>())];
    const limit = Math.min(100, Number(url.searchParams.get("limit") ?? 100));
    const offset = Number(url.searchParams.get("offset") ?? 0);
    const page = tis.slice(offset, offset + limit).map(([taskId, s]) => ({
      task_id: taskId,
      dag_id: dagId,
      dag_run_id: run.dag_run_id,
      map_index: -1,
      state: s,
      try_number: s === null ? 0 : 1,
      start_date: s === null ? null : this.now(),
      end_date: s === "success" || s === "failed" ? this.now() : null,
      operator: "UpdraftTaskOperator",
    }));
    return [{ task_instances: page, total_entries: tis.length }, 200];
  }

  private fail(status: number, title: string, detail: string | null): [unknown, number] {
    if (this.opts.api === "v1") {
      return [
        {
          detail,
          status,
          title,
          type: `https://airflow.apache.org/docs/apache-airflow/2.9.3/stable-rest-api-ref.html#section/Errors/${status}`,
        },
        status,
      ];
    }
    return [{ detail: detail ?? title }, status];
  }

  private error(res: ServerResponse, status: number, title: string, detail: string): void {
    const [answer] = this.fail(status, title, detail);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(answer));
  }

  // A clock that moves one second per run, so run ids and orders are reproducible.
  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString().replace(/\.000Z$/, "+00:00");
  }
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  server.close();
  await once(server, "close");
}
