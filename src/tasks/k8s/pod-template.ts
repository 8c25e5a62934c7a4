/**
 * The pieces every Kubernetes manifest of a task shares: resource names, labels, the
 * params ConfigMap, and the container (image, command, env with the task contract,
 * resources with GPUs as nvidia.com/gpu).
 */
import { createHash } from "node:crypto";
import { parseDuration } from "../../spec/duration.js";
import type { JsonObject, JsonValue, Resources, Task } from "../../spec/types.js";
import { paramEnvName, paramEnvValue, PARAMS_FILE } from "../contract.js";

/** A Kubernetes object as Updraft writes it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: JsonValue | KubeObject["metadata"];
}

/** Where manifests put things in the container; the image is built to match. */
export interface KubeLayout {
  /** The container's working directory: the workflow directory inside the image. */
  workdir: string;
  /** Python in the image. */
  python: string;
  /** spec.sparkVersion of SparkApplications. */
  sparkVersion: string;
  /** Service account of Spark drivers (they create executor pods). */
  sparkServiceAccount: string;
}

/** The defaults of {@link KubeLayout}. */
export const DEFAULT_LAYOUT: KubeLayout = {
  workdir: "/workspace",
  python: "python3",
  sparkVersion: "3.5.0",
  sparkServiceAccount: "spark",
};

/** Everything a task's manifests are built from. */
export interface ManifestInput {
  workflow: string;
  taskId: string;
  /** The task with defaults applied (and, when launching, expressions resolved). */
  task: Task;
  /** The params the task receives. */
  params: JsonObject;
  /** Base name of the resources (a DNS label); see {@link resourceName}. */
  name: string;
  namespace?: string;
  /** Extra labels (the run id when launching). */
  labels?: Record<string, string>;
  /** Extra environment of the task's containers (run id, attempt). */
  env?: Record<string, string>;
  layout?: Partial<KubeLayout>;
}

/** Where the params file is mounted in containers. */
export const PARAMS_MOUNT = "/var/run/updraft";
/** Where a container writes outputs (`$UPDRAFT_OUTPUTS`); printed to the log at exit. */
export const CONTAINER_OUTPUTS = "/tmp/updraft-outputs.txt";

/** Longest base name: operators append suffixes such as `-worker-12` to it. */
const MAX_NAME = 45;

/**
 * A DNS-1123 label from name parts (lower-cased, other characters -> `-`); names too
 * long are cut and given a hash of the whole so two long names stay apart.
 */
