/**
 * `updraft serve` put together: the store (`--db`, else SQLite in the data directory), the engine,
 * the workflow catalog and the HTTP server, and their orderly shutdown.
 */
import { mkdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { systemClock, type Clock } from "../engine/clock.js";
import { Engine } from "../engine/engine.js";
import { storedWorkflowLoader } from "../engine/stored-workflow.js";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { openStore } from "../store/open-store.js";
import { createRunnerRegistry } from "../tasks/registry.js";
import { Metrics } from "./metrics.js";
import { createServer, type UpdraftServer } from "./server.js";
import { WorkflowCatalog, addStoredWorkflows, loadWorkflowCatalog } from "./workflow-catalog.js";
import { WorkflowSchedules } from "./workflow-schedules.js";

/** Settings of a service. */
export interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  /** `--db`: a PostgreSQL URL or `sqlite:PATH`; the data directory's SQLite file when absent. */
  db?: string;
  /** Directory whose workflow files are loaded into the catalog. */
  examples?: string;
  /** The notebook library (and base of API-saved workflows); `<dataDir>/library` by default. */
  libraryDir?: string;
  /** Python interpreter of `python` tasks. */
  python: string;
  /** Environment task processes start from. */
  env: NodeJS.ProcessEnv;
  /** Home directory, for Jupyter's per-user kernelspecs. */
  home: string;
  /** Where startup messages, skipped files and server errors go. */
  stderr: NodeJS.WritableStream;
  /** The schedules' clock; the real one unless a test drives time. */
  schedulerClock?: Clock;
}

/** A running service. */
export interface RunningService {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  server: UpdraftServer;
  /** Stops accepting, cancels running runs, closes the store. */
  stop(): Promise<void>;
}

/** Starts the service; rejects (with everything opened closed again) when it cannot. */
export async function startService(opts: ServeOptions): Promise<RunningService> {
  const dataDir = resolve(opts.dataDir);
  if (opts.examples !== undefined && !isDirectory(opts.examples)) {
    throw new UpdraftError(ErrorCodes.USAGE, `--examples ${opts.examples} is not a directory`);
  }
  const log = (m: string) => opts.stderr.write(`updraft serve: ${m}\n`);
  const store = await openStore({ dataDir, db: opts.db });
  const runners = createRunnerRegistry({
    python: opts.python,
    kernels: { env: opts.env, home: opts.home },
  });
  const engine = new Engine({
    store,
    runners,
    dataDir,
    baseEnv: opts.env,
    // A store failure ends the engine's runs; the server keeps answering and says so per request.
    onFatal: (err) => log(`engine failure: ${err.stack ?? err.message}`),
  });
  // Attached before recovery, so that resumed runs are counted too.
  const metrics = new Metrics();
  metrics.attach(engine);
  let server: UpdraftServer | undefined;
  let schedules: WorkflowSchedules | undefined;
  try {
    const workflows = opts.examples
      ? await loadWorkflowCatalog(opts.examples, store, log)
      : new WorkflowCatalog();
    // Workflows saved through the API (not from a file) come back from the store.
    const workflowLibrary = resolve(opts.libraryDir ?? join(dataDir, "library"));
    mkdirSync(workflowLibrary, { recursive: true });
    await addStoredWorkflows(workflows, store, workflowLibrary, log);
    const loadRunWorkflow = storedWorkflowLoader(store, (v) =>
      v.source !== undefined && isAbsolute(v.source) ? dirname(v.source) : workflowLibrary,
    );
    // Runs a killed server left behind continue before anything new is accepted.
    const resumed = await engine.recover(loadRunWorkflow);
    if (resumed.length > 0) log(`resuming ${resumed.length} interrupted run(s)`);
    for (const h of resumed) {
      void h.finished.then(undefined, (err: unknown) => log(`run ${h.id}: ${String(err)}`));
    }
    schedules = new WorkflowSchedules({
      engine,
      store,
      workflows,
      clock: opts.schedulerClock ?? systemClock,
      log,
    });
    await schedules.start();
    server = createServer({
      engine,
      store,
      workflows,
      schedules,
      loadRunWorkflow,
      dataDir,
      libraryDir: workflowLibrary,
      log,
      metrics,
    });
    await server.listen(opts.port, opts.host).catch((err: unknown) => {
      throw listenError(err, opts.host, opts.port);
    });
  } catch (err) {
    await schedules?.stop();
    await engine.shutdown();
    await runners.close?.();
    await store.close();
    throw err;
  }
  const { port } = server.address();
  const shownHost = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  const url = `http://${shownHost}:${port}`;
  opts.stderr.write(`Updraft serving on ${url}\n`);
  const running = server;
  const scheduled = schedules;
  let stopping: Promise<void> | undefined;
  return {
    url,
    server: running,
    stop() {
      stopping ??= (async () => {
        await scheduled.stop();
        await running.close();
        await engine.shutdown();
        await runners.close?.();
        await store.close();
      })();
      return stopping;
    },
  };
}

function listenError(err: unknown, host: string, port: number): UpdraftError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  if (code === "EADDRINUSE") {
    return new UpdraftError(ErrorCodes.USAGE, `${where} is already in use; pick another --port`);
  }
  if (code === "EACCES") {
    return new UpdraftError(ErrorCodes.USAGE, `no permission to listen on ${where}`);
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
    return new UpdraftError(ErrorCodes.USAGE, `cannot listen on ${where}: no such address here`);
  }
  return new UpdraftError(ErrorCodes.INTERNAL, `cannot listen on ${where}: ${String(err)}`, {
    cause: err,
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
