/**
 * The workflow format (v1) as the rest of Updraft sees it after parsing and
 * normalization: every optional list or map is present, defaults are not yet merged
 * into tasks (see `effectiveTask`).
 */

/** Any JSON value. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Types a workflow param may declare (JSON Schema names). */
export const PARAM_TYPES = ["string", "number", "integer", "boolean", "array", "object"] as const;
/** Type of a workflow param. */
export type ParamType = (typeof PARAM_TYPES)[number];

/** A typed workflow ("global") parameter. */
export interface ParamSpec {
  type: ParamType;
  default?: JsonValue;
  description?: string;
  enum?: JsonValue[];
  minimum?: number;
  maximum?: number;
}

/** Trigger rules, with Airflow's meanings. */
export const TRIGGER_RULES = [
  "all_success",
  "all_done",
  "all_failed",
  "one_success",
  "one_failed",
  "none_failed",
] as const;
/** When a task runs relative to its upstream tasks' states. */
export type TriggerRule = (typeof TRIGGER_RULES)[number];

/** Every task type of the format; a build may not have a runner for each yet. */
export const TASK_TYPES = [
  "notebook",
  "python",
  "r",
  "rmarkdown",
  "shell",
  "torch",
  "tensorflow",
  "dask",
  "spark",
  "condition",
  "empty",
] as const;
/** Type of a task. */
export type TaskType = (typeof TASK_TYPES)[number];

/** Comparison operators of a condition task. */
export const CONDITION_OPS = ["==", "!=", ">", ">=", "<", "<="] as const;
/** Comparison operator of a condition task. */
export type ConditionOp = (typeof CONDITION_OPS)[number];

/** How the delay between retries grows. */
export type RetryBackoff = "fixed" | "exponential";

/** Resources a task asks for. */
export interface Resources {
  cpu?: number | string;
  memory?: string;
  gpu?: number;
}

/** Fields every task type shares; also the shape of `defaults`. */
export interface TaskPolicy {
  retries?: number;
  /** Duration string such as `10s`, `5m`, `1h30m`, `250ms`. */
  retryDelay?: string;
  retryBackoff?: RetryBackoff;
  /** Upper bound of the delay with exponential backoff. */
  retryMaxDelay?: string;
  timeout?: string;
  pool?: string;
  when?: TriggerRule;
  resources?: Resources;
  image?: string;
  env?: Record<string, string>;
}

/** Fields common to every task. */
export interface TaskBase extends TaskPolicy {
  type: TaskType;
  description?: string;
  needs: string[];
  params: JsonObject;
  outputs: string[];
  /** Names of the connections granted to the task (its `UPDRAFT_CONN_*` variables); absent when none. */
  connections?: string[];
}

/** Runs a Jupyter notebook. */
export interface NotebookTask extends TaskBase {
  type: "notebook";
  notebook: string;
  kernel?: string;
}
/** Runs a Python or R script file or inline code. */
export interface ScriptTask extends TaskBase {
  type: "python" | "r";
  script?: string;
  code?: string;
  args: JsonValue[];
}
/** Renders an R Markdown document. */
export interface RMarkdownTask extends TaskBase {
  type: "rmarkdown";
  file: string;
  format?: string;
}
/** Runs a shell command (string: via /bin/sh -c; list: argv, no shell). */
export interface ShellTask extends TaskBase {
  type: "shell";
  command: string | string[];
}
/** Where a job's replicas run: processes on this machine, or a Kubernetes cluster. */
export const LAUNCH_MODES = ["local", "kubernetes"] as const;
/** Where a job's replicas run. */
export type LaunchMode = (typeof LAUNCH_MODES)[number];

/** A distributed training or data job. */
export interface DistributedTask extends TaskBase {
  type: "torch" | "tensorflow" | "dask";
  script: string;
  args: JsonValue[];
  replicas?: number;
  /** TensorFlow only: parameter-server replicas besides `replicas` (chief + workers). */
  ps?: number;
  launch?: LaunchMode;
}
/** A Spark application. */
export interface SparkTask extends TaskBase {
  type: "spark";
  application: string;
  args: JsonValue[];
  conf: Record<string, string>;
  executors?: number;
  launch?: LaunchMode;
}
/** Compares two values; false skips the downstream tasks. */
export interface ConditionTask extends TaskBase {
  type: "condition";
  left: JsonValue;
  op: ConditionOp;
  right: JsonValue;
}
/** Does nothing; a join or a placeholder. */
export interface EmptyTask extends TaskBase {
  type: "empty";
}

/** A task of any type. */
export type Task =
  | NotebookTask
  | ScriptTask
  | RMarkdownTask
  | ShellTask
  | DistributedTask
  | SparkTask
  | ConditionTask
  | EmptyTask;

/** Designer layout; no effect on runs. */
export interface WorkflowUi {
  positions?: Record<string, { x: number; y: number }>;
}

/** A parsed, validated workflow. */
export interface Workflow {
  name: string;
  description?: string;
  schedule?: string;
  timezone?: string;
  catchup: boolean;
  maxActiveRuns?: number;
  params: Record<string, ParamSpec>;
  defaults: TaskPolicy;
  tasks: Record<string, Task>;
  ui?: WorkflowUi;
}
