/**
 * A client of Airflow's stable REST API, for `updraft airflow trigger` and `status`.
 * Airflow 2.x serves `/api/v1` (basic auth or a token); Airflow 3.x serves `/api/v2`
 * with JWTs from `POST /auth/token`. The client talks either, chosen by the caller or
 * by probing the public `/api/v2/version`, then `/api/v1/version`.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import {
  airflowError,
  clean,
  errorDetail,
  isRecord,
  sendRequest,
  type FetchLike,
  type HttpLimits,
  type HttpResponse,
} from "./rest-http.js";
import {
  parseDag,
  parseRun,
  parseTaskInstances,
  type AirflowDag,
  type AirflowDagRun,
  type AirflowTaskInstance,
  type Page,
} from "./rest-shapes.js";

export type { AirflowDag, AirflowDagRun, AirflowTaskInstance } from "./rest-shapes.js";

/** The REST API generation: `v1` (Airflow 2.x) or `v2` (Airflow 3.x). */
export type AirflowApi = "v1" | "v2";

/** How the client authenticates. */
export type AirflowAuth =
  | { kind: "none" }
  | { kind: "basic"; username: string; password: string }
  | { kind: "token"; token: string };

/** What to trigger a run with. */
export interface TriggerRequest {
  /** Airflow picks one (`manual__<time>`) when omitted. */
  runId?: string;
  /** The run's params (Airflow's `conf`), checked by the DAG's `Param`s. */
  conf: Record<string, unknown>;
  /** ISO date-time; Airflow 2 uses now when omitted, Airflow 3 runs without one. */
  logicalDate?: string;
}

/** The operations Updraft needs from Airflow. */
export interface AirflowClient {
  /** The API generation and Airflow's version. */
  version(): Promise<{ api: AirflowApi; version: string }>;
  /** A DAG; E_AIRFLOW when Airflow does not know it. */
  getDag(dagId: string): Promise<AirflowDag>;
  /** Pauses or unpauses a DAG. */
  setPaused(dagId: string, paused: boolean): Promise<void>;
  /** Creates a DAG run. */
  triggerRun(dagId: string, req: TriggerRequest): Promise<AirflowDagRun>;
  /** One DAG run. */
  getRun(dagId: string, runId: string): Promise<AirflowDagRun>;
  /** The most recent DAG run, if there is any. */
  latestRun(dagId: string): Promise<AirflowDagRun | undefined>;
  /** Every task instance of a run, sorted by task id and map index. */
  taskInstances(dagId: string, runId: string): Promise<AirflowTaskInstance[]>;
}

/** Options of {@link createAirflowClient}. */
export interface AirflowClientOptions {
  /** Base URL of the Airflow webserver (2.x) or API server (3.x), path prefix included. */
  baseUrl: string;
  auth: AirflowAuth;
  /** Default: probe the server. */
  api?: AirflowApi;
  /** Default 30 s. */
  timeoutMs?: number;
  /** Default 8 MiB. */
  maxBodyBytes?: number;
  /** Default: the global fetch. */
  fetch?: FetchLike;
}

/** Airflow's default (and usual maximum) page size. */
const PAGE_SIZE = 100;
/** 100 pages of 100: far more task instances than any one run has. */
const MAX_PAGES = 100;

/** A client for the Airflow at `opts.baseUrl`; throws E_USAGE for an unusable URL. */
export function createAirflowClient(opts: AirflowClientOptions): AirflowClient {
  return new RestClient(opts);
}

type Action = {
  /** What the request does, for messages: "trigger DAG x". */
  what: string;
  /** The message for a 404, when it means something specific. */
  notFound?: string;
  /** The message for a 409. */
  conflict?: string;
};

class RestClient implements AirflowClient {
  private readonly base: URL;
  private readonly fetchFn: FetchLike;
  private readonly limits: HttpLimits;
  private api: Promise<{ api: AirflowApi; version: string }> | undefined;
  private bearer: Promise<string | undefined> | undefined;

