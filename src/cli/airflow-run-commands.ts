/**
 * `updraft airflow trigger NAME` and `updraft airflow status NAME [RUN_ID]`: start a
 * run of a deployed workflow on Airflow and read its state, through the REST client.
 */
import type { AirflowClient, AirflowDagRun, AirflowTaskInstance } from "../airflow/rest-client.js";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { parseCliValue } from "../spec/params.js";
import type { ParamPair } from "./param-args.js";

/** Options of {@link airflowTriggerCommand}. */
export interface AirflowTriggerOptions {
  client: AirflowClient;
  /** The workflow's name, which is the DAG id. */
  name: string;
  /** `-p`/`-r NAME VALUE` pairs; they override `--conf`. */
  params: ParamPair[];
  /** `--conf`: a JSON object of params. */
  conf?: string;
  runId?: string;
  logicalDate?: string;
  /** Unpause the DAG first when it is paused. */
  unpause: boolean;
  json: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Options of {@link airflowStatusCommand}. */
export interface AirflowStatusOptions {
  client: AirflowClient;
  name: string;
  /** Default: the latest run. */
  runId?: string;
  /** Poll until the run has finished; the exit code then says whether it succeeded. */
  wait: boolean;
  /** Between polls, in milliseconds. */
  intervalMs: number;
  /** How to wait between polls (a timer in the CLI). */
  sleep: (ms: number) => Promise<void>;
  json: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** DAG ids as Airflow allows them (letters, digits, `_`, `.`, `-`; 250 at most). */
const DAG_ID_RE = /^[A-Za-z0-9_.-]{1,250}$/;
/** DAG run states after which nothing changes. */
const FINISHED = new Set(["success", "failed"]);

/** Triggers a run; resolves with the exit code. */
export async function airflowTriggerCommand(o: AirflowTriggerOptions): Promise<number> {
  checkDagId(o.name);
  const conf = buildConf(o.conf, o.params);
  if (o.runId !== undefined) checkRunId(o.runId, "--run-id");
  if (o.logicalDate !== undefined && Number.isNaN(Date.parse(o.logicalDate))) {
    throw usage(
      `--logical-date takes an ISO date-time such as 2026-01-31T00:00:00Z, not "${o.logicalDate}"`,
    );
  }
  const dag = await o.client.getDag(o.name);
  if (dag.isPaused && o.unpause) {
    await o.client.setPaused(o.name, false);
    o.stderr.write(`unpaused DAG ${o.name}\n`);
  } else if (dag.isPaused) {
    o.stderr.write(
      `note: DAG ${o.name} is paused in Airflow, so the run stays queued until it is unpaused ` +
        "(pass --unpause, or unpause it in the Airflow UI)\n",
    );
  }
  const run = await o.client.triggerRun(o.name, {
    conf,
    ...(o.runId !== undefined ? { runId: o.runId } : {}),
    ...(o.logicalDate !== undefined ? { logicalDate: o.logicalDate } : {}),
  });
  if (o.json) {
    o.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  } else {
    o.stdout.write(`triggered run ${run.runId} of DAG ${run.dagId} (${run.state})\n`);
    o.stderr.write(`follow it with: updraft airflow status ${run.dagId} ${quoteArg(run.runId)}\n`);
  }
  return 0;
}

/** Prints a run's state and its tasks; resolves with the exit code. */
export async function airflowStatusCommand(o: AirflowStatusOptions): Promise<number> {
  checkDagId(o.name);
  if (o.runId !== undefined) checkRunId(o.runId, "RUN_ID");
  const { api, version } = await o.client.version();
  let run = await readRun(o);
  if (o.wait) {
    let last = run.state;
    while (!FINISHED.has(run.state)) {
      await o.sleep(o.intervalMs);
      run = await o.client.getRun(o.name, run.runId);
      if (run.state !== last && !o.json) o.stderr.write(`run ${run.runId}: ${run.state}\n`);
      last = run.state;
    }
  }
  const tasks = await o.client.taskInstances(o.name, run.runId);
  if (o.json) {
    const out = { ...run, airflow: { api, version }, tasks };
    o.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    o.stdout.write(formatStatus(run, tasks, `Airflow ${version}, API ${api}`));
  }
  return o.wait && run.state !== "success" ? 1 : 0;
}

async function readRun(o: AirflowStatusOptions): Promise<AirflowDagRun> {
  if (o.runId !== undefined) return o.client.getRun(o.name, o.runId);
  const latest = await o.client.latestRun(o.name);
  if (latest === undefined) {
    throw new UpdraftError(
      ErrorCodes.NOT_FOUND,
      `DAG ${o.name} has no runs in Airflow yet; start one with: updraft airflow trigger ${o.name}`,
    );
  }
  return latest;
}

/** The run's conf: `--conf` merged with the `-p`/`-r` pairs (parsed like papermill's). */
export function buildConf(confJson: string | undefined, pairs: readonly ParamPair[]) {
  let conf: Record<string, unknown> = {};
  if (confJson !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(confJson) as unknown;
    } catch (err) {
      throw usage(`--conf is not JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw usage("--conf must be a JSON object of params, e.g. --conf '{\"size\": 0.2}'");
    }
    conf = parsed as Record<string, unknown>;
  }
  const out: Record<string, unknown> = { ...conf };
  for (const { name, value, raw } of pairs) {
    const v = raw ? value : parseCliValue(value);
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw usage(
        `-p ${name} ${value}: Airflow's conf is JSON, which has no ${value}; use -r to pass it as text`,
      );
    }
    // defineProperty: a param called __proto__ stays a plain key.
    Object.defineProperty(out, name, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The text `status` prints: the run, then one aligned line per task instance. */
export function formatStatus(
  run: AirflowDagRun,
  tasks: readonly AirflowTaskInstance[],
  server: string,
): string {
  const lines = [`run ${run.runId} of DAG ${run.dagId}: ${run.state} (${server})`];
  const times = [
    run.logicalDate && `logical date ${run.logicalDate}`,
    run.startDate && `started ${run.startDate}`,
    run.endDate && `ended ${run.endDate}`,
  ].filter(Boolean);
  if (times.length > 0) lines.push(`  ${times.join(", ")}`);
  if (tasks.length === 0) {
    lines.push("  no task instances yet (the scheduler has not looked at the run)");
  } else {
    const rows = tasks.map((t) => [
      t.mapIndex >= 0 ? `${t.taskId}[${t.mapIndex}]` : t.taskId,
      t.state ?? "no status",
      t.tryNumber > 0 ? `try ${t.tryNumber}` : "",
      t.startDate ?? "",
      t.endDate ?? "",
    ]);
    const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    for (const r of rows) {
      lines.push(
        `  ${r
          .map((c, i) => (i < 4 ? c.padEnd(widths[i] ?? 0) : c))
          .join("  ")
          .trimEnd()}`,
      );
    }
    const counts = new Map<string, number>();
    for (const t of tasks)
      counts.set(t.state ?? "no status", (counts.get(t.state ?? "no status") ?? 0) + 1);
    lines.push(`  ${[...counts].map(([s, n]) => `${n} ${s}`).join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}

function checkDagId(name: string): void {
  if (!DAG_ID_RE.test(name)) {
    throw usage(`"${name.slice(0, 80)}" is not a DAG id (letters, digits, _ . - only)`);
  }
}

function checkRunId(id: string, what: string): void {
  if (id === "" || id.length > 250 || /[^\x21-\x7e]/.test(id)) {
    throw usage(`${what} takes 1 to 250 printable ASCII characters without spaces`);
  }
}

// Run ids like manual__2026-01-01T00:00:00+00:00 are safe unquoted; others are quoted.
function quoteArg(s: string): string {
  return /^[A-Za-z0-9_.:+-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

function usage(message: string): UpdraftError {
  return new UpdraftError(ErrorCodes.USAGE, message);
}
