/**
 * The minimal HTTP server of `updraft serve` (node:http, no framework): the JSON API of
 * DESIGN §8 that this milestone needs and a small page at `/`. Bad requests always get a
 * 4xx with `{error: {code, message, details}}`; only the server's own failures are 5xx.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Engine, RunWorkflowLoader } from "../engine/engine.js";
import type { Store } from "../store/types.js";
import { guardRoutes } from "./access.js";
import { apiRoutes, type ApiDeps, type Handler } from "./api-handlers.js";
import type { Authenticator } from "./auth/authenticator.js";
import type { ConnectionVault } from "../secrets/connection-vault.js";
import { appFile, isAppPath } from "./static-files.js";
import { HttpError, toErrorResponse } from "./http-errors.js";
import type { Metrics } from "./metrics.js";
import { json, sendReply } from "./reply.js";
import { drain } from "./request-body.js";
import { matchRoute, pathSegments, type Route } from "./router.js";
import { RunViews } from "./run-views.js";
import type { WorkflowCatalog } from "./workflow-catalog.js";
import type { WorkflowSchedules } from "./workflow-schedules.js";

/** What the server needs. */
export interface ServerDeps {
  engine: Engine;
  store: Store;
  workflows: WorkflowCatalog;
  /** Pause state and next runs of the workflows' schedules. */
  schedules: WorkflowSchedules;
  /** Where relative paths of workflows saved through the API resolve. */
  libraryDir: string;
  /** Finds the workflow version and base directory of a stored run (repair, recovery). */
  loadRunWorkflow: RunWorkflowLoader;
  /** Data directory of the engine; task logs are read from `<dataDir>/runs/` only. */
  dataDir: string;
  /** Where server errors are logged; stderr by default. */
  log?: (message: string) => void;
  /** Counts requests by route and serves `/metrics` when given. */
  metrics?: Metrics;
  /** Checks the bearer token of every request to a non-public route. */
  authenticator: Authenticator;
  /** Logins, accounts and workflow owners. */
  auth: ApiDeps["auth"];
  /** Encrypted connections, served under `/api/v1/connections` when given. */
  connections?: ConnectionVault;
  /** The built web app (web/dist) served at `/`; a page saying how to build it when absent. */
  webDir?: string;
}

/** A created server. */
export interface UpdraftServer {
  /** Starts listening; resolves once the port is bound. */
  listen(port: number, host: string): Promise<void>;
  /** The bound address (the real port when listening on port 0). */
  address(): { host: string; port: number };
  /** Stops accepting, closes every connection, resolves when done. */
  close(): Promise<void>;
}

/** Creates the server; it does nothing until `listen`. */
export function createServer(deps: ServerDeps): UpdraftServer {
  const log = deps.log ?? ((m: string) => process.stderr.write(`updraft serve: ${m}\n`));
  const routes = guardRoutes(
    apiRoutes({
      engine: deps.engine,
      store: deps.store,
      workflows: deps.workflows,
      runViews: new RunViews(deps.store),
      loadRunWorkflow: deps.loadRunWorkflow,
      schedules: deps.schedules,
      libraryDir: deps.libraryDir,
      dataDir: deps.dataDir,
      log,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      auth: deps.auth,
      ...(deps.connections ? { connections: deps.connections } : {}),
    }),
    deps.authenticator,
  );
  const served = deps.metrics?.instrumentRoutes(routes) ?? routes;
  const server = createHttpServer((req, res) => {
    deps.metrics?.observeRequest(req, res);
    handle(served, deps.webDir, req, res, log).catch((err: unknown) => {
      log(`error while answering ${req.method ?? "?"} ${req.url ?? "?"}: ${String(err)}`);
      res.destroy();
    });
  });
  // A client gets 10 s for its headers and 30 s for the whole request.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
    },
    address() {
      const a = server.address() as AddressInfo | null;
      if (!a) throw new Error("the server is not listening");
      return { host: a.address, port: a.port };
    },
    close() {
      return new Promise((resolve, reject) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

async function handle(
  routes: Route<Handler>[],
  webDir: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  log: (message: string) => void,
): Promise<void> {
  try {
    const rawUrl = req.url ?? "/";
    const method = req.method ?? "GET";
    const q = rawUrl.indexOf("?");
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    if (!rawPath.startsWith("/"))
      throw new HttpError(400, "E_VALIDATION", "malformed request target");
    if (method !== "GET" && method !== "HEAD") checkSameOrigin(req);
    const segments = pathSegments(rawPath);
    if ((method === "GET" || method === "HEAD") && isAppPath(segments)) {
      await drain(req);
      sendReply(res, appFile(webDir, segments));
      return;
    }
    const { handler, params } = matchRoute(routes, method, segments);
    const query = new URLSearchParams(q < 0 ? "" : rawUrl.slice(q + 1));
    const reply = await handler({ req, params, query });
    await drain(req);
    sendReply(res, reply);
  } catch (err) {
    const answer = toErrorResponse(err);
    if (answer.internal) {
      log(
        `${req.method ?? "?"} ${req.url ?? "?"} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    }
    // Read what the client is still sending, so that it gets to read the answer.
    await drain(req);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // An oversized upload is not worth keeping the connection for.
    const headers =
      answer.status === 413 ? { ...answer.headers, connection: "close" } : answer.headers;
    sendReply(res, json(answer.status, answer.body, headers));
  }
}

// A browser on another site must not trigger or cancel runs: a cross-origin write is refused.
// (Non-browser clients send no Origin; JSON-only bodies also keep plain HTML forms out.)
function checkSameOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  const site = req.headers["sec-fetch-site"];
  const host = req.headers.host;
  const crossSite = site === "cross-site" || site === "same-site";
  let foreignOrigin = false;
  if (origin !== undefined && origin !== "null") {
    try {
      foreignOrigin = new URL(origin).host !== host;
    } catch {
      foreignOrigin = true;
    }
  } else if (origin === "null") {
    foreignOrigin = true;
  }
  if (crossSite || foreignOrigin) {
    throw new HttpError(403, "E_FORBIDDEN", "cross-origin requests may not change anything here");
  }
}
