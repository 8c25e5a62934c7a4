/**
 * The spark-submit command line of a `spark` task: master (a local master sized from
 * the task when no cluster is given), `--conf` settings, executors and their cores and
 * memory from `executors` and `resources`, then the application and its arguments.
 * Values travel as argv entries, never through a shell.
 */
import { ErrorCodes, TaskError } from "../../spec/errors.js";
import type { Resources } from "../../spec/types.js";
import { threadCount } from "./dask-cluster.js";

/** What the command line is built from (the task with paths resolved). */
export interface SparkSubmitInput {
  /** Application file (absolute, or a URL such as local:///app.py or s3a://bucket/app.jar). */
  application: string;
  args: string[];
  conf: Record<string, string>;
  executors?: number;
  resources?: Resources;
  /** spark.app.name: the workflow and task. */
  name: string;
  /** The master when conf has no `spark.master` (e.g. from the registry); default local. */
  master?: string;
}

/** A `--conf` key: what Spark's keys look like; `=` would end the key early. */
const CONF_KEY = /^[A-Za-z][A-Za-z0-9_.\-[\]]*$/;

/** Longest conf value accepted (an argv entry; bigger values belong in files). */
const MAX_CONF_VALUE = 64 * 1024;

/** True for a master that runs everything in the spark-submit JVM. */
export function isLocalMaster(master: string): boolean {
  return master === "local" || master.startsWith("local[") || master.startsWith("local-cluster[");
}

/** The local master of a task: local[executors x cores] when sized, else local[*]. */
export function localMaster(executors: number | undefined, cpu: Resources["cpu"]): string {
  if (executors === undefined && cpu === undefined) return "local[*]";
  return `local[${(executors ?? 1) * threadCount(cpu)}]`;
}

/**
 * A Kubernetes-style memory quantity (4Gi, 512Mi, 2G, 1073741824) as a JVM size
 * (4g, 512m, 2g, 1024m); undefined when it is not one.
 */
export function jvmMemory(memory: string): string | undefined {
  const m = /^(\d+)(Ki|Mi|Gi|Ti|k|K|M|G|T|m|g|t)?$/.exec(memory.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  const unit = m[2];
  if (unit === undefined) return `${Math.max(1, Math.ceil(n / (1024 * 1024)))}m`;
  return `${n}${unit[0]?.toLowerCase() ?? "m"}`;
}

/** The arguments of spark-submit (without the program itself). */
export function sparkSubmitArgs(input: SparkSubmitInput): string[] {
  const conf = { ...input.conf };
  for (const [key, value] of Object.entries(conf)) {
    if (!CONF_KEY.test(key)) {
      throw confError(`conf key ${JSON.stringify(key)} is not a Spark setting name`);
    }
    if (value.includes("\0") || value.length > MAX_CONF_VALUE) {
      throw confError(`conf value of ${key} contains a NUL character or is over 64 KiB`);
    }
  }
  const master =
    conf["spark.master"] ?? input.master ?? localMaster(input.executors, input.resources?.cpu);
  delete conf["spark.master"];
  const args = ["--master", master, "--name", input.name];
  const memory = input.resources?.memory;
  const jvm = memory === undefined ? undefined : jvmMemory(memory);
  if (memory !== undefined && jvm === undefined) {
    throw confError(
      `resources.memory ${JSON.stringify(memory)} is not a size such as 4Gi or 512Mi`,
    );
  }
  if (isLocalMaster(master)) {
    // Executors run inside the driver's JVM: the memory is the driver's.
    if (jvm !== undefined) args.push("--driver-memory", jvm);
  } else {
    // The driver runs here, under Updraft's eye and with the task contract.
    args.push("--deploy-mode", "client");
    if (input.executors !== undefined) args.push("--num-executors", String(input.executors));
    if (input.resources?.cpu !== undefined) {
      args.push("--executor-cores", String(threadCount(input.resources.cpu)));
    }
    if (jvm !== undefined) args.push("--executor-memory", jvm);
    const gpu = input.resources?.gpu ?? 0;
    if (gpu > 0 && conf["spark.executor.resource.gpu.amount"] === undefined) {
      args.push("--conf", `spark.executor.resource.gpu.amount=${gpu}`);
    }
  }
  for (const [key, value] of Object.entries(conf)) args.push("--conf", `${key}=${value}`);
  args.push(input.application, ...input.args);
  return args;
}

/** True when `application` is a URL Spark fetches itself rather than a path here. */
export function isApplicationUrl(application: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(application);
}

function confError(message: string): TaskError {
  return new TaskError(ErrorCodes.TASK_FAILED, `spark task: ${message}`);
}
