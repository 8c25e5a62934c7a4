/** The `updraft` command line: parses argv, dispatches, maps errors to exit codes. */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";
import { Command, CommanderError } from "commander";
import { ErrorCodes, UpdraftError, toUpdraftError } from "../spec/errors.js";
import { registerAirflowCommands } from "./airflow-commands.js";
import { registerBackfillCommand } from "./backfill-cli.js";
import { registerK8sCommand } from "./k8s-command.js";
import { registerNotebookCommands } from "./notebook-cli.js";
import { extractParamPairs, type ParamPair } from "./param-args.js";
import { collect, parsePoolOption, parsePositiveInt } from "./cli-options.js";
import { validateCommand } from "./validate-command.js";

/** Exit codes: 0 ok, 1 run failed or invalid input, 2 usage, 70 internal error. */
const EXIT_USAGE = 2;
const EXIT_INTERNAL = 70;

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return resolve(env["UPDRAFT_DATA_DIR"] ?? join(homedir(), ".updraft"));
}

/** Builds the program; `pairs` are the `-p NAME VALUE` pairs taken out of argv. */
function buildProgram(
  env: NodeJS.ProcessEnv,
  pairs: ParamPair[],
  exit: (code: number) => void,
): Command {
  const program = new Command()
    .name("updraft")
    .description("Workflows of notebooks and jobs: run them here or export them to Airflow")
    .showHelpAfterError("(run updraft --help for usage)")
    .exitOverride();

  program
    .command("run")
    .description("run a workflow once on the embedded engine; exit 0 iff the run succeeded")
    .argument("<file>", "workflow file (YAML or JSON)")
    .option("-p, --parameters <name value>", "set a param (repeatable): -p NAME VALUE")
    .option("-f, --parameters-file <file>", "YAML or JSON file of params (repeatable)", collect, [])
    .option("--json", "print only the final run as JSON on stdout", false)
    .option("--data-dir <dir>", "where runs, logs and the database are kept", defaultDataDir(env))
    .option(
      "--db <url>",
      "database: postgres://USER@HOST/DB or sqlite:PATH (default: $UPDRAFT_DB, else SQLite in the data dir)",
    )
    .option("--parallelism <n>", "tasks running at once", parsePositiveInt)
    .option("--pool <name=slots>", "define a pool (repeatable)", parsePoolOption, {})
    .action(async (file: string, o: RunOptions) => {
      let cancels = 0;
      let cancel: (() => void) | undefined;
      const onSigint = () => {
        cancels++;
        if (cancels > 1) process.exit(130);
        process.stderr.write("\ncancelling the run (Ctrl-C again to quit at once)\n");
        cancel?.();
      };
      process.on("SIGINT", onSigint);
      try {
        exit(
          await (
            await import("./run-command.js")
          ).runCommand({
            file,
            params: pairs,
            paramFiles: o.parametersFile,
            json: o.json,
            dataDir: resolve(o.dataDir),
            ...dbOption(o.db, env),
            python: env["UPDRAFT_PYTHON"] ?? "python3",
            home: homedir(),
            parallelism: o.parallelism,
            pools: o.pool,
            env,
            stdout: process.stdout,
            stderr: process.stderr,
            onCancelReady: (c) => (cancel = c),
          }),
        );
      } finally {
        process.off("SIGINT", onSigint);
      }
    });

  program
    .command("validate")
    .description("check workflow files; print every problem with its path")
    .argument("<files...>", "workflow files")
    .action((files: string[]) => {
      exit(validateCommand(files, process.stdout, process.stderr));
    });

  program
    .command("serve")
    .description("serve the web app and the HTTP API; runs workflows on this machine")
    .option("--port <port>", "TCP port (0: any free port)", parsePort, 8080)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--data-dir <dir>", "where runs, logs and the database are kept", defaultDataDir(env))
    .option(
      "--db <url>",
      "database: postgres://USER@HOST/DB or sqlite:PATH (default: $UPDRAFT_DB, else SQLite in the data dir)",
    )
    .option("--examples <dir>", "load the workflow files found under DIR")
    .option(
      "--web-dir <dir>",
      "the built web app to serve at / (default: web/dist of this package)",
    )
    .action(async (o: ServeOptions) => {
      // Listen for signals before the server says it is up: a SIGTERM right after
      // "serving on" must still stop it cleanly.
      const signalled = untilSignalled();
      // Loaded on use: the server, engine and store drivers are heavy for other commands.
      const { startService } = await import("../server/serve.js");
      const service = await startService({
        port: o.port,
        host: o.host,
        dataDir: resolve(o.dataDir),
        ...dbOption(o.db, env),
        ...(o.examples !== undefined ? { examples: o.examples } : {}),
        ...webDirOption(o.webDir),
        ...(env["UPDRAFT_ADMIN_PASSWORD"] ? { adminPassword: env["UPDRAFT_ADMIN_PASSWORD"] } : {}),
        ...(env["UPDRAFT_SECRET_KEY"] ? { secretKey: env["UPDRAFT_SECRET_KEY"] } : {}),
        python: env["UPDRAFT_PYTHON"] ?? "python3",
        home: homedir(),
        env,
        stderr: process.stderr,
      });
      await signalled;
      process.stderr.write("updraft serve: stopping (cancelling running runs)\n");
      await service.stop();
      exit(0);
    });

  registerAirflowCommands(program, env, exit, pairs);
  registerNotebookCommands(program, env, pairs, exit);
  registerK8sCommand(program, pairs, exit);
  registerBackfillCommand(program, env, pairs, exit);
  return program;
}

// The package's own build (src/cli or dist/cli -> ../../web/dist) unless --web-dir says otherwise.
function webDirOption(given: string | undefined): { webDir?: string } {
  if (given !== undefined) {
    if (!existsSync(join(given, "index.html")))
      throw new UpdraftError(
        ErrorCodes.USAGE,
        `--web-dir ${given} has no index.html; build the app with make web`,
      );
    return { webDir: resolve(given) };
  }
  const built = fileURLToPath(new URL("../../web/dist", import.meta.url));
  return existsSync(join(built, "index.html")) ? { webDir: built } : {};
}

interface RunOptions {
  parametersFile: string[];
  json: boolean;
  dataDir: string;
  db?: string;
  parallelism?: number;
  pool: Record<string, number>;
}

interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  db?: string;
  examples?: string;
  webDir?: string;
}

// Resolves on the first SIGINT or SIGTERM; a second one quits at once.
function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    let received = 0;
    const onSignal = () => {
      received++;
      if (received > 1) process.exit(130);
      resolve();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

// Not a commander default: --help would print the URL, password included.
function dbOption(db: string | undefined, env: NodeJS.ProcessEnv): { db?: string } {
  const url = db ?? env["UPDRAFT_DB"];
  return url === undefined ? {} : { db: url };
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n > 65535)
    throw new UpdraftError("E_USAGE", `expected a port number from 0 to 65535, got "${value}"`);
  return n;
}

/** Runs the CLI with the given argv (without node and script); resolves with the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let code = 0;
  try {
    const { rest, pairs } = extractParamPairs(argv);
    const program = buildProgram(env, pairs, (c) => (code = c));
    await program.parseAsync(rest, { from: "user" });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const u = toUpdraftError(err);
    if (u.isUserError) {
      process.stderr.write(`updraft: ${u.message}\n`);
      return u.code === "E_USAGE" ? EXIT_USAGE : 1;
    }
    process.stderr.write(`updraft: internal error (please report it): ${u.stack ?? u.message}\n`);
    return EXIT_INTERNAL;
  }
}
