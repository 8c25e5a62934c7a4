/**
 * Registers the Airflow-related commands: `updraft export airflow`, `updraft airflow
 * deploy|trigger|status` and `updraft task exec` (what the `updraft_airflow` operators
 * run on a worker).
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { Store } from "../store/types.js";
import {
  addConnectionOptions,
  airflowClientFromFlags,
  type AirflowConnectionFlags,
} from "./airflow-connection.js";
import type { ParamPair } from "./param-args.js";

/** Adds `export airflow`, `airflow deploy|trigger|status` and `task exec` to the program. */
export function registerAirflowCommands(
  program: Command,
  env: NodeJS.ProcessEnv,
  exit: (code: number) => void,
  pairs: ParamPair[] = [],
): void {
  registerAirflowGroup(program, env, pairs, exit);

  program
    .command("export")
    .description("export workflows to other schedulers")
    .command("airflow")
    .description("write one Airflow DAG file (<name>.py) per workflow file")
    .argument("<files...>", "workflow files")
    .requiredOption("-o, --output <dir>", "the DAGs folder to write to")
    .option("--start-date <date>", "start_date of the DAGs (YYYY-MM-DD); catchup starts here")
    .action(async (files: string[], o: { output: string; startDate?: string }) => {
      const { exportAirflowCommand } = await import("./export-command.js");
      exit(
        exportAirflowCommand({
          files,
          outDir: o.output,
          ...(o.startDate !== undefined ? { startDate: o.startDate } : {}),
          stdout: process.stdout,
          stderr: process.stderr,
        }),
      );
    });

  program
    .command("task")
    .description("work with single tasks")
    .command("exec")
    .description(
      "run one resolved task given as JSON (a file or stdin); print its outputs as JSON on stdout",
    )
    .argument("[file]", "JSON file of the task; - or nothing reads stdin")
    .option("--work-dir <dir>", "keep attempt directories (logs, notebooks) under DIR")
    .action(async (file: string | undefined, o: { workDir?: string }) => {
      let cancel: (() => void) | undefined;
      const onSignal = () => cancel?.();
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
      try {
        exit(
          await (
            await import("./task-exec-command.js")
          ).taskExecCommand({
            ...(file !== undefined ? { file } : {}),
            ...(o.workDir !== undefined ? { workDir: o.workDir } : {}),
            python: env["UPDRAFT_PYTHON"] ?? "python3",
            home: homedir(),
            env,
            stdin: process.stdin,
            stdout: process.stdout,
            stderr: process.stderr,
            onCancelReady: (c) => (cancel = c),
          }),
        );
      } finally {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
    });
}

interface DeployFlags {
  dataDir: string;
  db?: string;
  startDate?: string;
  prune: boolean;
  dryRun: boolean;
  json: boolean;
}

interface TriggerFlags extends AirflowConnectionFlags {
  conf?: string;
  runId?: string;
  logicalDate?: string;
  unpause: boolean;
  json: boolean;
}

interface StatusFlags extends AirflowConnectionFlags {
  wait: boolean;
  interval: string;
  json: boolean;
}

function registerAirflowGroup(
  program: Command,
  env: NodeJS.ProcessEnv,
  pairs: ParamPair[],
  exit: (code: number) => void,
): void {
  const airflow = program
    .command("airflow")
    .description("deploy workflows to an Airflow cluster, trigger and follow their runs");

  airflow
    .command("deploy")
    .description(
      "write or update the DAG file of every workflow in the store; remove the files of workflows that are gone",
    )
    .argument("<dags-dir>", "the Airflow DAGs folder")
    .option(
      "--data-dir <dir>",
      "the data directory whose updraft.db holds the workflows",
      resolve(env["UPDRAFT_DATA_DIR"] ?? join(homedir(), ".updraft")),
    )
    .option(
      "--db <url>",
      "the store instead of --data-dir: postgres://... or sqlite:PATH (default: $UPDRAFT_DB)",
    )
    .option("--start-date <date>", "start_date of the DAGs (YYYY-MM-DD); catchup starts here")
    .option("--no-prune", "keep the files of workflows that are no longer in the store")
    .option("--dry-run", "only report what would change", false)
    .option("--json", "print the changes as JSON on stdout", false)
    .action(async (dagsDir: string, o: DeployFlags) => {
      const { store, label } = await openDeployStore(o, env);
      try {
        exit(
          await (
            await import("./airflow-deploy-command.js")
          ).airflowDeployCommand({
            dagsDir,
            store,
            storeLabel: label,
            ...(o.startDate !== undefined ? { startDate: o.startDate } : {}),
            prune: o.prune,
            dryRun: o.dryRun,
            json: o.json,
            cwd: process.cwd(),
            stdout: process.stdout,
            stderr: process.stderr,
          }),
        );
      } finally {
        await store.close();
      }
    });

  addConnectionOptions(
    airflow
      .command("trigger")
      .description("start a run of a deployed workflow on Airflow")
      .argument("<name>", "the workflow's name (its DAG id)")
      .option("-p, --parameters <name value>", "set a param (repeatable): -p NAME VALUE")
      .option("--conf <json>", "params as a JSON object (-p values override it)")
      .option("--run-id <id>", "the run's id (default: Airflow's manual__<time>)")
      .option(
        "--logical-date <iso>",
        "the run's logical date (default: now on Airflow 2, none on 3)",
      )
      .option("--unpause", "unpause the DAG first if it is paused", false)
      .option("--json", "print the new run as JSON on stdout", false),
  ).action(async (name: string, o: TriggerFlags) => {
    exit(
      await (
        await import("./airflow-run-commands.js")
      ).airflowTriggerCommand({
        client: airflowClientFromFlags(o, env),
        name,
        params: pairs,
        ...(o.conf !== undefined ? { conf: o.conf } : {}),
        ...(o.runId !== undefined ? { runId: o.runId } : {}),
        ...(o.logicalDate !== undefined ? { logicalDate: o.logicalDate } : {}),
        unpause: o.unpause,
        json: o.json,
        stdout: process.stdout,
        stderr: process.stderr,
      }),
    );
  });

  addConnectionOptions(
    airflow
      .command("status")
      .description("show a run of a workflow on Airflow (default: the latest) and its tasks")
      .argument("<name>", "the workflow's name (its DAG id)")
      .argument("[run-id]", "the run's id")
      .option("--wait", "poll until the run has finished; exit 0 iff it succeeded", false)
      .option("--interval <seconds>", "seconds between polls with --wait", "5")
      .option("--json", "print the run and its tasks as JSON on stdout", false),
  ).action(async (name: string, runId: string | undefined, o: StatusFlags) => {
    const seconds = Number(o.interval);
    if (!/^\d+(\.\d+)?$/.test(o.interval) || !(seconds > 0)) {
      throw new UpdraftError(ErrorCodes.USAGE, `--interval takes seconds, not "${o.interval}"`);
    }
    exit(
      await (
        await import("./airflow-run-commands.js")
      ).airflowStatusCommand({
        client: airflowClientFromFlags(o, env),
        name,
        ...(runId !== undefined ? { runId } : {}),
        wait: o.wait,
        intervalMs: Math.round(seconds * 1000),
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        json: o.json,
        stdout: process.stdout,
        stderr: process.stderr,
      }),
    );
  });
}

/**
 * The store `deploy` reads: `--db` (PostgreSQL or `sqlite:PATH`), else `updraft.db` in
 * the data directory. An SQLite file must exist already: opening creates one, and an
 * empty new store is never what a deploy meant.
 */
async function openDeployStore(
  o: DeployFlags,
  env: NodeJS.ProcessEnv,
): Promise<{ store: Store; label: string }> {
  // Loaded on use: the store drivers are heavy for commands that need none.
  const { SQLITE_FILE, openStore } = await import("../store/open-store.js");
  // As for serve and run: --db, else $UPDRAFT_DB, else the data directory's SQLite file.
  const db = (o.db ?? env["UPDRAFT_DB"])?.trim() ?? "";
  if (/^postgres(ql)?:/i.test(db)) {
    // Only the scheme and host part are shown: the URL may hold a password.
    return { store: await openStore({ dataDir: o.dataDir, db }), label: redactUrl(db) };
  }
  const path = db.replace(/^sqlite:/i, "");
  const file = path === "" ? join(resolve(o.dataDir), SQLITE_FILE) : resolve(path);
  if (!existsSync(file)) {
    throw new UpdraftError(
      ErrorCodes.FILE,
      `there is no Updraft store at ${file}; pass the --data-dir (or --db) that updraft serve or updraft run uses`,
    );
  }
  return { store: await openStore({ dataDir: o.dataDir, db: `sqlite:${file}` }), label: file };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = "";
    u.search = "";
    return u.toString();
  } catch {
    return "the --db store";
  }
}
