/** Registers `updraft notebook run` and `updraft notebook inspect`. */
import { homedir } from "node:os";
import type { Command } from "commander";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { collect } from "./cli-options.js";
import type { ParamPair } from "./param-args.js";

// commander keeps underscores in option names (papermill's spelling).
interface NotebookRunFlags {
  parameters_file: string[];
  parameters_yaml: string[];
  kernel?: string;
  language?: string;
  cwd?: string;
  executionTimeout?: number;
  logOutput: boolean;
  progressBar: boolean;
}

/** Adds the `notebook` commands; `pairs` are the -p/-r pairs taken out of argv. */
export function registerNotebookCommands(
  program: Command,
  env: NodeJS.ProcessEnv,
  pairs: ParamPair[],
  exit: (code: number) => void,
): void {
  const notebook = program.command("notebook").description("run and inspect single notebooks");
  notebook
    .command("run")
    .description("execute a notebook with parameters, papermill-compatible")
    .argument("<input>", "input notebook (.ipynb)")
    .argument("<output>", "where to write the executed notebook (- for stdout)")
    .option("-p, --parameters <name value>", "set a parameter, parsed like papermill (repeatable)")
    .option("-r, --parameters_raw <name value>", "set a parameter as a string (repeatable)")
    .option("-f, --parameters_file <file>", "YAML or JSON file of parameters", collect, [])
    .option("-y, --parameters_yaml <yaml>", "YAML string of parameters", collect, [])
    .option("-k, --kernel <name>", "kernel to use instead of the notebook's own")
    .option(
      "-l, --language <language>",
      "language for the parameters, when the notebook does not say",
    )
    .option("--cwd <dir>", "working directory of the kernel (default: the current one)")
    .option("--execution-timeout <seconds>", "time allowed to each cell", parseSeconds)
    .option("--log-output", "write the notebook's output to stderr as it runs", false)
    .option("--progress-bar", "show a progress bar (default in a terminal)", true)
    .option("--no-progress-bar", "do not show a progress bar")
    .action(async (input: string, output: string, o: NotebookRunFlags) => {
      let cancel: (() => void) | undefined;
      let signals = 0;
      const onSigint = () => {
        if (++signals > 1) process.exit(130);
        cancel?.();
      };
      process.on("SIGINT", onSigint);
      try {
        exit(
          await (
            await import("./notebook-commands.js")
          ).notebookRunCommand({
            input,
            output,
            pairs,
            paramFiles: o.parameters_file,
            paramYaml: o.parameters_yaml,
            ...(o.kernel !== undefined ? { kernel: o.kernel } : {}),
            ...(o.language !== undefined ? { language: o.language } : {}),
            cwd: o.cwd ?? process.cwd(),
            ...(o.executionTimeout !== undefined ? { executionTimeoutS: o.executionTimeout } : {}),
            logOutput: o.logOutput,
            progressBar: o.progressBar,
            env,
            home: homedir(),
            stdout: process.stdout,
            stderr: process.stderr,
            onCancelReady: (c) => (cancel = c),
          }),
        );
      } finally {
        process.off("SIGINT", onSigint);
      }
    });
  notebook
    .command("inspect")
    .description("list a notebook's declared parameters (its `parameters` cell)")
    .argument("<notebook>", "notebook (.ipynb)")
    .option("--json", "print the parameters as JSON", false)
    .action(async (path: string, o: { json: boolean }) => {
      const { notebookInspectCommand } = await import("./notebook-commands.js");
      exit(notebookInspectCommand(path, o.json, process.stdout));
    });
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UpdraftError(
      ErrorCodes.USAGE,
      `expected a number of seconds above 0, got "${value}"`,
    );
  }
  return n;
}