  constructor(private readonly opts: AirflowClientOptions) {
    this.base = parseBaseUrl(opts.baseUrl);
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.limits = {
      timeoutMs: opts.timeoutMs ?? 30_000,
      maxBodyBytes: opts.maxBodyBytes ?? 8 * 1024 * 1024,
    };
    if (opts.auth.kind === "token") checkHeaderValue(opts.auth.token, "the Airflow token", usage);
    if (opts.auth.kind === "basic") {
      if (opts.auth.username === "" || opts.auth.username.includes(":")) {
        throw usage(
          "the Airflow username must be non-empty and without ':' (basic auth splits on it)",
        );
      }
    }
  }

  version(): Promise<{ api: AirflowApi; version: string }> {
    this.api ??= this.detect();
    return this.api;
  }

  async getDag(dagId: string): Promise<AirflowDag> {
    const res = await this.call("GET", `dags/${seg(dagId)}`, undefined, {
      what: `read DAG ${dagId}`,
      notFound: `Airflow has no DAG ${dagId}: deploy it (updraft airflow deploy) and wait until the scheduler has parsed the file`,
    });
    return parseDag(res.json, `the answer about DAG ${dagId}`);
  }

  async setPaused(dagId: string, paused: boolean): Promise<void> {
    await this.call(
      "PATCH",
      `dags/${seg(dagId)}?update_mask=is_paused`,
      { is_paused: paused },
      {
        what: `${paused ? "pause" : "unpause"} DAG ${dagId}`,
        notFound: `Airflow has no DAG ${dagId}`,
      },
    );
  }

  async triggerRun(dagId: string, req: TriggerRequest): Promise<AirflowDagRun> {
    const { api } = await this.version();
    const body: Record<string, unknown> = { conf: req.conf };
    if (req.runId !== undefined) body["dag_run_id"] = req.runId;
    // Airflow 3 requires logical_date in the body (null: a run without one).
    if (req.logicalDate !== undefined || api === "v2")
      body["logical_date"] = req.logicalDate ?? null;
    const res = await this.call("POST", `dags/${seg(dagId)}/dagRuns`, body, {
      what: `trigger DAG ${dagId}`,
      notFound: `Airflow has no DAG ${dagId}: deploy it (updraft airflow deploy) and wait until the scheduler has parsed the file`,
      conflict: `DAG ${dagId} already has a run ${req.runId === undefined ? "at that time" : `with id ${req.runId}`}; choose another --run-id`,
    });
    return parseRun(res.json, `the new run of DAG ${dagId}`);
  }

  async getRun(dagId: string, runId: string): Promise<AirflowDagRun> {
    const res = await this.call("GET", `dags/${seg(dagId)}/dagRuns/${seg(runId)}`, undefined, {
      what: `read run ${runId} of DAG ${dagId}`,
      notFound: `Airflow has no run ${runId} of DAG ${dagId} (or no DAG ${dagId})`,
    });
    return parseRun(res.json, `run ${runId} of DAG ${dagId}`);
  }

  async latestRun(dagId: string): Promise<AirflowDagRun | undefined> {
    const { api } = await this.version();
    // Airflow 3 orders runs by run_after (manual runs may have no logical date).
    const order = api === "v2" ? "-run_after" : "-execution_date";
    const res = await this.call(
      "GET",
      `dags/${seg(dagId)}/dagRuns?order_by=${order}&limit=1`,
      undefined,
      {
        what: `list the runs of DAG ${dagId}`,
        notFound: `Airflow has no DAG ${dagId}`,
      },
    );
    const runs = res.json;
    const list = isRecord(runs) ? runs["dag_runs"] : undefined;
    if (!Array.isArray(list)) {
      throw airflowError(`Airflow's list of runs of DAG ${dagId} has no dag_runs list`);
    }
    return list.length === 0 ? undefined : parseRun(list[0], `the latest run of DAG ${dagId}`);
  }

