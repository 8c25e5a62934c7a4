/**
 * JSON Schema (draft-07) of the workflow format v1 (DESIGN.md §2). A plain object so
 * the HTTP API can embed it in its OpenAPI document and the web designer can drive
 * forms and editor completion from it. Structure only: references, cycles, cron,
 * durations and param defaults are checked by `validate.ts`.
 */
import {
  CONNECTION_NAME_PATTERN,
  ENV_NAME_PATTERN,
  IDENTIFIER_PATTERN,
  MAX_TASK_CONNECTIONS,
  TASK_ID_PATTERN,
  WORKFLOW_NAME_PATTERN,
} from "./names.js";
import {
  CONDITION_OPS,
  LAUNCH_MODES,
  PARAM_TYPES,
  TASK_TYPES,
  TRIGGER_RULES,
  type JsonObject,
} from "./types.js";

const duration = (description: string): JsonObject => ({
  type: ["string", "number"],
  description: `${description} A duration such as 250ms, 10s, 5m, 1h30m, 2d; a bare number counts seconds.`,
});

const envLike = (description: string, namePattern?: string): JsonObject => ({
  type: "object",
  description,
  ...(namePattern === undefined ? {} : { propertyNames: { pattern: namePattern } }),
  additionalProperties: {
    type: ["string", "number", "boolean"],
    description: "Numbers and booleans are turned into strings.",
  },
});

const args: JsonObject = {
  type: "array",
  description: "Command-line arguments; expressions allowed.",
  items: { type: ["string", "number", "boolean"] },
};

const path = (description: string): JsonObject => ({
  type: "string",
  minLength: 1,
  description,
});

const launch: JsonObject = {
  type: "string",
  enum: [...LAUNCH_MODES],
  default: "local",
  description: "local: processes on this machine (default); kubernetes: the framework's resource.",
};

/** Fields every task shares that `defaults` may also set. */
const policyProperties: JsonObject = {
  retries: {
    type: "integer",
    minimum: 0,
    default: 0,
    description: "How many times a failed attempt is retried (0 = no retry).",
  },
  retryDelay: { ...duration("Wait before a retry."), default: "10s" },
  retryBackoff: {
    type: "string",
    enum: ["fixed", "exponential"],
    default: "fixed",
    description: "fixed: always retryDelay; exponential: retryDelay doubled on each retry.",
  },
  retryMaxDelay: {
    ...duration("Upper bound of the delay with exponential backoff."),
    default: "1d",
  },
  timeout: duration("An attempt running longer than this is killed and fails."),
  pool: {
    type: "string",
    minLength: 1,
    maxLength: 128,
    default: "default",
    description: "Pool whose slots cap concurrent tasks (default: the `default` pool).",
  },
  when: {
    type: "string",
    enum: [...TRIGGER_RULES],
    default: "all_success",
    description: "Trigger rule, with Airflow's meanings (default: all_success).",
  },
  resources: {
    type: "object",
    description: "Resources the task asks for (Kubernetes requests; local: advisory).",
    additionalProperties: false,
    properties: {
      cpu: { type: ["number", "string"], description: "CPUs, e.g. 2 or 500m." },
      memory: { type: "string", minLength: 1, description: "Memory, e.g. 4Gi." },
      gpu: { type: "integer", minimum: 0, description: "Number of GPUs." },
    },
  },
  image: {
    type: "string",
    minLength: 1,
    description: "Container image used on Kubernetes and Airflow.",
  },
  env: envLike("Environment variables of the task; expressions allowed.", ENV_NAME_PATTERN),
};