export function resourceName(parts: readonly string[]): string {
  const full = parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  const name = full === "" ? "task" : full;
  if (name.length <= MAX_NAME) return /^[a-z]/.test(name) ? name : `t-${name}`.slice(0, MAX_NAME);
  const hash = createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_NAME - 9).replace(/-$/, "")}-${hash}`;
}

/** A label value: at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends. */
export function labelValue(text: string): string {
  return text
    .replace(/[^A-Za-z0-9_.-]/g, "-")
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/** The labels of every object of a task. */
export function taskLabels(input: ManifestInput): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "updraft",
    "updraft.dev/workflow": labelValue(input.workflow),
    "updraft.dev/task": labelValue(input.taskId),
    ...input.labels,
  };
}

/** The object metadata of the resource `name`. */
export function metadata(input: ManifestInput, name: string): KubeObject["metadata"] {
  return {
    name,
    ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
    labels: taskLabels(input),
  };
}

/** The ConfigMap holding the task's params.json, mounted into every container. */
export function paramsConfigMap(input: ManifestInput): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(input, paramsConfigMapName(input)),
    data: { [PARAMS_FILE]: JSON.stringify(input.params, null, 2) + "\n" },
  };
}

/** Name of the params ConfigMap. */
export function paramsConfigMapName(input: ManifestInput): string {
  return `${input.name}-params`;
}

/** The layout with defaults filled in. */
export function layoutOf(input: ManifestInput): KubeLayout {
  return { ...DEFAULT_LAYOUT, ...input.layout };
}

/** The environment of the task's containers: the task's env and the task contract. */
export function containerEnv(input: ManifestInput): JsonObject[] {
  const env = new Map<string, string>();
  for (const [k, v] of Object.entries(input.task.env ?? {})) env.set(k, v);
  for (const [name, value] of Object.entries(input.params)) {
    env.set(paramEnvName(name), paramEnvValue(value));
  }
  env.set("UPDRAFT_PARAMS", `${PARAMS_MOUNT}/${PARAMS_FILE}`);
  env.set("UPDRAFT_OUTPUTS", CONTAINER_OUTPUTS);
  env.set("UPDRAFT_WORKFLOW", input.workflow);
  env.set("UPDRAFT_TASK_ID", input.taskId);
  for (const [k, v] of Object.entries(input.env ?? {})) env.set(k, v);
  return [...env].map(([name, value]) => ({ name, value }));
}

/** Requests and limits of a task's containers; GPUs as the NVIDIA device plugin's resource. */
export function containerResources(resources: Resources | undefined): JsonObject | undefined {
  if (resources === undefined) return undefined;
  const list: JsonObject = {};
  if (resources.cpu !== undefined) list["cpu"] = String(resources.cpu);
  if (resources.memory !== undefined) list["memory"] = resources.memory;
  const limits: JsonObject = { ...list };
  if ((resources.gpu ?? 0) > 0) limits["nvidia.com/gpu"] = resources.gpu ?? 0;
  if (Object.keys(limits).length === 0) return undefined;
  return Object.keys(list).length > 0 ? { requests: list, limits } : { limits };
}

/** The volume and mount of the params ConfigMap. */
export function paramsVolume(input: ManifestInput): { volume: JsonObject; mount: JsonObject } {
  return {
    volume: { name: "updraft-params", configMap: { name: paramsConfigMapName(input) } },
    mount: { name: "updraft-params", mountPath: PARAMS_MOUNT, readOnly: true },
  };
}

/**
 * The container command that runs `argv` and then prints the outputs file between
 * markers, so the launcher can read the outputs from the log; the exit code is kept.
 */
export function withOutputs(argv: readonly string[]): string[] {
  const script =
    '"$@"; rc=$?; if [ -s "$UPDRAFT_OUTPUTS" ]; then echo "' +
    OUTPUTS_BEGIN +
    '"; cat "$UPDRAFT_OUTPUTS"; echo; echo "' +
    OUTPUTS_END +
    '"; fi; exit $rc';
  return ["/bin/sh", "-c", script, "updraft", ...argv];
}

/** Markers around the outputs in a container's log. */
export const OUTPUTS_BEGIN = "----- updraft outputs begin -----";
/** End marker of the outputs in a container's log. */
export const OUTPUTS_END = "----- updraft outputs end -----";

/** The container of a task: image, command (as argv, no shell text), env, resources, params. */
export function taskContainer(
  input: ManifestInput,
  containerName: string,
  argv: readonly string[],
  opts: { outputs?: boolean } = {},
): JsonObject {
  const image = input.task.image ?? "";
  const resources = containerResources(input.task.resources);
  return {
    name: containerName,
    image,
    command: opts.outputs === false ? [...argv] : withOutputs(argv),
    workingDir: layoutOf(input).workdir,
    env: containerEnv(input),
    ...(resources !== undefined ? { resources } : {}),
    volumeMounts: [paramsVolume(input).mount],
  };
}

/** The task's timeout in whole seconds (activeDeadlineSeconds), if it has one. */
export function deadlineSeconds(task: Task): number | undefined {
  if (task.timeout === undefined) return undefined;
  return Math.max(1, Math.ceil(parseDuration(task.timeout) / 1000));
}

/** The task's args as strings. */
export function argStrings(task: Task): string[] {
  return "args" in task ? task.args.map(paramEnvValue) : [];
}
