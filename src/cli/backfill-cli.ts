/** Registers `updraft backfill FILE --from DATE --to DATE`. */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { collect, parsePositiveInt } from "./cli-options.js";
import type { ParamPair } from "./param-args.js";
import { withSigintCancel } from "./sigint-cancel.js";

interface BackfillFlags {
  from: string;
  to: string;
  parametersFile: string[];
  rerun: boolean;
  maxActiveRuns?: number;
  dryRun: boolean;
  json: boolean;
  dataDir: string;
  db?: string;
}

/** Adds `backfill` to the program; `pairs` are the -p/-r pairs taken out of argv. */
export function registerBackfillCommand(
  program: Command,
  env: NodeJS.ProcessEnv,
  pairs: ParamPair[],
  exit: (code: number) => void,
): void {
  program
    .command("backfill")
    .description("run a workflow's scheduled runs for a past range; exit 0 iff all succeeded")
    .argument("<file>", "workflow file (YAML or JSON) with a schedule")
    .requiredOption("--from <date>", "first logical date, inclusive (YYYY-MM-DD or ISO date-time)")
    .requiredOption("--to <date>", "last logical date, inclusive (a date covers the whole day)")
    .option("-p, --parameters <name value>", "set a param (repeatable): -p NAME VALUE")
    .option("-f, --parameters-file <file>", "YAML or JSON file of params (repeatable)", collect, [])
    .option("--rerun", "also run intervals that already succeeded", false)
    .option(
      "--max-active-runs <n>",
      "runs at once (default: the workflow's, else 16)",
      parsePositiveInt,
    )
    .option("--dry-run", "print the logical dates it would run, run nothing", false)
    .option("--json", "print the finished runs as a JSON array on stdout", false)
    .option(
      "--data-dir <dir>",
      "where runs, logs and the database are kept",
      resolve(env["UPDRAFT_DATA_DIR"] ?? join(homedir(), ".updraft")),
    )
    .option("--db <url>", "database: postgres://USER@HOST/DB or sqlite:PATH (default: $UPDRAFT_DB)")
    .action(async (file: string, o: BackfillFlags) => {
      // Not a commander default: --help would print the URL, password included.
      const db = o.db ?? env["UPDRAFT_DB"];
      const code = await withSigintCancel(
        "cancelling the backfill's runs (Ctrl-C again to quit at once)",
        async (onCancelReady) =>
          (await import("./backfill-command.js")).backfillCommand({
            file,
            from: o.from,
            to: o.to,
            params: pairs,
            paramFiles: o.parametersFile,
            rerun: o.rerun,
            ...(o.maxActiveRuns !== undefined ? { maxActiveRuns: o.maxActiveRuns } : {}),
            dryRun: o.dryRun,
            json: o.json,
            dataDir: resolve(o.dataDir),
            ...(db !== undefined ? { db } : {}),
            python: env["UPDRAFT_PYTHON"] ?? "python3",
            home: homedir(),
            env,
            stdout: process.stdout,
            stderr: process.stderr,
            onCancelReady,
          }),
      );
      exit(code);
    });
}
