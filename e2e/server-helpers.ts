/**
 * Shared pieces of the end-to-end tests that run the real service in this process: a temp
 * directory with a workflow catalog, the service started on 127.0.0.1 port 0 there, and
 * HTTP helpers that send exactly what a test gives them.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PassThrough } from "node:stream";
import { startService, type RunningService, type ServeOptions } from "../src/server/serve.js";

/** Python of python tasks: `$UPDRAFT_PYTHON`, else Debian's (the one on PATH may be bare). */
export const PYTHON = process.env["UPDRAFT_PYTHON"] ?? "/usr/bin/python3";

/** A temp directory and the workflow catalog directory inside it. */
export interface TempCatalog {
  tmp: string;
  catalog: string;
}

/** Creates a temp directory (named by `prefix`) with a `workflows/` catalog holding `files`. */
export function tempCatalog(prefix: string, files: Record<string, string> = {}): TempCatalog {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  const catalog = join(tmp, "workflows");
  mkdirSync(catalog);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(catalog, name), text);
  return { tmp, catalog };
}

/** The password of `admin` in every test service (set before its first start). */
export const TEST_ADMIN_PASSWORD = "test-admin-password-1";

/** A service started by {@link startTestService}. */
export interface TestService extends RunningService {
  /** The port it listens on. */
  port: number;
  /** Everything it wrote to stderr so far (unless `stderr` was given). */
  stderr: () => string;
  /** A session token of `admin`. */
  token: string;
  /** `{authorization: "Bearer <token>"}` for hand-made requests. */
  auth: Record<string, string>;
}

/** Logs in at `baseUrl` and returns the session token; throws unless it works. */
export async function loginToken(
  baseUrl: string,
  username = "admin",
  password = TEST_ADMIN_PASSWORD,
): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login as ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * Starts the real service on 127.0.0.1 port 0 with its data in `<tmp>/data`; `options`
 * add to or override the defaults (e.g. `examples`, `libraryDir`, `schedulerClock`).
 */
export async function startTestService(
  tmp: string,
  options: Partial<ServeOptions> = {},
): Promise<TestService> {
  let text = "";
  const stderr = new PassThrough();
  stderr.on("data", (c: Buffer) => (text += c.toString()));
  const service = await startService({
    port: 0,
    host: "127.0.0.1",
    dataDir: join(tmp, "data"),
    python: PYTHON,
    home: process.env["HOME"] ?? "/root",
    env: process.env,
    stderr,
    adminPassword: TEST_ADMIN_PASSWORD,
    ...options,
  });
  const token = await loginToken(service.url);
  return {
    url: service.url,
    server: service.server,
    stop: () => service.stop(),
    port: service.server.address().port,
    stderr: () => text,
    token,
    auth: { authorization: `Bearer ${token}` },
  };
}

/** An HTTP answer as received. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, typed as the caller expects it. */
  json: <T>() => T;
}

/** The body and headers of a request made by {@link sendRaw}. */
export interface SendOptions {
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Rejects (and drops the connection) when the whole answer has not arrived by then. */
  timeoutMs?: number;
  /** Resolves on the headers of a `text/event-stream` answer (text empty) instead of waiting for its end. */
  stopAtEventStream?: boolean;
}

/** Sends a request to 127.0.0.1:`port` with the path exactly as given (no URL normalization). */
export function sendRaw(
  port: number,
  method: string,
  path: string,
  opts: SendOptions = {},
): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method, path, headers: opts.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        if (
          opts.stopAtEventStream &&
          /^text\/event-stream/.test(res.headers["content-type"] ?? "")
        ) {
          clearTimeout(timer);
          req.destroy();
          resolvePromise({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: "",
            json: () => JSON.parse("") as never,
          });
          return;
        }
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString("utf8");
          resolvePromise({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
        res.on("error", reject);
      },
    );
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            req.destroy();
            reject(
              new Error(`${method} ${path.slice(0, 200)}: no answer within ${opts.timeoutMs} ms`),
            );
          }, opts.timeoutMs);
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(opts.body);
  });
}

/**
 * Fetches `url` (with `body` as JSON when given, and `token` as the bearer token) and
 * returns the JSON answer; throws unless 2xx.
 */
export async function fetchJson<T>(
  url: string,
  method = "GET",
  body?: unknown,
  token?: string,
): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A real `updraft serve` process started by {@link spawnServe}. */
export interface SpawnedServer {
  url: string;
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr: () => string;
}

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "updraft");

/**
 * Runs the built CLI as `updraft serve ARGS` (add `--port 0`) and resolves once it says
 * where it serves; rejects with its stderr when it exits first.
 */
export async function spawnServe(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [BIN, "serve", ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on("data", (c: Buffer) => {
      err += c.toString();
      const m = /Updraft serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m?.[1]) resolve(m[1]);
    });
    child.on("exit", () => reject(new Error(`updraft serve exited early: ${err}`)));
  });
  return { url, child, stderr: () => err };
}
