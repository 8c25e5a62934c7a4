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
import { ConnectionVault } from "../secrets/connection-vault.js";
import type { ConnectionStore } from "../secrets/connection-store.js";
import type { DbSpec } from "../secrets/db-location.js";
import { openConnectionStore } from "../secrets/open-connection-store.js";
import { resolveSecretKey } from "../secrets/secret-key.js";
import { Accounts } from "./auth/accounts.js";
import type { AuthStore } from "./auth/auth-store.js";
import { Authenticator } from "./auth/authenticator.js";
import { bootstrapAdmin } from "./auth/bootstrap-admin.js";
import { LoginService } from "./auth/login.js";
import { openAuthStore } from "./auth/open-auth-store.js";
import { Metrics } from "./metrics.js";
import { WorkflowOwners } from "./workflow-owners.js";
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
  /** Password of the `admin` user created on first start (UPDRAFT_ADMIN_PASSWORD); generated and printed once when absent. */
  adminPassword?: string;
  /** The connections' encryption key (UPDRAFT_SECRET_KEY); else `<dataDir>/secret.key`, created when missing. */
  secretKey?: string;
  /** The built web app to serve at `/` (web/dist). */
  webDir?: string;
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
  const opened = await openAccess({ dataDir, db: opts.db }, opts, log).catch(
    async (err: unknown) => {
      await store.close();
      throw err;
    },
  );
  const { authStore, vault } = opened;
  const runners = createRunnerRegistry({
    python: opts.python,
    kernels: { env: opts.env, home: opts.home },
  });
  const engine = new Engine({
    store,
    runners,
    dataDir,
    baseEnv: opts.env,
    connections: vault,
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
    const accounts = new Accounts(authStore);
    const owners = await WorkflowOwners.load(store, authStore);
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
      authenticator: new Authenticator(authStore),
      auth: {
        login: new LoginService(authStore),
        accounts,
        owners,
        onUserDeleted: (id) => owners.userDeleted(id),
      },
      connections: vault,
      ...(opts.webDir !== undefined ? { webDir: opts.webDir } : {}),
    });
    await server.listen(opts.port, opts.host).catch((err: unknown) => {
      throw listenError(err, opts.host, opts.port);
    });
  } catch (err) {
    await schedules?.stop();
    await engine.shutdown();
    await runners.close?.();
    await closeAccess(opened);
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
        await closeAccess(opened);
        await store.close();
      })();
      return stopping;
    },
  };
}

interface Access {
  authStore: AuthStore;
  connectionStore: ConnectionStore;
  vault: ConnectionVault;
}

// The users, tokens and connections beside the main store; `admin` on first start.
async function openAccess(
  spec: DbSpec,
  opts: ServeOptions,
  log: (m: string) => void,
): Promise<Access> {
  const authStore = await openAuthStore(spec);
  let connectionStore: ConnectionStore | undefined;
  try {
    const boot = await bootstrapAdmin(authStore, opts.adminPassword);
    if (boot.created && boot.generatedPassword !== undefined) {
      // Shown once, here only: it is not stored anywhere but as a hash.
      opts.stderr.write(
        `\nCreated the first user: admin, password ${boot.generatedPassword}\n` +
          "Sign in with it and change it (or set UPDRAFT_ADMIN_PASSWORD before the first start).\n\n",
      );
    } else if (boot.created) log("created the first user, admin, with UPDRAFT_ADMIN_PASSWORD");
    const key = resolveSecretKey(opts.secretKey, spec.dataDir);
    if (key.created) log(`created the connections key ${key.source} (mode 0600): back it up`);
    connectionStore = await openConnectionStore(spec);
    return { authStore, connectionStore, vault: new ConnectionVault(connectionStore, key) };
  } catch (err) {
    await connectionStore?.close();
    await authStore.close();
    throw err;
  }
}

async function closeAccess(access: Access): Promise<void> {
  await access.connectionStore.close();
  await access.authStore.close();
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
