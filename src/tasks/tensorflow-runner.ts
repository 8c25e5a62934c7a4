/**
 * Runner of `tensorflow` tasks: the training script started once per replica of a
 * chief/worker/ps cluster on this machine, each with its TF_CONFIG. The chief and the
 * workers must all exit 0; parameter servers (which serve until killed) are stopped once
 * they have. Outputs come from the chief.
 */
import type { DistributedTask } from "../spec/types.js";
import { wrongTaskType } from "./contract-task.js";
import { pythonNotFound } from "./python-runner.js";
import type { TaskContext, TaskResult, TaskRunner } from "./types.js";
import { freePorts, LOCAL_HOST } from "./jobs/free-ports.js";
import { splitGpus, type GpuProbe } from "./jobs/gpus.js";
import {
  localReplicas,
  pythonArgs,
  resolveScript,
  runLocalJob,
  runOnKubernetes,
  taskArgs,
  type JobRunnerOptions,
} from "./jobs/job-task.js";
import { tfCluster, tfConfig, tfReplicaName } from "./jobs/tensorflow-config.js";
import type { KubernetesJobLauncher } from "./k8s/kube-launcher.js";

/** Options of {@link createTensorflowRunner}. */
export interface TensorflowRunnerOptions extends JobRunnerOptions {
  gpus: GpuProbe;
  /** Runs `launch: kubernetes` tasks; without it they fail with a message saying so. */
  kubernetes?: KubernetesJobLauncher;
}

/** Creates the runner of `tensorflow` tasks. */
export function createTensorflowRunner(opts: TensorflowRunnerOptions): TaskRunner {
  return {
    type: "tensorflow",
    async run(ctx: TaskContext): Promise<TaskResult> {
      const task = ctx.task;
      if (task.type !== "tensorflow") throw wrongTaskType("tensorflow", task.type);
      if (task.launch === "kubernetes") return runOnKubernetes(ctx, opts.kubernetes);
      return runLocalTensorflow(ctx, task, opts);
    },
  };
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
