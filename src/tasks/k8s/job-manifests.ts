/**
 * The Kubernetes resources of a task: PyTorchJob and TFJob (Kubeflow training-operator),
 * DaskJob (dask-kubernetes operator), SparkApplication (Kubeflow spark-operator), or a
 * plain Pod for python and shell tasks; each preceded by the ConfigMap of its params.
 * Retries belong to Updraft, so the resources themselves never restart a failed replica.
 */
import { extname } from "node:path/posix";
import { ErrorCodes, UpdraftError } from "../../spec/errors.js";
import type { DistributedTask, JsonObject, SparkTask, Task } from "../../spec/types.js";
import { threadCount } from "../jobs/dask-cluster.js";
import { isApplicationUrl, jvmMemory } from "../jobs/spark-submit.js";
import {
  argStrings,
  containerEnv,
  containerResources,
  deadlineSeconds,
  layoutOf,
  metadata,
  paramsConfigMap,
  paramsVolume,
  taskContainer,
  type KubeObject,
  type ManifestInput,
} from "./pod-template.js";

/** Task types that have Kubernetes manifests. */
export const KUBE_TASK_TYPES = ["torch", "tensorflow", "dask", "spark", "python", "shell"] as const;

/** The resources of a task, ConfigMap first; throws UpdraftError for a task that cannot run there. */
export function taskManifests(input: ManifestInput): KubeObject[] {
  const task = input.task;
  if (task.image === undefined || task.image === "") {
    throw new UpdraftError(
      ErrorCodes.VALIDATION,
      `task ${input.taskId} has no image; a task on Kubernetes runs in a container, so set image`,
    );
  }
  const main = mainResource(input, task);
  return [paramsConfigMap(input), main];
}

function mainResource(input: ManifestInput, task: Task): KubeObject {
  switch (task.type) {
    case "torch":
      return pytorchJob(input, task);
    case "tensorflow":
      return tfJob(input, task);
    case "dask":
      return daskJob(input, task);
    case "spark":
      return sparkApplication(input, task);
    case "python":
    case "shell":
      return plainPod(input, task);
    default:
      throw new UpdraftError(
        ErrorCodes.VALIDATION,
        `task ${input.taskId} is a ${task.type} task, which has no Kubernetes form ` +
          `(types that do: ${KUBE_TASK_TYPES.join(", ")})`,
      );
  }
}

/** The pod template of one replica type of a training-operator job. */
function replicaSpec(
  input: ManifestInput,
  container: string,
  argv: string[],
  replicas: number,
): JsonObject {
  const { volume } = paramsVolume(input);
  return {
    replicas,
    restartPolicy: "Never",
    template: {
      metadata: { labels: metadata(input, input.name).labels ?? {} },
      spec: { containers: [taskContainer(input, container, argv)], volumes: [volume] },
    },
  };
}

/** runPolicy of a training-operator job: no operator retries, the task's timeout. */
function runPolicy(task: Task): JsonObject {
  const deadline = deadlineSeconds(task);
  return {
    backoffLimit: 0,
    cleanPodPolicy: "Running",
    ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}),
  };
}

/** The python command of a job's script. */
function pythonArgv(input: ManifestInput, task: DistributedTask): string[] {
  return [layoutOf(input).python, "-u", task.script, ...argStrings(task)];
}

/** PyTorchJob: a Master (rank 0) and replicas - 1 Workers, in the container named pytorch. */
export function pytorchJob(input: ManifestInput, task: DistributedTask): KubeObject {
  const argv = pythonArgv(input, task);
  const workers = (task.replicas ?? 1) - 1;
  const specs: JsonObject = { Master: replicaSpec(input, "pytorch", argv, 1) };
  if (workers > 0) specs["Worker"] = replicaSpec(input, "pytorch", argv, workers);
  return {
    apiVersion: "kubeflow.org/v1",
    kind: "PyTorchJob",
    metadata: metadata(input, input.name),
    spec: { runPolicy: runPolicy(task), pytorchReplicaSpecs: specs },
  };
}

/** TFJob: a Chief, replicas - 1 Workers and `ps` PS, in the container named tensorflow. */
export function tfJob(input: ManifestInput, task: DistributedTask): KubeObject {
  const argv = pythonArgv(input, task);
  const specs: JsonObject = { Chief: replicaSpec(input, "tensorflow", argv, 1) };
  const workers = (task.replicas ?? 1) - 1;
  if (workers > 0) specs["Worker"] = replicaSpec(input, "tensorflow", argv, workers);
  if ((task.ps ?? 0) > 0) specs["PS"] = replicaSpec(input, "tensorflow", argv, task.ps ?? 0);
  return {
    apiVersion: "kubeflow.org/v1",
    kind: "TFJob",
    metadata: metadata(input, input.name),
    spec: { runPolicy: runPolicy(task), tfReplicaSpecs: specs },
  };
}

/**
 * DaskJob: the operator starts a DaskCluster (scheduler pod and service, `replicas`
 * workers; dask-cuda workers with GPUs when resources.gpu is set) and then the client
 * pod running the script, with DASK_SCHEDULER_ADDRESS pointing at the scheduler.
 */
