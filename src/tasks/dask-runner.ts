/**
 * Runner of `dask` tasks: a Dask cluster started for the task (a scheduler on a free
 * loopback port and `replicas` workers, GPU workers from dask-cuda when `resources.gpu`
 * is set), then the user's script run as the client with DASK_SCHEDULER_ADDRESS (which
 * `distributed.Client()` reads). The script's exit decides the task; the cluster is torn
 * down afterwards, and a scheduler or worker dying first fails the task.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { DistributedTask } from "../spec/types.js";
import { pythonNotFound } from "./python-runner.js";
import type { TaskContext, TaskResult, TaskRunner } from "./types.js";
import {
  daskAddress,
  daskSchedulerArgv,
  daskWaitArgv,
  daskWorkerArgv,
  DASK_CUDA_WORKER,
} from "./jobs/dask-cluster.js";
import { freePorts } from "./jobs/free-ports.js";
import { splitGpus } from "./jobs/gpus.js";
import {
  createReplicaJobRunner,
  localReplicas,
  pythonArgs,
  resolveScript,
  runLocalJob,
  taskArgs,
  type ReplicaJobRunnerOptions,
} from "./jobs/job-task.js";
import { REPLICAS_DIR } from "./jobs/replica-group.js";

/** Options of {@link createDaskRunner}. */
export type DaskRunnerOptions = ReplicaJobRunnerOptions;

/** How often the scheduler's connection file is looked for while it starts. */
const SCHEDULER_POLL_MS = 25;

/** Creates the runner of `dask` tasks. */
export function createDaskRunner(opts: DaskRunnerOptions): TaskRunner {
  return createReplicaJobRunner("dask", opts, runLocalDask);
}

async function runLocalDask(
  ctx: TaskContext,
  task: DistributedTask,
  opts: DaskRunnerOptions,
): Promise<TaskResult> {
  const workers = localReplicas(task.replicas, "dask task");
  const script = await resolveScript(ctx, "script", task.script);
  const [port] = await freePorts(1);
  const address = daskAddress(port ?? 0);
  const dir = join(ctx.attemptDir, REPLICAS_DIR);
  const schedulerFile = join(dir, "dask-scheduler.json");
  const gpu = (task.resources?.gpu ?? 0) > 0;
  const devices = gpu ? splitGpus(await opts.gpus.list(), workers, task.resources?.gpu) : [];
  const notFound = pythonNotFound(opts.python);
  return runLocalJob(ctx, opts, "dask job", async (group, env) => {
    const scheduler = daskSchedulerArgv(opts.python, port ?? 0, schedulerFile);
    void group.start({
      name: "scheduler",
      role: "service",
      ...scheduler,
      cwd: dir,
      env: env.replica("scheduler"),
      notFoundMessage: notFound,
    });
    await group.guard(appears(schedulerFile, group.stopped));
    for (let i = 0; i < workers; i++) {
      const name = `worker-${i}`;
      const cuda = devices[i];
      void group.start({
        name,
        role: "service",
        ...daskWorkerArgv({
          python: opts.python,
          address,
          name,
          localDirectory: join(dir, "dask-worker-space"),
          ...(task.resources !== undefined ? { resources: task.resources } : {}),
        }),
        cwd: dir,
        env: {
          ...env.replica(name),
          ...(cuda !== undefined ? { CUDA_VISIBLE_DEVICES: cuda } : {}),
        },
        notFoundMessage: gpu
          ? `${DASK_CUDA_WORKER} not found: GPU workers (resources.gpu) need dask-cuda ` +
            "(RAPIDS) installed; remove resources.gpu to use CPU workers"
          : notFound,
      });
    }
    await group.guard(
      group.start({
        name: "wait-workers",
        role: "main",
        ...daskWaitArgv(opts.python, address, workers),
        cwd: dir,
        env: env.replica("wait-workers"),
        notFoundMessage: notFound,
      }),
    );
    void group.start({
      name: "client",
      role: "main",
      command: opts.python,
      args: pythonArgs(script, taskArgs(task)),
      cwd: ctx.baseDir,
      env: {
        ...env.chief,
        DASK_SCHEDULER_ADDRESS: address,
        UPDRAFT_DASK_WORKERS: String(workers),
        UPDRAFT_REPLICA: "client",
      },
      notFoundMessage: notFound,
    });
  });
}

/** Resolves once `path` exists (the scheduler writes it when it listens). */
async function appears(path: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    if (
      await stat(path).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, SCHEDULER_POLL_MS));
  }
}
