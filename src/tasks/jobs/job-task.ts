/**
 * What every local job runner shares: the script to run, the task contract prepared
 * once for the whole job (params for every replica, outputs from the chief only), and
 * the replica group that runs it.
 */
import { mkdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ErrorCodes, TaskError } from "../../spec/errors.js";
import type { DistributedTask, Task } from "../../spec/types.js";
import { wrongTaskType } from "../contract-task.js";
import { collectOutputs, paramEnvValue, prepareContract } from "../contract.js";
import type { TaskContext, TaskResult, TaskRunner } from "../types.js";
import type { KubernetesJobLauncher } from "../k8s/kube-launcher.js";
import type { GpuProbe } from "./gpus.js";
import { REPLICAS_DIR, ReplicaGroup } from "./replica-group.js";

/** Options every job runner takes. */
export interface JobRunnerOptions {
  /** The Python interpreter of python scripts (`$UPDRAFT_PYTHON`, else `python3`). */
  python: string;
  /** Time SIGINT and SIGTERM each get when replicas are stopped; default 2000 ms. */
  killGraceMs?: number;
}

/** Options of a replica-job runner (torch, tensorflow, dask). */
export interface ReplicaJobRunnerOptions extends JobRunnerOptions {
  gpus: GpuProbe;
  /** Runs `launch: kubernetes` tasks; without it they fail with a message saying so. */
  kubernetes?: KubernetesJobLauncher;
}

/** Runs one replica job on this machine, given its checked task. */
export type LocalReplicaJob<O> = (
  ctx: TaskContext,
  task: DistributedTask,
  opts: O,
) => Promise<TaskResult>;

/**
 * Creates the runner of a replica-job task type: `launch: kubernetes` tasks go to the
 * launcher, the others to `runLocal`.
 */
export function createReplicaJobRunner<O extends ReplicaJobRunnerOptions>(
  type: DistributedTask["type"],
  opts: O,
  runLocal: LocalReplicaJob<O>,
): TaskRunner {
  return {
    type,
    async run(ctx: TaskContext): Promise<TaskResult> {
      const task = ctx.task;
      if (!isReplicaJob(task, type)) throw wrongTaskType(type, task.type);
      if (task.launch === "kubernetes") return runOnKubernetes(ctx, opts.kubernetes);
      return runLocal(ctx, task, opts);
    },
  };
}

function isReplicaJob(task: Task, type: DistributedTask["type"]): task is DistributedTask {
  return task.type === type;
}

/** Largest replica count a local job accepts: each replica is a process on this machine. */
export const MAX_LOCAL_REPLICAS = 256;

/** Builds the environment of one replica from the job's environment. */
export interface JobEnv {
  /** The contract's environment, as the chief (rank 0) gets it. */
  chief: NodeJS.ProcessEnv;
  /** The environment of a replica that is not the chief: its outputs are not collected. */
  replica(name: string): NodeJS.ProcessEnv;
}

/** The script path of a job task, resolved against the workflow directory and checked. */
export async function resolveScript(
  ctx: TaskContext,
  field: string,
  path: string,
): Promise<string> {
  const script = resolve(ctx.baseDir, path);
  const info = await stat(script).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new TaskError(
      ErrorCodes.TASK_FAILED,
      `${ctx.task.type} ${field} ${path} not found (looked for ${script}); ` +
        "paths are relative to the workflow file's directory",
    );
  }
  return script;
}

/** The command-line arguments of a task: JSON values rendered as strings. */
export function taskArgs(task: Task): string[] {
  return "args" in task ? task.args.map(paramEnvValue) : [];
}

/** The replica count of a job, checked against the local limit. */
export function localReplicas(count: number | undefined, what: string): number {
  const n = count ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LOCAL_REPLICAS) {
    throw new TaskError(
      ErrorCodes.TASK_FAILED,
      `${what} asks for ${n} replicas; a local job runs 1 to ${MAX_LOCAL_REPLICAS} (use launch: kubernetes for more)`,
    );
  }
  return n;
}

/**
 * Runs a local job: prepares the contract, lets `body` start replicas in a group and
 * wait for them, then collects the outputs the chief published.
 */
export async function runLocalJob(
  ctx: TaskContext,
  opts: JobRunnerOptions,
  what: string,
  body: (group: ReplicaGroup, env: JobEnv) => Promise<void>,
): Promise<TaskResult> {
  const contract = await prepareContract(ctx);
  await mkdir(join(ctx.attemptDir, REPLICAS_DIR), { recursive: true });
  const env: JobEnv = {
    chief: contract.env,
    replica: (name) => ({
      ...contract.env,
      // Every replica may write outputs; only the chief's reach the task's outputs.
      UPDRAFT_OUTPUTS: join(ctx.attemptDir, REPLICAS_DIR, `${name}.outputs.txt`),
    }),
  };
  const group = new ReplicaGroup({
    what,
    attemptDir: ctx.attemptDir,
    log: ctx.log,
    signal: ctx.signal,
    ...(ctx.onProcess !== undefined ? { onProcess: ctx.onProcess } : {}),
    ...(ctx.masking !== undefined ? { masking: ctx.masking } : {}),
    ...(opts.killGraceMs !== undefined ? { killGraceMs: opts.killGraceMs } : {}),
  });
  try {
    await body(group, env);
    await group.finish();
  } catch (err) {
    const reason =
      err instanceof TaskError
        ? err
        : new TaskError(ErrorCodes.TASK_FAILED, `${what} failed: ${String(err)}`, { cause: err });
    // Whatever went wrong, no replica outlives the attempt.
    await group.stop(reason);
    throw reason;
  }
  const outputs = await collectOutputs(contract.outputsPath, ctx.task.outputs);
  return { outputs, exitCode: 0 };
}

/** The python arguments that run `script`: unbuffered, so logs arrive live and in order. */
export function pythonArgs(script: string, args: string[]): string[] {
  return ["-u", script, ...args];
}

/** Hands a `launch: kubernetes` task to the launcher, or explains why it cannot run. */
export function runOnKubernetes(
  ctx: TaskContext,
  launcher: KubernetesJobLauncher | undefined,
): Promise<TaskResult> {
  if (launcher === undefined) {
    return Promise.reject(
      new TaskError(
        ErrorCodes.TASK_FAILED,
        `${ctx.task.type} task has launch: kubernetes, but this Updraft has no Kubernetes access ` +
          "configured; run with a kubeconfig (KUBECONFIG or ~/.kube/config) or use launch: local",
      ),
    );
  }
  return launcher.run(ctx);
}