export function daskJob(input: ManifestInput, task: DistributedTask): KubeObject {
  const image = task.image ?? "";
  const { volume } = paramsVolume(input);
  const env = containerEnv(input);
  const resources = containerResources(task.resources);
  const gpu = (task.resources?.gpu ?? 0) > 0;
  const worker = [
    gpu ? "dask-cuda-worker" : "dask-worker",
    "--name",
    "$(DASK_WORKER_NAME)",
    "--nthreads",
    String(threadCount(task.resources?.cpu)),
    "--dashboard",
    "--dashboard-address",
    "8788",
    ...(task.resources?.memory !== undefined ? ["--memory-limit", task.resources.memory] : []),
  ];
  const deadline = deadlineSeconds(task);
  return {
    apiVersion: "kubernetes.dask.org/v1",
    kind: "DaskJob",
    metadata: metadata(input, input.name),
    spec: {
      job: {
        spec: {
          restartPolicy: "Never",
          ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}),
          containers: [taskContainer(input, "job", pythonArgv(input, task))],
          volumes: [volume],
        },
      },
      cluster: {
        spec: {
          worker: {
            replicas: task.replicas ?? 1,
            spec: {
              containers: [
                {
                  name: "worker",
                  image,
                  args: worker,
                  env,
                  ...(resources !== undefined ? { resources } : {}),
                  ports: [{ name: "http-dashboard", containerPort: 8788, protocol: "TCP" }],
                },
              ],
            },
          },
          scheduler: {
            spec: {
              containers: [
                {
                  name: "scheduler",
                  image,
                  args: ["dask-scheduler"],
                  ports: [
                    { name: "tcp-comm", containerPort: 8786, protocol: "TCP" },
                    { name: "http-dashboard", containerPort: 8787, protocol: "TCP" },
                  ],
                },
              ],
            },
            service: {
              type: "ClusterIP",
              selector: {
                "dask.org/cluster-name": input.name,
                "dask.org/component": "scheduler",
              },
              ports: [
                { name: "tcp-comm", protocol: "TCP", port: 8786, targetPort: "tcp-comm" },
                {
                  name: "http-dashboard",
                  protocol: "TCP",
                  port: 8787,
                  targetPort: "http-dashboard",
                },
              ],
            },
          },
        },
      },
    },
  };
}

/** The SparkApplication type of an application file. */
function sparkType(application: string): "Python" | "R" | "Java" {
  const ext = extname(application.replace(/[?#].*$/, "")).toLowerCase();
  if (ext === ".py") return "Python";
  if (ext === ".r") return "R";
  return "Java";
}

/** SparkApplication: cluster mode, driver and `executors` executors sized from resources. */
export function sparkApplication(input: ManifestInput, task: SparkTask): KubeObject {
  const layout = layoutOf(input);
  const type = sparkType(task.application);
  const file = isApplicationUrl(task.application)
    ? task.application
    : `local://${layout.workdir.replace(/\/$/, "")}/${task.application.replace(/^\.?\//, "")}`;
  const { volume, mount } = paramsVolume(input);
  const env = containerEnv(input);
  const memory = task.resources?.memory;
  const jvm = memory === undefined ? undefined : jvmMemory(memory);
  if (memory !== undefined && jvm === undefined) {
    throw new UpdraftError(
      ErrorCodes.VALIDATION,
      `task ${input.taskId}: resources.memory ${JSON.stringify(memory)} is not a size such as 4Gi`,
    );
  }
  const cores = threadCount(task.resources?.cpu);
  const labels = metadata(input, input.name).labels ?? {};
  const pod = {
    cores,
    ...(jvm !== undefined ? { memory: jvm } : {}),
    labels,
    env,
    volumeMounts: [mount],
  };
  const conf = { ...task.conf };
  delete conf["spark.master"];
  const gpu = task.resources?.gpu ?? 0;
  const deadline = deadlineSeconds(task);
  return {
    apiVersion: "sparkoperator.k8s.io/v1beta2",
    kind: "SparkApplication",
    metadata: metadata(input, input.name),
    spec: {
      type,
      mode: "cluster",
      sparkVersion: layout.sparkVersion,
      image: task.image ?? "",
      mainApplicationFile: file,
      arguments: argStrings(task),
      ...(Object.keys(conf).length > 0 ? { sparkConf: conf } : {}),
      ...(type === "Python" ? { pythonVersion: "3" } : {}),
      ...(deadline !== undefined ? { timeToLiveSeconds: deadline } : {}),
      restartPolicy: { type: "Never" },
      volumes: [volume],
      driver: { ...pod, serviceAccount: layout.sparkServiceAccount },
      executor: {
        ...pod,
        instances: task.executors ?? 1,
        ...(gpu > 0 ? { gpu: { name: "nvidia.com/gpu", quantity: gpu } } : {}),
      },
    },
  };
}

/** A plain Pod running a python or shell task once. */
export function plainPod(input: ManifestInput, task: Task): KubeObject {
  let argv: string[];
  if (task.type === "python") {
    argv =
      task.code !== undefined
        ? [layoutOf(input).python, "-u", "-c", task.code, ...argStrings(task)]
        : [layoutOf(input).python, "-u", task.script ?? "", ...argStrings(task)];
  } else if (task.type === "shell") {
    argv = typeof task.command === "string" ? ["/bin/sh", "-c", task.command] : [...task.command];
  } else {
    throw new Error(`plainPod: ${task.type}`);
  }
  const { volume } = paramsVolume(input);
  const deadline = deadlineSeconds(task);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: metadata(input, input.name),
    spec: {
      restartPolicy: "Never",
      ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}),
      containers: [taskContainer(input, "task", argv)],
      volumes: [volume],
    },
  };
}
