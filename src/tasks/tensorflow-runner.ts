/**
 * Runner of `tensorflow` tasks: the training script started once per replica of a
 * chief/worker/ps cluster on this machine, each with its TF_CONFIG. The chief and the
 * workers must all exit 0; parameter servers (which serve until killed) are stopped once
 * they have. Outputs come from the chief.
 */
import type { DistributedTask } from "../spec/types.js";
import { pythonNotFound } from "./python-runner.js";
import type { TaskContext, TaskResult, TaskRunner } from "./types.js";
import { freePorts, LOCAL_HOST } from "./jobs/free-ports.js";
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
import { tfCluster, tfConfig, tfReplicaName } from "./jobs/tensorflow-config.js";

/** Options of {@link createTensorflowRunner}. */
export type TensorflowRunnerOptions = ReplicaJobRunnerOptions;

/** Creates the runner of `tensorflow` tasks. */
export function createTensorflowRunner(opts: TensorflowRunnerOptions): TaskRunner {
  return createReplicaJobRunner("tensorflow", opts, runLocalTensorflow);
}

async function runLocalTensorflow(
  ctx: TaskContext,
  task: DistributedTask,
  opts: TensorflowRunnerOptions,
): Promise<TaskResult> {
  const replicas = localReplicas(task.replicas, "tensorflow task");
  const ps = task.ps ?? 0;
  localReplicas(replicas + ps, "tensorflow task (replicas + ps)");
  const script = await resolveScript(ctx, "script", task.script);
  const args = pythonArgs(script, taskArgs(task));
  const ports = await freePorts(replicas + ps);
  const cluster = tfCluster(
    replicas,
    ps,
    ports.map((p) => `${LOCAL_HOST}:${p}`),
  );
  // Parameter servers hold variables, not compute: GPUs go to the chief and workers.
  const gpus = await opts.gpus.list();
  const devices = splitGpus(gpus, replicas, task.resources?.gpu);
  return runLocalJob(ctx, opts, "tensorflow job", (group, env) => {
    cluster.forEach((replica, i) => {
      const name = tfReplicaName(replica);
      const cuda = replica.role !== "ps" ? devices[i] : gpus.length > 0 ? "" : undefined;
      void group.start({
        name,
        role: replica.role === "ps" ? "service" : "main",
        command: opts.python,
        args,
        cwd: ctx.baseDir,
        env: {
          ...(replica.role === "chief" ? env.chief : env.replica(name)),
          TF_CONFIG: JSON.stringify(tfConfig(cluster, replica)),
          UPDRAFT_REPLICA: name,
          ...(cuda !== undefined ? { CUDA_VISIBLE_DEVICES: cuda } : {}),
        },
        notFoundMessage: pythonNotFound(opts.python),
      });
    });
    return Promise.resolve();
  });
}