  async taskInstances(dagId: string, runId: string): Promise<AirflowTaskInstance[]> {
    const all: AirflowTaskInstance[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const path = `dags/${seg(dagId)}/dagRuns/${seg(runId)}/taskInstances?limit=${PAGE_SIZE}&offset=${page * PAGE_SIZE}`;
      const res = await this.call("GET", path, undefined, {
        what: `list the tasks of run ${runId} of DAG ${dagId}`,
        notFound: `Airflow has no run ${runId} of DAG ${dagId}`,
      });
      const got: Page<AirflowTaskInstance> = parseTaskInstances(
        res.json,
        `the tasks of run ${runId}`,
      );
      all.push(...got.items);
      if (got.items.length === 0 || all.length >= got.total) break;
    }
    return all.sort((a, b) =>
      a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : a.mapIndex - b.mapIndex,
    );
  }

  /** One API call: the version prefix, authentication, and status codes as errors. */
  private async call(
    method: "GET" | "POST" | "PATCH",
    path: string,
    body: unknown,
    action: Action,
  ): Promise<HttpResponse> {
    const { api } = await this.version();
    const headers = await this.authHeaders(api);
    const url = this.url(`api/${api}/${path}`);
    const res = await sendRequest(this.fetchFn, { method, url, headers, body }, this.limits);
    if (res.status >= 200 && res.status < 300) {
      if (res.json === undefined) {
        throw airflowError(
          `Airflow answered "${action.what}" with something that is not JSON` +
            ` (${describeText(res.text)}); is --url the Airflow API server?`,
        );
      }
      return res;
    }
    throw this.statusError(res, action);
  }

  private statusError(res: HttpResponse, action: Action): Error {
    const detail = errorDetail(res);
    const said = `${res.status}${res.statusText ? ` ${res.statusText}` : ""}${detail ? `: ${detail}` : ""}`;
    switch (res.status) {
      case 401:
        return airflowError(
          `Airflow refused the credentials (${said}); set --username and --password ` +
            "(AIRFLOW_USERNAME, AIRFLOW_PASSWORD) or --token (AIRFLOW_TOKEN)",
        );
      case 403:
        return airflowError(`the Airflow user may not ${action.what} (${said})`);
      case 404:
        return airflowError(
          `${action.notFound ?? `Airflow found nothing to ${action.what}`} (${said})`,
        );
      case 409:
        return airflowError(`${action.conflict ?? `cannot ${action.what}: conflict`} (${said})`);
      default:
        if (res.status >= 500) {
          return airflowError(
            `Airflow failed to ${action.what} (${said}); see the Airflow API server's log`,
          );
        }
        return airflowError(`Airflow rejected the request to ${action.what} (${said})`);
    }
  }

  private async authHeaders(api: AirflowApi): Promise<Record<string, string>> {
    const auth = this.opts.auth;
    if (auth.kind === "token") return { authorization: `Bearer ${auth.token}` };
    if (auth.kind === "none") return {};
    if (api === "v1") {
      const pair = Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64");
      return { authorization: `Basic ${pair}` };
    }
    this.bearer ??= this.login(auth.username, auth.password);
    const token = await this.bearer;
    return token === undefined ? {} : { authorization: `Bearer ${token}` };
  }

