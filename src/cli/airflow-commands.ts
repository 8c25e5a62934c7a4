/**
 * Registers the Airflow-related commands: `updraft export airflow` and
 * `updraft task exec` (what the `updraft_airflow` operators run on a worker).
 */
import { homedir } from "node:os";
import type { Command } from "commander";
import { exportAirflowCommand } from "./export-command.js";
import { taskExecCommand } from "./task-exec-command.js";

/** Adds `export airflow` and `task exec` to the program. */
export function registerAirflowCommands(
  program: Command,
  env: NodeJS.ProcessEnv,
  exit: (code: number) => void,
): void {
  program
    .command("export")
    .description("export workflows to other schedulers")
    .command("airflow")
    .description("write one Airflow DAG file (<name>.py) per workflow file")
    .argument("<files...>", "workflow files")
    .requiredOption("-o, --output <dir>", "the DAGs folder to write to")
    .option("--start-date <date>", "start_date of the DAGs (YYYY-MM-DD); catchup starts here")
    .action((files: string[], o: { output: string; startDate?: string }) => {
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
          await taskExecCommand({
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
