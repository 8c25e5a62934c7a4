/** `updraft run FILE`: one run on the embedded engine with live progress on stderr. */
import { join } from "node:path";
import { Engine } from "../engine/engine.js";
import { toRunView, type RunView } from "../engine/run-view.js";
import { workflowToDocument } from "../spec/document.js";
import { openStore } from "../store/open-store.js";
import { createRunnerRegistry } from "../tasks/registry.js";
import { resolveCliParams } from "./cli-params.js";
import { loadWorkflow } from "./load-workflow.js";
import type { ParamPair } from "./param-args.js";
import { PlainProgress } from "./progress-plain.js";
import { openRunConnections, type RunConnections } from "./run-connections.js";
import { TtyProgress, formatElapsed } from "./progress-tty.js";

/** Options of `updraft run`. */
export interface RunCommandOptions {
  file: string;
  /** `-p`/`-r NAME VALUE` pairs in order. */
  params: ParamPair[];
  /** `-f FILE` params files in order. */
  paramFiles: string[];
  json: boolean;
  dataDir: string;
  /** `--db`: a PostgreSQL URL or `sqlite:PATH`; the data directory's SQLite file when absent. */
  db?: string;
  python: string;
  /** Home directory, for Jupyter's per-user kernelspecs. */
  home: string;
  parallelism?: number;
  pools: Record<string, number>;
  env: NodeJS.ProcessEnv;
  /** The connections key (UPDRAFT_SECRET_KEY); default `env.UPDRAFT_SECRET_KEY`, else the key file. */
  secretKey?: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; rows?: number; columns?: number };
  /** Lets the caller cancel the run (Ctrl-C); called with a function that cancels it. */
  onCancelReady?: (cancel: () => void) => void;
}

/** Runs a workflow once; resolves with the process exit code (0 iff the run succeeded). */
export async function runCommand(opts: RunCommandOptions): Promise<number> {
  const { workflow, baseDir, path } = loadWorkflow(opts.file);
  const params = resolveCliParams(workflow, opts.params, opts.paramFiles);

  const where = { dataDir: opts.dataDir, ...(opts.db !== undefined ? { db: opts.db } : {}) };
  const store = await openStore(where);
  let connections: RunConnections | undefined;
  try {
    connections = await openRunConnections(
      workflow,
      where,
      opts.secretKey ?? opts.env["UPDRAFT_SECRET_KEY"],
    );
  } catch (err) {
    await store.close();
    throw err;
  }
  const runners = createRunnerRegistry({
    python: opts.python,
    kernels: { env: opts.env, home: opts.home },
  });
  try {
    const saved = await store.saveWorkflow(workflow.name, workflowToDocument(workflow), path);
    const engine = new Engine({
      store,
      runners,
      dataDir: opts.dataDir,
      baseEnv: opts.env,
      ...(connections !== undefined ? { connections: connections.resolver } : {}),
      limits: {
        ...(opts.parallelism !== undefined ? { parallelism: opts.parallelism } : {}),
        pools: opts.pools,
      },
    });
    const taskIds = Object.keys(workflow.tasks);
    const progress = opts.stderr.isTTY
      ? new TtyProgress(opts.stderr, taskIds)
      : new PlainProgress(opts.stderr);
    const unsubscribe = engine.subscribe((e) => progress.onEvent(e));
    const handle = await engine.startRun({ workflow, version: saved.version, params, baseDir });
    opts.onCancelReady?.(() => void engine.cancelRun(handle.id));
    const run = await handle.finished;
    unsubscribe();
    progress.stop();
    const view = toRunView(run, taskIds);
    opts.stderr.write(summarize(view, opts.dataDir));
    if (opts.json) opts.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return view.state === "succeeded" ? 0 : 1;
  } finally {
    await runners.close?.();
    await connections?.close();
    await store.close();
  }
}

// The closing lines: the outcome, counts per state, and for each failure its error and log.
function summarize(view: RunView, dataDir: string): string {
  const counts = new Map<string, number>();
  const failures: string[] = [];
  for (const [id, t] of Object.entries(view.tasks)) {
    counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
    if (t.state === "failed") {
      const log = join(dataDir, "runs", view.id, id, String(t.attempts), "log.txt");
      failures.push(`  ${id}: ${t.error?.message ?? "failed"}\n    log: ${log}`);
    }
  }
  const elapsed =
    view.startedAt && view.endedAt
      ? ` in ${formatElapsed(Date.parse(view.endedAt) - Date.parse(view.startedAt))}`
      : "";
  const tally = [...counts.entries()].map(([s, n]) => `${n} ${s}`).join(", ");
  const head = `run ${view.id} of ${view.workflow} ${view.state}${elapsed} (${tally || "no tasks"})\n`;
  return head + (failures.length > 0 ? `${failures.join("\n")}\n` : "");
}
