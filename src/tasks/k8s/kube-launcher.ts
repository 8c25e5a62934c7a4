/**
 * Runs a job task on Kubernetes: creates its ConfigMap and framework resource, follows
 * the resource's status until it ends, copies the chief pod's log into the attempt's log
 * and reads the outputs from it, then deletes what it created. Cancel and timeout delete
 * the resources at once (the operators then stop every pod).
 */
import { ErrorCodes, TaskError, UpdraftError } from "../../spec/errors.js";
import { checkDeclaredOutputs, parseOutputs } from "../contract.js";
import { abortReason } from "../process.js";
import type { TaskContext, TaskResult } from "../types.js";
import { taskManifests } from "./job-manifests.js";
import { chiefPod, jobState } from "./job-status.js";
import { refOf, type KubeApi } from "./kube-api.js";
import {
  labelValue,
  OUTPUTS_BEGIN,
  OUTPUTS_END,
  resourceName,
  type KubeLayout,
  type KubeObject,
} from "./pod-template.js";

/** Launches `launch: kubernetes` job tasks. */
export interface KubernetesJobLauncher {
  /** Creates the task's resources, waits for the job to end, cleans up; rejects with a TaskError. */
  run(ctx: TaskContext): Promise<TaskResult>;
}

/** The cluster connection for a task's environment, or undefined when there is none. */
export interface KubeConnection {
  api: KubeApi;
  namespace: string;
}

/** Options of {@link createKubernetesLauncher}. */
export interface KubernetesLauncherOptions {
  /** Connects for a task (from its environment: KUBECONFIG, in-cluster); undefined: no cluster. */
  connect(env: NodeJS.ProcessEnv): Promise<KubeConnection | undefined>;
  /** How often the resource's status is read; default 2000 ms. */
  pollMs?: number;
  layout?: Partial<KubeLayout>;
}

/** Creates the launcher. */
export function createKubernetesLauncher(opts: KubernetesLauncherOptions): KubernetesJobLauncher {
  return {
    async run(ctx) {
      const connection = await opts.connect(ctx.env);
      if (connection === undefined) {
        throw new TaskError(
          ErrorCodes.TASK_FAILED,
          `${ctx.task.type} task has launch: kubernetes, but no cluster is configured; set ` +
            "KUBECONFIG (or write ~/.kube/config), or use launch: local",
        );
      }
      return launch(ctx, connection, opts);
    },
  };
}

async function launch(
  ctx: TaskContext,
  { api, namespace }: KubeConnection,
  opts: KubernetesLauncherOptions,
): Promise<TaskResult> {
  const name = resourceName([ctx.workflow, ctx.taskId, ctx.runId.slice(0, 8), `a${ctx.attempt}`]);
  let objects: KubeObject[];
  try {
    objects = taskManifests({
      workflow: ctx.workflow,
      taskId: ctx.taskId,
      task: ctx.task,
      params: ctx.params,
      name,
      namespace,
      labels: {
        "updraft.dev/run": labelValue(ctx.runId),
        "updraft.dev/attempt": String(ctx.attempt),
      },
      env: { UPDRAFT_RUN_ID: ctx.runId, UPDRAFT_ATTEMPT: String(ctx.attempt) },
      ...(opts.layout !== undefined ? { layout: opts.layout } : {}),
    });
  } catch (err) {
    if (err instanceof UpdraftError) throw new TaskError(ErrorCodes.TASK_FAILED, err.message);
    throw err;
  }
  const main = objects[objects.length - 1];
  if (main === undefined) throw new Error("no manifests");
  const created: KubeObject[] = [];
  const cleanup = async (): Promise<void> => {
    for (const o of [...created].reverse()) {
      await api.delete(refOf(o, namespace)).catch((err: unknown) => {
        ctx.log.write(
          `[updraft] could not delete ${o.kind} ${o.metadata.name}: ${describe(err)}\n`,
        );
      });
    }
  };
  try {
    for (const o of objects) {
      if (ctx.signal.aborted) throw abortReason(ctx.signal);
      await api.create(o).catch((err: unknown) => {
        throw new TaskError(
          ErrorCodes.TASK_FAILED,
          `could not create ${o.kind} ${o.metadata.name} in namespace ${namespace}: ${describe(err)}` +
            (o.kind === "ConfigMap" || o.kind === "Pod" ? "" : `; is its operator installed?`),
        );
      });
      created.push(o);
    }
    ctx.log.write(`[updraft] created ${main.kind} ${namespace}/${name}\n`);
    const state = await follow(ctx, api, refOf(main, namespace), opts.pollMs ?? 2000);
    const log = await api.podLog(namespace, chiefPod(main)).catch((err: unknown) => {
      ctx.log.write(`[updraft] could not read the log of ${main.kind} ${name}: ${describe(err)}\n`);
      return undefined;
    });
    const { text, outputs } = splitOutputs(log ?? "");
    if (text !== "") ctx.log.write(text.endsWith("\n") ? text : `${text}\n`);
    if (state.phase === "failed") {
      throw new TaskError(ErrorCodes.TASK_FAILED, `${main.kind} ${name} failed: ${state.reason}`);
    }
    const parsed = parseOutputs(outputs);
    checkDeclaredOutputs(ctx.task.outputs, parsed);
    return { outputs: parsed, exitCode: 0 };
  } finally {
    await cleanup();
  }
}

/** Reads the resource's status until it ends; rejects with the abort reason on cancel. */
async function follow(
  ctx: TaskContext,
  api: KubeApi,
  ref: ReturnType<typeof refOf>,
  pollMs: number,
): Promise<{ phase: "succeeded" } | { phase: "failed"; reason: string }> {
  for (;;) {
    if (ctx.signal.aborted) throw abortReason(ctx.signal);
    const current = await api.read(ref);
    if (current === undefined) {
      return { phase: "failed", reason: "it was deleted while the task was running" };
    }
    const state = jobState(current);
    if (state.phase !== "running") return state;
    await sleep(pollMs, ctx.signal);
  }
}

/** The log without the outputs block, and the outputs block's text. */
export function splitOutputs(log: string): { text: string; outputs: string } {
  const begin = log.lastIndexOf(`${OUTPUTS_BEGIN}\n`);
  if (begin < 0) return { text: log, outputs: "" };
  const end = log.indexOf(`\n${OUTPUTS_END}`, begin);
  if (end < 0) return { text: log, outputs: "" };
  return {
    text: log.slice(0, begin),
    outputs: log.slice(begin + OUTPUTS_BEGIN.length + 1, end),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function describe(err: unknown): string {
  const body = (err as { body?: unknown } | undefined)?.body;
  if (typeof body === "string" && body !== "") {
    try {
      const message = (JSON.parse(body) as { message?: unknown }).message;
      if (typeof message === "string") return message;
    } catch {
      return body.slice(0, 300);
    }
  }
  return err instanceof Error ? err.message : String(err);
}