const commonProperties: JsonObject = {
  type: { type: "string", enum: [...TASK_TYPES], description: "What the task runs." },
  description: { type: "string", description: "Free text shown in the designer." },
  needs: {
    type: "array",
    items: { type: "string" },
    description: "Ids of the tasks that must end before this one starts.",
  },
  params: {
    type: "object",
    propertyNames: { pattern: IDENTIFIER_PATTERN },
    additionalProperties: { description: "Any JSON value; expressions allowed." },
    description: "Task (local) params, passed to the notebook or script.",
  },
  outputs: {
    type: "array",
    items: { type: "string", pattern: IDENTIFIER_PATTERN },
    description: "Names of the values this task publishes.",
  },
  connections: {
    type: "array",
    maxItems: MAX_TASK_CONNECTIONS,
    items: { type: "string", pattern: CONNECTION_NAME_PATTERN },
    description:
      "Names of the connections granted to the task: each arrives as UPDRAFT_CONN_<NAME>_<FIELD> variables and UPDRAFT_CONN_<NAME> (JSON); their secrets are masked in the logs. Each name once.",
  },
  ...policyProperties,
};

const taskDef = (description: string, props: JsonObject, required: string[]): JsonObject => ({
  type: "object",
  description,
  additionalProperties: false,
  required: ["type", ...required],
  properties: { ...commonProperties, ...props },
});

const TASK_DEFS: Record<string, { types: string[]; schema: JsonObject }> = {
  notebookTask: {
    types: ["notebook"],
    schema: taskDef(
      "Runs a Jupyter notebook with papermill-style parameters.",
      {
        notebook: path("Notebook path, relative to the workflow file."),
        kernel: {
          type: "string",
          minLength: 1,
          description: "Kernel name (default: the notebook's).",
        },
      },
      ["notebook"],
    ),
  },
  scriptTask: {
    types: ["python", "r"],
    schema: taskDef(
      "Runs a Python or R script file (script) or inline code (code): exactly one of them.",
      {
        script: path("Script path, relative to the workflow file."),
        code: { type: "string", minLength: 1, description: "Inline source code." },
        args,
      },
      [],
    ),
  },
  rmarkdownTask: {
    types: ["rmarkdown"],
    schema: taskDef(
      "Renders an R Markdown document.",
      {
        file: path("The .Rmd file, relative to the workflow file."),
        format: { type: "string", minLength: 1, description: "Output format, e.g. html_document." },
      },
      ["file"],
    ),
  },
  shellTask: {
    types: ["shell"],
    schema: taskDef(
      "Runs a command: a string through /bin/sh -c, or a list as argv without a shell.",
      {
        command: {
          type: ["string", "array"],
          minLength: 1,
          minItems: 1,
          items: { type: "string" },
          description: "The command; expressions allowed.",
        },
      },
      ["command"],
    ),
  },
  distributedTask: {
    types: ["torch", "dask"],
    schema: taskDef(
      "Runs a distributed PyTorch job (replicas: processes) or a Dask job (replicas: workers).",
      {
        script: path("Training script, relative to the workflow file."),
        args,
        replicas: {
          type: "integer",
          minimum: 1,
          maximum: 1024,
          default: 1,
          description: "Processes (torch) or workers (dask).",
        },
        launch,
      },
      ["script"],
    ),
  },
  tensorflowTask: {
    types: ["tensorflow"],
    schema: taskDef(
      "Runs a distributed TensorFlow job: a chief, replicas - 1 workers and ps parameter servers.",
      {
        script: path("Training script, relative to the workflow file."),
        args,
        replicas: {
          type: "integer",
          minimum: 1,
          maximum: 1024,
          default: 1,
          description: "Chief plus workers (1: the chief alone).",
        },
        ps: {
          type: "integer",
          minimum: 0,
          maximum: 1024,
          default: 0,
          description: "Parameter servers.",
        },
        launch,
      },
      ["script"],
    ),
  },
  sparkTask: {
    types: ["spark"],
    schema: taskDef(
      "Submits a Spark application.",
      {
        application: path("Application file (.py or .jar), relative to the workflow file."),
        args,
        conf: envLike("spark-submit --conf settings; expressions allowed."),
        executors: {
          type: "integer",
          minimum: 1,
          maximum: 10000,
          description: "Number of executors.",
        },
        launch,
      },
      ["application"],
    ),
  },
  conditionTask: {
    types: ["condition"],
    schema: taskDef(
      "Compares two values; when false, the downstream tasks are skipped.",
      {
        left: { description: "Left operand; usually an expression." },
        op: { type: "string", enum: [...CONDITION_OPS], description: "Comparison operator." },
        right: { description: "Right operand." },
      },
      ["left", "op", "right"],
    ),
  },
  emptyTask: {
    types: ["empty"],
    schema: taskDef("Does nothing: a join point or a placeholder.", {}, []),
  },
};

