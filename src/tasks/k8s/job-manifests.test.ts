import { describe, expect, it } from "vitest";
import { parseWorkflowText } from "../../spec/parse.js";
import { effectiveTask } from "../../spec/effective-task.js";
import type { JsonObject, Task } from "../../spec/types.js";
import { taskManifests } from "./job-manifests.js";
import { ManifestValidator } from "./manifest-schemas.js";
import { CONTAINER_OUTPUTS, resourceName, withOutputs, type KubeObject } from "./pod-template.js";

const validator = new ManifestValidator();

const WORKFLOW = `
name: train-all
params:
  lr: { type: number, default: 0.1 }
defaults:
  image: registry.example/ml:1.0
tasks:
  torch_train:
    type: torch
    script: train.py
    args: [--epochs, 3]
    replicas: 4
    launch: kubernetes
    timeout: 1h
    env: { NCCL_DEBUG: INFO }
    resources: { cpu: 4, memory: 16Gi, gpu: 2 }
  tf_train:
    type: tensorflow
    script: tf.py
    replicas: 3
    ps: 2
    launch: kubernetes
  crunch:
    type: dask
    script: crunch.py
    replicas: 5
    launch: kubernetes
    resources: { cpu: "2", memory: 8Gi, gpu: 1 }
  etl:
    type: spark
    application: jobs/etl.py
    args: [--day, "2024-01-01"]
    conf: { spark.sql.shuffle.partitions: "64", spark.master: "k8s://x" }
    executors: 6
    launch: kubernetes
    resources: { cpu: 2, memory: 4Gi, gpu: 1 }
  jar:
    type: spark
    application: s3a://bucket/app.jar
    launch: kubernetes
  prep:
    type: python
    code: print("hi")
  sh:
    type: shell
    command: [echo, hi]
`;

const wf = parseWorkflowText(WORKFLOW);

function manifestsOf(id: string, params: JsonObject = { lr: 0.1 }): KubeObject[] {
  const task: Task = effectiveTask(wf, id);
  return taskManifests({
    workflow: wf.name,
    taskId: id,
    task,
    params,
    name: resourceName([wf.name, id]),
    namespace: "ml",
  });
}

function expectValid(objects: KubeObject[]): void {
  for (const o of objects) expect(validator.check(o), `${o.kind} ${o.metadata.name}`).toEqual([]);
}

const at = (o: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], o);

