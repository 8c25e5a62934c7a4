/**
 * A real `updraft serve` for browser tests: started from the repository's sources (tsx,
 * so it is never an outdated build) on a free port with a fresh data directory, serving
 * the built app (web/dist) and with an admin whose password the test knows.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const WEB = join(import.meta.dirname, "..");
const ROOT = join(WEB, "..");

/** The admin password of every test server. */
export const ADMIN_PASSWORD = "e2e-Admin-password-4711";

/** A server started for a test file. */
export interface RealServer {
  url: string;
  dataDir: string;
  /** Calls the API as `token` (default: the admin's session) and returns status and JSON body. */
  api(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: unknown }>;
  /** Signs in through the API and returns the session token. */
  login(username: string, password: string): Promise<string>;
  adminToken: string;
  stop(): Promise<void>;
}

/** A compiled `updraft serve` (bin/updraft) being started; `child` is set at once so a failed start can still be killed. */
export interface UpdraftProcess {
  child: ChildProcess;
  /** Resolves with the server's URL once it prints "serving on URL". */
  url: Promise<string>;
}

/** Spawns `bin/updraft serve --port 0 --data-dir DIR ...args` with `env` added to the environment. */
export function spawnUpdraftServe(
  dataDir: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): UpdraftProcess {
  const child = spawn(
    process.execPath,
    [join(ROOT, "bin", "updraft"), "serve", "--port", "0", "--data-dir", dataDir, ...args],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const url = new Promise<string>((resolve, reject) => {
    let text = "";
    const onData = (c: Buffer) => {
      text += c.toString();
      const m = /serving on (http:\/\/\S+)/.exec(text);
      if (m !== null) resolve(m[1]!);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`updraft serve exited (${code}): ${text}`)));
    setTimeout(() => reject(new Error(`updraft serve did not start: ${text}`)), timeoutMs);
  });
  return { child, url };
}

/** Starts `updraft serve --port 0` and waits for "Updraft serving on URL". */
export async function startRealServer(): Promise<RealServer> {
  const tsx = join(ROOT, "node_modules", ".bin", "tsx");
  if (!existsSync(tsx)) throw new Error(`${tsx} is missing: the root's node_modules are needed`);
  const dataDir = mkdtempSync(join(tmpdir(), "updraft-web-e2e-"));
  const child: ChildProcess = spawn(
    tsx,
    [
      join(ROOT, "src", "cli", "main.ts"),
      "serve",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--web-dir",
      join(WEB, "dist"),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, UPDRAFT_ADMIN_PASSWORD: ADMIN_PASSWORD, UPDRAFT_DB: "" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not start:\n${stderr}`)),
      60_000,
    );
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /Updraft serving on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${stderr}`));
    });
  });
  child.stdout?.resume();

  const api: RealServer["api"] = async (method, path, body, token) => {
    const headers: Record<string, string> = {};
    const auth = token ?? server.adminToken;
    if (auth !== "") headers["authorization"] = `Bearer ${auth}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      // Not JSON (Airflow code, logs): the text itself.
    }
    return { status: res.status, body: parsed };
  };
  const login = async (username: string, password: string): Promise<string> => {
    const r = await api("POST", "/auth/login", { username, password }, "");
    if (r.status !== 200)
      throw new Error(`login of ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return (r.body as { token: string }).token;
  };
  const server: RealServer = {
    url,
    dataDir,
    api,
    login,
    adminToken: "",
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  server.adminToken = await login("admin", ADMIN_PASSWORD);
  return server;
}