const definitions: JsonObject = {
  param: {
    type: "object",
    description: "A typed workflow param.",
    additionalProperties: false,
    required: ["type"],
    properties: {
      type: { type: "string", enum: [...PARAM_TYPES], description: "JSON type of the value." },
      default: { description: "Value used when a run does not set the param." },
      description: { type: "string", description: "Shown in forms and --help." },
      enum: { type: "array", minItems: 1, description: "The allowed values." },
      minimum: { type: "number", description: "Smallest allowed number." },
      maximum: { type: "number", description: "Largest allowed number." },
    },
  },
  policy: {
    type: "object",
    description: "Task fields applied to every task that does not set them.",
    additionalProperties: false,
    properties: policyProperties,
  },
  task: {
    type: "object",
    description: "A task; the fields allowed depend on its type.",
    required: ["type"],
    properties: { type: commonProperties.type ?? null },
    allOf: Object.keys(TASK_DEFS).map((name) => ({
      if: {
        type: "object",
        required: ["type"],
        properties: { type: { enum: TASK_DEFS[name]?.types ?? [] } },
      },
      then: { $ref: `#/definitions/${name}` },
    })),
  },
  ...Object.fromEntries(Object.entries(TASK_DEFS).map(([name, d]) => [name, d.schema])),
};

/** JSON Schema (draft-07) of a workflow document, format v1. */
export const workflowJsonSchema: JsonObject = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://updraft.dev/schemas/workflow-v1.json",
  title: "Updraft workflow",
  description: "A DAG of notebook and batch tasks with typed params (Updraft format v1).",
  type: "object",
  additionalProperties: false,
  required: ["name", "tasks"],
  properties: {
    name: {
      type: "string",
      pattern: WORKFLOW_NAME_PATTERN,
      description: "Unique name: lower-case letter, then lower-case letters, digits, _ or -.",
    },
    description: { type: "string", description: "Free text." },
    schedule: {
      type: "string",
      description: "5-field cron expression or @hourly, @daily, @weekly, @monthly, @yearly.",
    },
    timezone: {
      type: "string",
      default: "UTC",
      description: "IANA time zone of the schedule, e.g. Europe/Paris.",
    },
    catchup: {
      type: "boolean",
      default: false,
      description:
        "Create every scheduled run missed while paused or down (false: only the latest).",
    },
    maxActiveRuns: {
      type: "integer",
      minimum: 1,
      description: "Most runs of this workflow active at once.",
    },
    params: {
      type: "object",
      description: "Workflow (global) params, by name.",
      propertyNames: { pattern: IDENTIFIER_PATTERN },
      additionalProperties: { $ref: "#/definitions/param" },
    },
    defaults: {
      $ref: "#/definitions/policy",
      description: "Task fields applied to every task that does not set them.",
    },
    tasks: {
      type: "object",
      description: "Tasks by id.",
      minProperties: 1,
      propertyNames: { pattern: TASK_ID_PATTERN },
      additionalProperties: { $ref: "#/definitions/task" },
    },
    ui: {
      type: "object",
      description: "Designer layout; no effect on runs.",
      additionalProperties: false,
      properties: {
        positions: {
          type: "object",
          description: "Node positions by task id.",
          additionalProperties: {
            type: "object",
            description: "Where the task's node is drawn.",
            additionalProperties: false,
            required: ["x", "y"],
            properties: {
              x: { type: "number", description: "Left edge of the node, in designer pixels." },
              y: { type: "number", description: "Top edge of the node, in designer pixels." },
            },
          },
        },
      },
    },
  },
  definitions,
};

/** For each task type, the schema definition name holding its fields. */
export const TASK_DEFINITION_OF_TYPE: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(TASK_DEFS).flatMap(([name, d]) => d.types.map((t) => [t, name])),
);
