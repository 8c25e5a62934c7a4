import { afterEach, describe, expect, it } from "vitest";
import { ErrorCodes, TaskError } from "../../spec/errors.js";
import { cleanupTestDirs, makeTestContext, type TestTask } from "../test-context.js";
import { createTorchRunner } from "../torch-runner.js";
import type { KubeApi, KubeRef, PodQuery } from "./kube-api.js";
import { createKubernetesLauncher, splitOutputs } from "./kube-launcher.js";
import { ManifestValidator } from "./manifest-schemas.js";
import { OUTPUTS_BEGIN, OUTPUTS_END, type KubeObject } from "./pod-template.js";

afterEach(cleanupTestDirs);

const validator = new ManifestValidator();

/**
 * There is no cluster here: this API records the calls, checks every object against the
 * resource schemas as the API server would, and plays the operator by giving the main
 * resource the status `finalStatus` after `readsUntilDone` reads.
 */
class RecordingApi implements KubeApi {
  readonly calls: string[] = [];
  readonly objects = new Map<string, KubeObject>();
  reads = 0;
  constructor(
    private readonly finalStatus: unknown,
    private readonly log: string,
    private readonly readsUntilDone = 2,
    private readonly failCreateOf?: string,
  ) {}
  private key(r: { kind: string; name: string }): string {
    return `${r.kind}/${r.name}`;
  }
  create(o: KubeObject): Promise<void> {
    this.calls.push(`create ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
    const problems = validator.check(o);
    if (problems.length > 0) return Promise.reject(new Error(`invalid: ${problems.join("; ")}`));
    if (o.kind === this.failCreateOf) {
      return Promise.reject(new Error(`the server could not find the requested resource`));
    }
    this.objects.set(this.key({ kind: o.kind, name: o.metadata.name }), structuredClone(o));
    return Promise.resolve();
  }
  read(ref: KubeRef): Promise<KubeObject | undefined> {
    this.calls.push(`read ${ref.kind} ${ref.namespace}/${ref.name}`);
    const o = this.objects.get(this.key(ref));
    if (o !== undefined && ++this.reads >= this.readsUntilDone) {
      return Promise.resolve({ ...o, status: this.finalStatus } as KubeObject);
    }
    return Promise.resolve(o);
  }
  delete(ref: KubeRef): Promise<void> {
    this.calls.push(`delete ${ref.kind} ${ref.namespace}/${ref.name}`);
    this.objects.delete(this.key(ref));
    return Promise.resolve();
  }
  podLog(namespace: string, query: PodQuery): Promise<string | undefined> {
    this.calls.push(`log ${namespace} ${"name" in query ? query.name : query.labelSelector}`);
    return Promise.resolve(this.log);
  }
}

const SUCCEEDED = {
  conditions: [
    { type: "Running", status: "False" },
    { type: "Succeeded", status: "True" },
  ],
};
const TORCH: TestTask = {
  type: "torch",
  script: "train.py",
  replicas: 2,
  launch: "kubernetes",
  image: "ml:1",
  outputs: ["loss"],
};

function runnerWith(api: KubeApi | undefined) {
  const launcher = createKubernetesLauncher({
    connect: () => Promise.resolve(api === undefined ? undefined : { api, namespace: "ml" }),
    pollMs: 1,
  });
  return createTorchRunner({
    python: "/usr/bin/python3",
    gpus: { list: () => Promise.resolve([]) },
    kubernetes: launcher,
  });
}

describe("Kubernetes launcher", () => {
  it("creates the ConfigMap and PyTorchJob, follows it, reads outputs from rank 0's log, cleans up", async () => {
    const log = `epoch 1\nepoch 2\n${OUTPUTS_BEGIN}\nloss=0.25\n\n${OUTPUTS_END}\n`;
    const api = new RecordingApi(SUCCEEDED, log);
    const ctx = await makeTestContext(TORCH, { params: { lr: 0.1 } });
    const result = await runnerWith(api).run(ctx);
    expect(result.outputs).toEqual({ loss: 0.25 });
    const name = "wf-t1-run-1-a1";
    expect(api.calls).toEqual([
      `create ConfigMap ml/${name}-params`,
      `create PyTorchJob ml/${name}`,
      `read PyTorchJob ml/${name}`,
      `read PyTorchJob ml/${name}`,
      `log ml training.kubeflow.org/job-name=${name},training.kubeflow.org/replica-type=master,training.kubeflow.org/replica-index=0`,
      `delete PyTorchJob ml/${name}`,
      `delete ConfigMap ml/${name}-params`,
    ]);
    expect(ctx.log.text()).toContain(`[updraft] created PyTorchJob ml/${name}\nepoch 1\nepoch 2\n`);
    expect(ctx.log.text()).not.toContain(OUTPUTS_BEGIN);
    expect(api.objects.size).toBe(0);
  });

  it("fails with the operator's message when the job fails, and cleans up", async () => {
    const failed = {
      conditions: [{ type: "Failed", status: "True", message: "worker 1 OOMKilled" }],
    };
    const api = new RecordingApi(failed, "boom\n");
    const ctx = await makeTestContext(TORCH);
    const err = await runnerWith(api)
      .run(ctx)
      .then(
        () => undefined,
        (e: unknown) => e as TaskError,
      );
    expect(err).toBeInstanceOf(TaskError);
    expect(err?.message).toBe("PyTorchJob wf-t1-run-1-a1 failed: worker 1 OOMKilled");
    expect(ctx.log.text()).toContain("boom\n");
    expect(api.objects.size).toBe(0);
  });

  it("fails when a declared output is missing from the log", async () => {
    const api = new RecordingApi(SUCCEEDED, "no outputs printed\n");
    const ctx = await makeTestContext(TORCH);
    const err = await runnerWith(api)
      .run(ctx)
      .then(
        () => undefined,
        (e: unknown) => e as TaskError,
      );
    expect(err?.message).toContain("task did not publish output `loss`");
  });

  it("deletes everything on cancel", async () => {
    const api = new RecordingApi(SUCCEEDED, "", Number.POSITIVE_INFINITY);
    const ctx = await makeTestContext(TORCH);
    const running = runnerWith(api).run(ctx);
    while (api.reads < 3) await new Promise((r) => setTimeout(r, 1));
    ctx.controller.abort(new TaskError(ErrorCodes.CANCELLED, "run was cancelled"));
    const err = await running.then(
      () => undefined,
      (e: unknown) => e as TaskError,
    );
    expect(err?.code).toBe(ErrorCodes.CANCELLED);
    expect(api.objects.size).toBe(0);
    expect(api.calls.filter((c) => c.startsWith("delete"))).toHaveLength(2);
  });

  it("says when the operator's resource kind is missing, removing what it created", async () => {
    const api = new RecordingApi(SUCCEEDED, "", 1, "PyTorchJob");
    const ctx = await makeTestContext(TORCH);
    const err = await runnerWith(api)
      .run(ctx)
      .then(
        () => undefined,
        (e: unknown) => e as TaskError,
      );
    expect(err?.message).toBe(
      "could not create PyTorchJob wf-t1-run-1-a1 in namespace ml: the server could not find " +
        "the requested resource; is its operator installed?",
    );
    expect(api.objects.size).toBe(0);
  });

  it("says when there is no cluster configured", async () => {
    const ctx = await makeTestContext(TORCH);
    const err = await runnerWith(undefined)
      .run(ctx)
      .then(
        () => undefined,
        (e: unknown) => e as TaskError,
      );
    expect(err?.message).toContain("no cluster is configured; set KUBECONFIG");
  });

  it("splits the outputs block off a log, even a hostile one", () => {
    expect(splitOutputs("a\n")).toEqual({ text: "a\n", outputs: "" });
    expect(splitOutputs(`x\n${OUTPUTS_BEGIN}\nk=1\n${OUTPUTS_END}\n`)).toEqual({
      text: "x\n",
      outputs: "k=1",
    });
    // An unterminated block is log text; only the last block counts.
    expect(splitOutputs(`${OUTPUTS_BEGIN}\nk=1\n`).outputs).toBe("");
    const two = `${OUTPUTS_BEGIN}\nk=1\n${OUTPUTS_END}\n${OUTPUTS_BEGIN}\nk=2\n${OUTPUTS_END}\n`;
    expect(splitOutputs(two).outputs).toBe("k=2");
  });
});