describe("Kubernetes manifests", () => {
  it("builds a PyTorchJob with a Master and Workers, GPUs and the task contract", () => {
    const [cm, job] = manifestsOf("torch_train");
    expectValid([cm!, job!]);
    expect(cm).toMatchObject({
      kind: "ConfigMap",
      metadata: { name: "train-all-torch-train-params", namespace: "ml" },
      data: { "params.json": '{\n  "lr": 0.1\n}\n' },
    });
    expect(at(job, "spec", "pytorchReplicaSpecs", "Master", "replicas")).toBe(1);
    expect(at(job, "spec", "pytorchReplicaSpecs", "Worker", "replicas")).toBe(3);
    expect(at(job, "spec", "runPolicy")).toEqual({
      backoffLimit: 0,
      cleanPodPolicy: "Running",
      activeDeadlineSeconds: 3600,
    });
    const container = at(
      job,
      "spec",
      "pytorchReplicaSpecs",
      "Worker",
      "template",
      "spec",
      "containers",
      0,
    );
    expect(container).toMatchObject({
      name: "pytorch",
      image: "registry.example/ml:1.0",
      workingDir: "/workspace",
      command: withOutputs(["python3", "-u", "train.py", "--epochs", "3"]),
      resources: {
        requests: { cpu: "4", memory: "16Gi" },
        limits: { cpu: "4", memory: "16Gi", "nvidia.com/gpu": 2 },
      },
    });
    expect(at(container, "env")).toEqual(
      expect.arrayContaining([
        { name: "NCCL_DEBUG", value: "INFO" },
        { name: "UPDRAFT_PARAM_LR", value: "0.1" },
        { name: "UPDRAFT_PARAMS", value: "/var/run/updraft/params.json" },
        { name: "UPDRAFT_OUTPUTS", value: CONTAINER_OUTPUTS },
      ]),
    );
  });

  it("builds a TFJob with Chief, Workers and PS", () => {
    const [, job] = manifestsOf("tf_train");
    expectValid([job!]);
    const specs = at(job, "spec", "tfReplicaSpecs") as Record<string, { replicas: number }>;
    expect(Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, v.replicas]))).toEqual({
      Chief: 1,
      Worker: 2,
      PS: 2,
    });
    expect(at(specs, "PS", "template", "spec", "containers", 0, "name")).toBe("tensorflow");
  });

  it("builds a DaskJob with dask-cuda workers when the task asks for GPUs", () => {
    const [, job] = manifestsOf("crunch");
    expectValid([job!]);
    expect(at(job, "spec", "cluster", "spec", "worker", "replicas")).toBe(5);
    const worker = at(job, "spec", "cluster", "spec", "worker", "spec", "containers", 0);
    expect(at(worker, "args")).toEqual([
      "dask-cuda-worker",
      "--name",
      "$(DASK_WORKER_NAME)",
      "--nthreads",
      "2",
      "--dashboard",
      "--dashboard-address",
      "8788",
      "--memory-limit",
      "8Gi",
    ]);
    expect(at(worker, "resources", "limits", "nvidia.com/gpu")).toBe(1);
    expect(at(job, "spec", "cluster", "spec", "scheduler", "service", "selector")).toEqual({
      "dask.org/cluster-name": "train-all-crunch",
      "dask.org/component": "scheduler",
    });
    expect(at(job, "spec", "job", "spec", "containers", 0, "command")).toEqual(
      withOutputs(["python3", "-u", "crunch.py"]),
    );
  });

  it("builds SparkApplications for Python files and jar URLs", () => {
    const [, app] = manifestsOf("etl");
    expectValid([app!]);
    expect(at(app, "spec")).toMatchObject({
      type: "Python",
      mode: "cluster",
      sparkVersion: "3.5.0",
      pythonVersion: "3",
      mainApplicationFile: "local:///workspace/jobs/etl.py",
      arguments: ["--day", "2024-01-01"],
      sparkConf: { "spark.sql.shuffle.partitions": "64" },
      restartPolicy: { type: "Never" },
      driver: { cores: 2, memory: "4g", serviceAccount: "spark" },
      executor: {
        cores: 2,
        memory: "4g",
        instances: 6,
        gpu: { name: "nvidia.com/gpu", quantity: 1 },
      },
    });
    const [, jar] = manifestsOf("jar");
    expectValid([jar!]);
    expect(at(jar, "spec", "type")).toBe("Java");
    expect(at(jar, "spec", "mainApplicationFile")).toBe("s3a://bucket/app.jar");
    expect(at(jar, "spec", "executor", "instances")).toBe(1);
  });

  it("builds plain pods for python and shell tasks", () => {
    const [, py] = manifestsOf("prep");
    const [, sh] = manifestsOf("sh");
    expectValid([py!, sh!]);
    expect(at(py, "spec", "containers", 0, "command")).toEqual(
      withOutputs(["python3", "-u", "-c", 'print("hi")']),
    );
    expect(at(sh, "spec", "restartPolicy")).toBe("Never");
  });

  it("keeps hostile param values as data and names valid", () => {
    const objects = manifestsOf("torch_train", {
      lr: "$(rm -rf /)\n'; --",
      "a-b": [1, { x: null }],
    });
    expectValid(objects);
    const env = at(
      objects[1],
      "spec",
      "pytorchReplicaSpecs",
      "Master",
      "template",
      "spec",
      "containers",
      0,
      "env",
    );
    expect(env).toEqual(
      expect.arrayContaining([
        { name: "UPDRAFT_PARAM_LR", value: "$(rm -rf /)\n'; --" },
        { name: "UPDRAFT_PARAM_A_B", value: '[1,{"x":null}]' },
      ]),
    );
    const long = resourceName(["W".repeat(80), "Task_With_Underscores"]);
    expect(long.length).toBeLessThanOrEqual(45);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(resourceName(["a".repeat(80), "x"])).not.toBe(resourceName(["a".repeat(80), "y"]));
    expect(resourceName(["9lives", "__"])).toBe("t-9lives");
  });

  it("refuses tasks without an image and types without a Kubernetes form", () => {
    const task = { ...effectiveTask(wf, "torch_train"), image: undefined } as Task;
    expect(() =>
      taskManifests({ workflow: "w", taskId: "t", task, params: {}, name: "w-t" }),
    ).toThrow("task t has no image");
    const cond = {
      type: "condition",
      image: "x",
      needs: [],
      params: {},
      outputs: [],
    } as unknown as Task;
    expect(() =>
      taskManifests({ workflow: "w", taskId: "c", task: cond, params: {}, name: "w-c" }),
    ).toThrow("has no Kubernetes form");
  });
});

describe("manifest schemas", () => {
  it("reject manifests the operators would refuse", () => {
    const [, job] = manifestsOf("torch_train");
    const broken = structuredClone(job) as unknown as Record<string, unknown>;
    const master = at(broken, "spec", "pytorchReplicaSpecs", "Master") as Record<string, unknown>;
    (at(master, "template", "spec", "containers", 0) as Record<string, unknown>)["name"] =
      "trainer";
    expect(validator.check(broken).length).toBeGreaterThan(0);
    const noSpecs = { ...job, spec: { runPolicy: {} } };
    expect(validator.check(noSpecs).join("\n")).toContain("pytorchReplicaSpecs");
    const [, app] = manifestsOf("etl");
    const badApp = structuredClone(app) as unknown as { spec: Record<string, unknown> };
    badApp.spec["type"] = "Go";
    delete badApp.spec["sparkVersion"];
    const problems = validator.check(badApp).join("\n");
    expect(problems).toContain("sparkVersion");
    expect(problems).toContain("/spec/type");
    const [cm] = manifestsOf("prep");
    expect(validator.check({ ...cm, metadata: { name: "Bad_Name" } }).length).toBeGreaterThan(0);
    expect(validator.check({ apiVersion: "v9", kind: "Nope", metadata: { name: "x" } })).toEqual([
      "no schema for v9/Nope",
    ]);
    const [, pod] = manifestsOf("prep");
    const badQty = structuredClone(pod) as unknown as Record<string, unknown>;
    (at(badQty, "spec", "containers", 0) as Record<string, unknown>)["resources"] = {
      limits: { cpu: "lots" },
    };
    expect(validator.check(badQty).length).toBeGreaterThan(0);
  });
});
