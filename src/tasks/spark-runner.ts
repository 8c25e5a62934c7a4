/**
 * Runner of `spark` tasks: spark-submit of the application, in client mode, so the
 * driver is the process Updraft watches and it gets the task contract (params in,
 * outputs out). spark-submit is `$SPARK_HOME/bin/spark-submit` when SPARK_HOME is set,
 * else `spark-submit` on PATH; Python applications run on the configured Python.
 */
import { join } from "node:path";
import type { SparkTask } from "../spec/types.js";
import { runContractTask, wrongTaskType } from "./contract-task.js";
import { runProcess } from "./process.js";
import type { TaskContext, TaskResult, TaskRunner } from "./types.js";
import {
  resolveScript,
  runOnKubernetes,
  taskArgs,
  type JobRunnerOptions,
} from "./jobs/job-task.js";
import { isApplicationUrl, sparkSubmitArgs } from "./jobs/spark-submit.js";
import type { KubernetesJobLauncher } from "./k8s/kube-launcher.js";

/** Options of {@link createSparkRunner}. */
export interface SparkRunnerOptions extends JobRunnerOptions {
  /** spark-submit when SPARK_HOME is not set; default `spark-submit` on PATH. */
  sparkSubmit?: string;
  /** Master when a task's conf has no spark.master; default a local master. */
  master?: string;
  /** Runs `launch: kubernetes` tasks (SparkApplication); without it they fail saying so. */
  kubernetes?: KubernetesJobLauncher;
}

/** The message when spark-submit is not there. */
export const SPARK_NOT_FOUND =
  "spark-submit not found: install Apache Spark (it is not a Debian package) and put its bin/ " +
  "directory on PATH, or set SPARK_HOME";

/** The spark-submit program for a task's environment. */
export function sparkSubmitCommand(env: NodeJS.ProcessEnv, fallback = "spark-submit"): string {
  const home = env["SPARK_HOME"];
  return home !== undefined && home !== "" ? join(home, "bin", "spark-submit") : fallback;
}

/** The application of a task: a URL as it is, else a file of the workflow's directory. */
export async function sparkApplication(ctx: TaskContext, task: SparkTask): Promise<string> {
  if (isApplicationUrl(task.application)) return task.application;
  return resolveScript(ctx, "application", task.application);
}

/** Creates the runner of `spark` tasks. */
export function createSparkRunner(opts: SparkRunnerOptions): TaskRunner {
  return {
    type: "spark",
    async run(ctx: TaskContext): Promise<TaskResult> {
      const task = ctx.task;
      if (task.type !== "spark") throw wrongTaskType("spark", task.type);
      if (task.launch === "kubernetes") return runOnKubernetes(ctx, opts.kubernetes);
      const application = await sparkApplication(ctx, task);
      const args = sparkSubmitArgs({
        application,
        args: taskArgs(task),
        conf: task.conf,
        ...(task.executors !== undefined ? { executors: task.executors } : {}),
        ...(task.resources !== undefined ? { resources: task.resources } : {}),
        name: `${ctx.workflow}.${ctx.taskId}`,
        ...(opts.master !== undefined ? { master: opts.master } : {}),
      });
      const command = sparkSubmitCommand(ctx.env, opts.sparkSubmit);
      return runContractTask(ctx, "spark-submit", (env) =>
        runProcess({
          command,
          args,
          cwd: ctx.baseDir,
          env: {
            // PySpark's driver and workers: the configured Python unless the task chose one.
            PYSPARK_PYTHON: opts.python,
            PYSPARK_DRIVER_PYTHON: opts.python,
            ...env,
          },
          log: ctx.log,
          signal: ctx.signal,
          ...(ctx.onProcess !== undefined ? { onProcess: ctx.onProcess } : {}),
          ...(opts.killGraceMs !== undefined ? { killGraceMs: opts.killGraceMs } : {}),
          notFoundMessage:
            command === "spark-submit"
              ? SPARK_NOT_FOUND
              : `${command} not found; ${SPARK_NOT_FOUND}`,
        }),
      );
    },
  };
}
