/**
 * Runner of `rmarkdown` tasks: `rmarkdown::render` of an .Rmd file with the task's params,
 * into the attempt directory. Only the params the document declares in its YAML header
 * are passed (render refuses undeclared ones, and workflow params reach every task).
 * The rendered file's path is published as the output `output_file`.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import { runContractTask, wrongTaskType } from "./contract-task.js";
import { runProcess } from "./process.js";
import { rscriptNotFound } from "./r-runner.js";
import type { TaskContext, TaskResult, TaskRunner } from "./types.js";

/** Options of {@link createRMarkdownRunner}. */
export interface RMarkdownRunnerOptions {
  rscript?: string;
  killGraceMs?: number;
}

// Paths and the format arrive through environment variables, so no value is pasted into R code.
const RENDER = `
input <- Sys.getenv("UPDRAFT_RMD_INPUT")
format <- Sys.getenv("UPDRAFT_RMD_FORMAT")
given <- jsonlite::fromJSON(Sys.getenv("UPDRAFT_PARAMS"), simplifyVector = TRUE)
declared <- names(rmarkdown::yaml_front_matter(input)$params)
params <- given[names(given) %in% declared]
out <- rmarkdown::render(
  input,
  output_format = if (nzchar(format)) format else NULL,
  output_dir = Sys.getenv("UPDRAFT_RMD_OUTPUT_DIR"),
  intermediates_dir = Sys.getenv("UPDRAFT_RMD_OUTPUT_DIR"),
  params = params,
  envir = new.env(),
  quiet = TRUE
)
cat(jsonlite::toJSON(list(output_file = normalizePath(out)), auto_unbox = TRUE), "\\n",
    file = Sys.getenv("UPDRAFT_OUTPUTS"), append = TRUE, sep = "")
`;

/** Creates the runner of `rmarkdown` tasks. */
export function createRMarkdownRunner(opts: RMarkdownRunnerOptions = {}): TaskRunner {
  const rscript = opts.rscript ?? "Rscript";
  return {
    type: "rmarkdown",
    run(ctx: TaskContext): Promise<TaskResult> {
      const task = ctx.task;
      if (task.type !== "rmarkdown") return Promise.reject(wrongTaskType("rmarkdown", task.type));
      return runContractTask(ctx, "R Markdown render", async (env) => {
        const input = resolve(ctx.baseDir, task.file);
        const info = await stat(input).catch(() => undefined);
        if (!info?.isFile()) {
          throw new TaskError(
            ErrorCodes.TASK_FAILED,
            `R Markdown file ${task.file} not found (looked for ${input}); ` +
              "paths are relative to the workflow file's directory",
          );
        }
        return runProcess({
          command: rscript,
          args: ["-e", RENDER],
          cwd: ctx.baseDir,
          env: {
            ...env,
            UPDRAFT_RMD_INPUT: input,
            UPDRAFT_RMD_FORMAT: task.format ?? "",
            UPDRAFT_RMD_OUTPUT_DIR: ctx.attemptDir,
          },
          log: ctx.log,
          signal: ctx.signal,
          onProcess: ctx.onProcess,
          killGraceMs: opts.killGraceMs,
          notFoundMessage: rscriptNotFound(rscript),
        });
      });
    },
  };
}