  /** Airflow 3: trades the username and password for a JWT. */
  private async login(username: string, password: string): Promise<string> {
    const res = await sendRequest(
      this.fetchFn,
      { method: "POST", url: this.url("auth/token"), body: { username, password } },
      this.limits,
    );
    if (res.status === 200 || res.status === 201) {
      const token = isRecord(res.json) ? res.json["access_token"] : undefined;
      if (typeof token === "string" && token !== "") {
        checkHeaderValue(token, "the token Airflow issued", airflowError);
        return token;
      }
      throw airflowError(
        `Airflow's answer to POST /auth/token has no access_token (${describeText(res.text)})`,
      );
    }
    const detail = errorDetail(res);
    const said = `${res.status}${res.statusText ? ` ${res.statusText}` : ""}${detail ? `: ${detail}` : ""}`;
    if (res.status === 401 || res.status === 403 || res.status === 400) {
      throw airflowError(
        `Airflow refused the username or password (POST /auth/token: ${said}); check ` +
          "--username and --password (AIRFLOW_USERNAME, AIRFLOW_PASSWORD)",
      );
    }
    throw airflowError(`Airflow could not issue a token (POST /auth/token: ${said})`);
  }

  private async detect(): Promise<{ api: AirflowApi; version: string }> {
    if (this.opts.api !== undefined) {
      const probe = await this.probe(this.opts.api);
      return { api: this.opts.api, version: probe.version ?? "unknown" };
    }
    const v2 = await this.probe("v2");
    if (v2.found) return { api: "v2", version: v2.version ?? "unknown" };
    const v1 = await this.probe("v1");
    if (v1.found) return { api: "v1", version: v1.version ?? "unknown" };
    throw airflowError(
      `found no Airflow REST API at ${this.base.href}: /api/v2/version answered ${v2.said} and ` +
        `/api/v1/version answered ${v1.said}; is --url the Airflow webserver (2.x) or API server (3.x)?`,
    );
  }

  /** `GET /api/vN/version`, which needs no credentials in Airflow 2 and 3. */
  private async probe(
    api: AirflowApi,
  ): Promise<{ found: boolean; version?: string; said: string }> {
    const res = await sendRequest(
      this.fetchFn,
      { method: "GET", url: this.url(`api/${api}/version`) },
      this.limits,
    );
    const version = isRecord(res.json) ? res.json["version"] : undefined;
    if (res.status === 200 && typeof version === "string") {
      return { found: true, version: clean(version, 60), said: "200" };
    }
    // A gateway in front of Airflow may protect even the version endpoint.
    if ((res.status === 401 || res.status === 403) && isRecord(res.json)) {
      return { found: true, said: String(res.status) };
    }
    return {
      found: false,
      said: res.status === 200 ? "200 without a version" : String(res.status),
    };
  }

  private url(path: string): URL {
    return new URL(path, this.base);
  }
}

/** Checks the base URL: http(s), no credentials, a trailing slash so paths append. */
function parseBaseUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw usage(
      `the Airflow URL ${JSON.stringify(clean(raw, 100))} is not a URL (e.g. http://airflow:8080)`,
    );
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw usage(`the Airflow URL must start with http:// or https://, not ${u.protocol}//`);
  }
  if (u.username !== "" || u.password !== "") {
    throw usage(
      "put Airflow credentials in --username/--password (AIRFLOW_USERNAME, AIRFLOW_PASSWORD) " +
        "or --token (AIRFLOW_TOKEN), not in the URL",
    );
  }
  if (u.search !== "" || u.hash !== "") {
    throw usage("the Airflow URL must not have a query or fragment");
  }
  if (!u.pathname.endsWith("/")) u.pathname = `${u.pathname}/`;
  return u;
}

/** One path segment, percent-encoded (run ids hold `:` and `+`). */
function seg(s: string): string {
  return encodeURIComponent(s);
}

function checkHeaderValue(value: string, what: string, fail: (m: string) => Error): void {
  // Header values cannot hold line breaks or other controls; say so before fetch does.
  if (value === "" || /[^\x21-\x7e]/.test(value)) {
    throw fail(`${what} is empty or holds characters other than printable ASCII`);
  }
}

function usage(message: string): UpdraftError {
  return new UpdraftError(ErrorCodes.USAGE, message);
}

function describeText(text: string): string {
  const t = text.trim();
  return t === "" ? "an empty body" : `it starts with: ${clean(t, 80)}`;
}
