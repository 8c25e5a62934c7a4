/**
 * The fork servers of one interpreter, one per start-up environment: what Python reads
 * only when it starts (PYTHONPATH, locale, HOME for the user site, ...) must match
 * between the server and the task, or the task would not behave as a fresh `python`.
 */
import { PythonForkServer } from "./python-fork-server.js";
import type { LogSink } from "./types.js";

/** Variables the interpreter reads at start-up. */
const STARTUP_VARS = /^(PYTHON|LC_)|^(PATH|HOME|LANG|LANGUAGE|TZ)$/;
/** Most servers kept at once; tasks of further environments spawn python directly. */
const MAX_SERVERS = 4;
/** After a server failed to start, how long to spawn python directly before trying again. */
const RETRY_AFTER_MS = 60_000;

/** The part of `env` that Python reads at start-up. */
export function startupEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && STARTUP_VARS.test(key)) out[key] = value;
  }
  return out;
}

/** One start-up environment's server, starting, running, or recently failed. */
interface Entry {
  server: Promise<PythonForkServer | undefined>;
  failedAt?: number;
}

/** Fork servers of one interpreter, started on demand. */
export class PythonForkPool {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(
    private readonly python: string,
    private readonly idleMs?: number,
  ) {}

  /**
   * A usable server for tasks with environment `env`, or undefined when the task should
   * spawn python directly (the server cannot start, or too many environments).
   */
  async acquire(env: NodeJS.ProcessEnv, log?: LogSink): Promise<PythonForkServer | undefined> {
    if (this.closed) return undefined;
    const startup = startupEnv(env);
    const key = JSON.stringify(Object.entries(startup).sort(([a], [b]) => (a < b ? -1 : 1)));
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      if (entry.failedAt !== undefined && Date.now() - entry.failedAt < RETRY_AFTER_MS) {
        return undefined;
      }
      const server = await entry.server;
      if (server?.usable === true) return server;
      // Gone (idle or died), or time to retry a failed start. Another caller may have
      // replaced the entry meanwhile: then use theirs.
      if (this.entries.get(key) !== entry) return this.acquire(env, log);
      this.entries.delete(key);
    }
    if (this.entries.size >= MAX_SERVERS) return undefined;
    const fresh: Entry = {
      server: PythonForkServer.start(this.python, startup, this.idleMs).catch((err: unknown) => {
        fresh.failedAt = Date.now();
        const why = err instanceof Error ? err.message : String(err);
        log?.write(`updraft: python fork server unavailable (${why}); starting python directly\n`);
        return undefined;
      }),
    };
    this.entries.set(key, fresh);
    const server = await fresh.server;
    if (this.closed) {
      await server?.close();
      return undefined;
    }
    return server?.usable === true ? server : undefined;
  }

  /** Stops every server (their running tasks are killed). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(async (e) => (await e.server)?.close()));
  }
}
