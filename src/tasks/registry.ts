/** The runners of the task types this build supports, looked up by type. */
import { KernelPool } from "../notebook/kernel-pool.js";
import type { KernelSpecSearchOptions } from "../notebook/kernelspec.js";
import type { TaskType } from "../spec/types.js";
import { createConditionRunner } from "./condition-runner.js";
import { createEmptyRunner } from "./empty-runner.js";
import { createJobRunners } from "./jobs/job-runners.js";
import { createNotebookRunner } from "./notebook-runner.js";
import { createPythonRunner } from "./python-runner.js";
import { createRRunner } from "./r-runner.js";
import { createRMarkdownRunner } from "./rmarkdown-runner.js";
import { createShellRunner } from "./shell-runner.js";
import type { RunnerRegistry, TaskRunner } from "./types.js";

/** Options of {@link createRunnerRegistry}. */
export interface RunnerRegistryOptions {
  /** Python interpreter for `python` tasks (`$UPDRAFT_PYTHON` or `python3`). */
  python: string;
  /** Time SIGINT and SIGTERM each get on cancel; default 2000 ms. */
  killGraceMs?: number;
  /** Run python scripts as forks of a warm interpreter (Linux); default true. */
  pythonForkServer?: boolean;
  /** `Rscript` for `r` and `rmarkdown` tasks; default `Rscript` on PATH. */
  rscript?: string;
  /** Where Jupyter kernelspecs are found; without it `notebook` tasks cannot run. */
  kernels?: KernelSpecSearchOptions;
  /** Warm kernels kept per kernelspec for notebook tasks; default 1 (0: start one per task). */
  kernelPoolSize?: number;
}

/** Creates the registry of the built-in runners; `notebook` needs `kernels`. */
export function createRunnerRegistry(opts: RunnerRegistryOptions): RunnerRegistry {
  const runners = new Map<TaskType, TaskRunner>();
  const pool =
    opts.kernels === undefined
      ? undefined
      : new KernelPool({
          discovery: opts.kernels,
          size: opts.kernelPoolSize ?? 1,
          env: opts.kernels.env,
        });
  if (pool) runners.set("notebook", createNotebookRunner({ kernels: pool }));
  for (const runner of [
    createShellRunner({ killGraceMs: opts.killGraceMs }),
    createPythonRunner({
      python: opts.python,
      killGraceMs: opts.killGraceMs,
      forkServer: opts.pythonForkServer,
    }),
    createRRunner({ rscript: opts.rscript, killGraceMs: opts.killGraceMs }),
    createRMarkdownRunner({ rscript: opts.rscript, killGraceMs: opts.killGraceMs }),
    createEmptyRunner(),
    createConditionRunner(),
    ...createJobRunners({ python: opts.python, killGraceMs: opts.killGraceMs }),
  ]) {
    runners.set(runner.type, runner);
  }
  return {
    get: (type) => runners.get(type),
    close: async () => {
      await Promise.all([...runners.values()].map((r) => r.close?.() ?? Promise.resolve()));
      await pool?.close();
    },
  };
}
