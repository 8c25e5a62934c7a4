/**
 * The `components.schemas` of the OpenAPI document: the shapes the API answers with. The
 * workflow document schema is the one `src/spec/schema.ts` exports, referenced as is.
 */
import { workflowJsonSchema } from "../spec/schema.js";
import type { JsonObject } from "../spec/types.js";

/** A `$ref` to a component schema. */
export function ref(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` };
}

const RUN_STATES = ["queued", "running", "succeeded", "failed", "cancelled"];
const TASK_STATES = [
  "pending",
  "queued",
  "running",
  "succeeded",
  "failed",
  "retrying",
  "upstream_failed",
  "skipped",
  "cancelled",
];

const isoTime = (description: string): JsonObject => ({
  type: ["string", "null"],
  format: "date-time",
  description,
});

const scheduleStatus: JsonObject = {
  paused: { type: "boolean", description: "True when the workflow's schedule is paused." },
  nextRun: isoTime("When the next scheduled run is due; null when paused or unscheduled."),
};

/** Every component schema by name. */
export function componentSchemas(): Record<string, JsonObject> {
  return {
    // The same object the validator uses: the API cannot drift from the file format.
    Workflow: workflowJsonSchema,
    Error: {
      type: "object",
      description: "Every error answer. 4xx: the request was at fault; 5xx: the server was.",
      required: ["error"],
      additionalProperties: false,
      properties: {
        error: {
          type: "object",
          required: ["code", "message", "details"],
          additionalProperties: false,
          properties: {
            code: { type: "string", description: "Stable code such as E_VALIDATION." },
            message: { type: "string", description: "What went wrong and what to do." },
            details: {
              description: "Extra facts, e.g. the validation issues with their paths, or null.",
            },
          },
        },
      },
    },
    Health: {
      type: "object",
      required: ["status"],
      properties: { status: { const: "ok" } },
    },
    WorkflowSummary: {
      type: "object",
      required: ["name", "description", "version", "schedule", "paused", "nextRun", "tasks"],
      properties: {
        name: { type: "string" },
        description: { type: ["string", "null"] },
        version: { type: "integer", minimum: 1, description: "Latest saved version." },
        schedule: { type: ["string", "null"], description: "Cron expression, if scheduled." },
        ...scheduleStatus,
        tasks: { type: "integer", description: "Number of tasks." },
        params: {
          type: "object",
          description: "Declared params by name.",
          additionalProperties: { $ref: "#/components/schemas/Workflow/definitions/param" },
        },
      },
    },
    WorkflowList: {
      type: "object",
      required: ["workflows"],
      properties: { workflows: { type: "array", items: ref("WorkflowSummary") } },
    },
    WorkflowDetail: {
      type: "object",
      required: ["name", "version", "paused", "nextRun", "document"],
      properties: {
        name: { type: "string" },
        version: { type: "integer", minimum: 1 },
        ...scheduleStatus,
        document: ref("Workflow"),
      },
    },
    WorkflowSaved: {
      type: "object",
      required: ["name", "version", "changed", "paused", "nextRun", "document"],
      properties: {
        name: { type: "string" },
        version: { type: "integer", minimum: 1 },
        changed: {
          type: "boolean",
          description: "False when the document equals the latest version (no new version).",
        },
        ...scheduleStatus,
        document: ref("Workflow"),
      },
    },
    WorkflowSave: {
      description: "A workflow as its JSON document, or as the text of a workflow file.",
      oneOf: [
        {
          type: "object",
          required: ["document"],
          additionalProperties: false,
          properties: { document: ref("Workflow") },
        },
        {
          type: "object",
          required: ["yaml"],
          additionalProperties: false,
          properties: { yaml: { type: "string", description: "A workflow file's text." } },
        },
      ],
    },
    WorkflowVersion: {
      type: "object",
      required: ["name", "version", "createdAt", "source"],
      properties: {
        name: { type: "string" },
        version: { type: "integer", minimum: 1 },
        createdAt: { type: "string", format: "date-time" },
        source: { type: ["string", "null"], description: "The file it was loaded from." },
      },
    },
    WorkflowVersionList: {
      type: "object",
      required: ["versions"],
      properties: { versions: { type: "array", items: ref("WorkflowVersion") } },
    },
    WorkflowVersionDetail: {
      allOf: [
        ref("WorkflowVersion"),
        { type: "object", required: ["document"], properties: { document: ref("Workflow") } },
      ],
    },
    RunRequest: {
      type: "object",
      additionalProperties: false,
      description: "An empty body, {} and {params: {}} all run with the declared defaults.",
      properties: {
        params: {
          type: ["object", "null"],
          description: "Values of the workflow's params by name; checked against their types.",
        },
      },
    },
    TaskError: {
      type: ["object", "null"],
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" } },
    },
    Task: {
      type: "object",
      required: ["state", "attempts", "outputs", "startedAt", "endedAt", "error"],
      properties: {
        state: { type: "string", enum: TASK_STATES },
        attempts: { type: "integer", minimum: 0 },
        outputs: { type: "object", description: "Outputs the task declared, typed." },
        startedAt: isoTime("Start of the latest attempt."),
        endedAt: isoTime("End of the task."),
        error: ref("TaskError"),
      },
    },
    Run: {
      type: "object",
      description: "A run, as `updraft run --json` prints it.",
      required: ["id", "workflow", "version", "state", "params", "startedAt", "endedAt", "tasks"],
      properties: {
        id: { type: "string" },
        workflow: { type: "string" },
        version: { type: "integer", description: "The workflow version the run ran." },
        state: { type: "string", enum: RUN_STATES },
        params: { type: "object", description: "Resolved param values." },
        logicalDate: { type: "string", format: "date-time" },
        trigger: { type: "string", description: "manual, schedule, backfill, ..." },
        startedAt: isoTime("Start of the run."),
        endedAt: isoTime("End of the run."),
        tasks: { type: "object", additionalProperties: ref("Task") },
      },
    },
    RunList: {
      type: "object",
      required: ["runs"],
      properties: { runs: { type: "array", items: ref("Run"), description: "Newest first." } },
    },
    NotebookEntry: {
      type: "object",
      required: ["path", "size", "modified", "kernel", "language", "params", "error"],
      properties: {
        path: { type: "string", description: "Relative to the library, `/`-separated." },
        size: { type: "integer", description: "Bytes." },
        modified: { type: "string", format: "date-time" },
        kernel: { type: ["string", "null"], description: "metadata.kernelspec.name." },
        language: { type: ["string", "null"] },
        params: {
          type: ["integer", "null"],
          description: "Parameters declared; null when unreadable.",
        },
        error: { type: ["string", "null"], description: "Why it is not a readable notebook." },
      },
    },
    NotebookList: {
      type: "object",
      required: ["notebooks", "truncated"],
      properties: {
        notebooks: { type: "array", items: ref("NotebookEntry") },
        truncated: { type: "boolean", description: "True when the library holds more." },
      },
    },
    NotebookUpload: {
      type: "object",
      required: ["path", "content"],
      additionalProperties: false,
      properties: {
        path: { type: "string", description: "Where in the library, e.g. `team/prep.ipynb`." },
        content: { type: "object", description: "The notebook's JSON (nbformat 4)." },
        overwrite: { type: "boolean", description: "Replace an existing notebook." },
      },
    },
    NotebookMultipartUpload: {
      type: "object",
      required: ["path", "file"],
      properties: {
        path: { type: "string" },
        overwrite: { type: "string", enum: ["true", "false"] },
        file: { type: "string", contentMediaType: "application/x-ipynb+json" },
      },
    },
    NotebookParams: {
      type: "object",
      required: ["path", "params"],
      properties: {
        path: { type: "string" },
        params: {
          type: "array",
          description: "What the `parameters` cell declares, as `updraft notebook inspect`.",
          items: {
            type: "object",
            required: ["name", "inferredType", "default", "help"],
            properties: {
              name: { type: "string" },
              inferredType: { type: ["string", "null"] },
              default: { type: "string", description: "Source text of the default." },
              help: { type: "string" },
            },
          },
        },
      },
    },
    RunEvent: {
      type: "object",
      description: "SSE event `run`: a run changed state.",
      required: ["kind", "runId", "workflow", "state", "at"],
      properties: {
        kind: { const: "run" },
        runId: { type: "string" },
        workflow: { type: "string" },
        state: { type: "string", enum: RUN_STATES },
        at: { type: "string", format: "date-time" },
      },
    },
    TaskEvent: {
      type: "object",
      description: "SSE event `task`: a task changed state.",
      required: ["kind", "runId", "workflow", "taskId", "state", "attempt", "at", "error"],
      properties: {
        kind: { const: "task" },
        runId: { type: "string" },
        workflow: { type: "string" },
        taskId: { type: "string" },
        state: { type: "string", enum: TASK_STATES },
        attempt: { type: "integer", minimum: 0 },
        at: { type: "string", format: "date-time" },
        error: ref("TaskError"),
      },
    },
    LogEvent: {
      type: "object",
      description: "SSE event `log`: new text of the attempt's log.",
      required: ["attempt", "text"],
      properties: { attempt: { type: "integer" }, text: { type: "string" } },
    },
    AttemptEvent: {
      type: "object",
      description: "SSE event `attempt`: a new attempt started; its log follows.",
      required: ["attempt"],
      properties: { attempt: { type: "integer" } },
    },
    EndEvent: {
      type: "object",
      description: "SSE event `end`: the task ended; the stream closes.",
      required: ["state", "attempt"],
      properties: { state: { type: "string" }, attempt: { type: "integer" } },
    },
  };
}
