/** The runners of the job task types (torch, tensorflow, dask, spark), wired together. */
import { createDaskRunner } from "../dask-runner.js";
import { createKubernetesLauncher, type KubernetesJobLauncher } from "../k8s/kube-launcher.js";
import { createSparkRunner } from "../spark-runner.js";
import { createTensorflowRunner } from "../tensorflow-runner.js";
import { createTorchRunner } from "../torch-runner.js";
import type { TaskRunner } from "../types.js";
import { nvidiaSmiProbe, type GpuProbe } from "./gpus.js";
import type { JobRunnerOptions } from "./job-task.js";

/** Where nvidia-smi is looked for (the driver installs it in /usr/bin). */
const GPU_PROBE_PATH = "/usr/local/bin:/usr/bin:/bin";

/** Options of {@link createJobRunners}. */
export interface JobRunnersOptions extends JobRunnerOptions {
  /** Finds this machine's GPUs; default `nvidia-smi -L`. */
  gpus?: GpuProbe;
  /** Runs `launch: kubernetes` tasks; default the cluster of the task's KUBECONFIG. */
  kubernetes?: KubernetesJobLauncher;
}

/** The launcher that connects with the task environment's kubeconfig (or in-cluster account). */
export function defaultKubernetesLauncher(): KubernetesJobLauncher {
  return createKubernetesLauncher({
    connect: async (env) => {
      // Loaded on first use: the client takes about a second to import.
      const k8s = await import("../k8s/client-node-api.js");
      const kc = k8s.kubeConfigFromEnv(env);
      if (kc === undefined) return undefined;
      return { api: k8s.clientNodeApi(kc), namespace: k8s.contextNamespace(kc) };
    },
  });
}

/** Creates the torch, tensorflow, dask and spark runners. */
export function createJobRunners(opts: JobRunnersOptions): TaskRunner[] {
  const common = {
    python: opts.python,
    ...(opts.killGraceMs !== undefined ? { killGraceMs: opts.killGraceMs } : {}),
    gpus: opts.gpus ?? nvidiaSmiProbe(GPU_PROBE_PATH),
    kubernetes: opts.kubernetes ?? defaultKubernetesLauncher(),
  };
  return [
    createTorchRunner(common),
    createTensorflowRunner(common),
    createDaskRunner(common),
    createSparkRunner(common),
  ];
}
