/**
 * Runner of `torch` tasks: `replicas` Python processes of the training script, each
 * with the variables torchrun sets, so `torch.distributed.init_process_group()` finds
 * its peers; rank 0 hosts the rendezvous store and publishes the outputs. GPUs listed by
 * `nvidia-smi -L` are split between the ranks with CUDA_VISIBLE_DEVICES.
 */
import type { DistributedTask } from "../spec/types.js";
import { pythonNotFound } from "./python-runner.js";
import type { TaskContext, TaskResult, TaskRunner } from "./types.js";
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
import { elasticRunId, torchRankEnv } from "./jobs/torch-env.js";

/** Options of {@link createTorchRunner}. */
export type TorchRunnerOptions = ReplicaJobRunnerOptions;

/** Name of rank `r`'s replica (log prefix and file). */
export function torchReplicaName(rank: number): string {
  return `rank${rank}`;
}

/** Creates the runner of `torch` tasks. */
export function createTorchRunner(opts: TorchRunnerOptions): TaskRunner {
  return createReplicaJobRunner("torch", opts, runLocalTorch);
}

async function runLocalTorch(
  ctx: TaskContext,
  task: DistributedTask,
  opts: TorchRunnerOptions,
): Promise<TaskResult> {
  const world = localReplicas(task.replicas, "torch task");
  const script = await resolveScript(ctx, "script", task.script);
  const args = pythonArgs(script, taskArgs(task));
  const [masterPort] = await freePorts(1);
  const devices = splitGpus(await opts.gpus.list(), world, task.resources?.gpu);
  const runId = elasticRunId([ctx.runId, ctx.taskId, ctx.attempt]);
  return runLocalJob(ctx, opts, "torch job", (group, env) => {
    for (let rank = 0; rank < world; rank++) {
      const name = torchReplicaName(rank);
      const base = rank === 0 ? env.chief : env.replica(name);
      const cuda = devices[rank];
      void group.start({
        name,
        role: "main",
        command: opts.python,
        args,
        cwd: ctx.baseDir,
        env: {
          // torchrun's default: one thread per process unless the job says otherwise.
          OMP_NUM_THREADS: "1",
          ...base,
          ...torchRankEnv({ rank, worldSize: world, masterPort: masterPort ?? 0, runId }),
          UPDRAFT_REPLICA: name,
          ...(cuda !== undefined ? { CUDA_VISIBLE_DEVICES: cuda } : {}),
        },
        notFoundMessage: pythonNotFound(opts.python),
      });
    }
    return Promise.resolve();
  });
}
