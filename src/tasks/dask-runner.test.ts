import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import { createDaskRunner } from "./dask-runner.js";
import { daskWorkerArgv, threadCount } from "./jobs/dask-cluster.js";
import { noGpus, outDirEnv, scriptDir } from "./jobs/test-jobs.js";
import {
  cleanupTestDirs,
  failureOf,
  isGone,
  makeTestContext,
  TEST_PYTHON,
} from "./test-context.js";

afterEach(cleanupTestDirs);

const runner = createDaskRunner({ python: TEST_PYTHON, killGraceMs: 500, gpus: noGpus });

const COMPUTE = `
import json, os
from distributed import Client
client = Client()  # DASK_SCHEDULER_ADDRESS
workers = client.scheduler_info()["workers"]
pids = client.run(os.getpid)
futures = client.map(lambda x: x * x, range(int(os.environ["UPDRAFT_PARAM_N"])))
total = client.submit(sum, futures).result()
print("sum of squares", total, "on", len(workers), "workers", flush=True)
with open(os.environ["UPDRAFT_OUTPUTS"], "a") as f:
    f.write(json.dumps({"total": total, "workers": len(workers)}) + "\\n")
with open(os.path.join(os.environ["OUT_DIR"], "worker-pids"), "w") as f:
    f.write(" ".join(str(p) for p in pids.values()))
client.close()
`;

describe("dask cluster command lines", () => {
  it("maps resources to worker threads and memory; GPUs to dask-cuda-worker", () => {
    const cpu = daskWorkerArgv({
      python: "/usr/bin/python3",
      address: "tcp://127.0.0.1:1",
      name: "worker-0",
      localDirectory: "/tmp/w",
      resources: { cpu: 4, memory: "2Gi" },
    });
    expect(cpu.command).toBe("/usr/bin/python3");
    expect(cpu.args).toEqual([
      "-m",
      "distributed.cli.dask_worker",
      "tcp://127.0.0.1:1",
      "--name",
      "worker-0",
      "--no-dashboard",
      "--local-directory",
      "/tmp/w",
      "--memory-limit",
      "2Gi",
      "--nthreads",
      "4",
      "--nworkers",
      "1",
      "--no-nanny",
    ]);
    const gpu = daskWorkerArgv({
      python: "p",
      address: "tcp://127.0.0.1:1",
      name: "worker-1",
      localDirectory: "/tmp/w",
      resources: { gpu: 1 },
    });
    expect(gpu.command).toBe("dask-cuda-worker");
    expect(gpu.args.slice(0, 3)).toEqual(["tcp://127.0.0.1:1", "--name", "worker-1"]);
    expect([threadCount("500m"), threadCount("2500m"), threadCount("x"), threadCount(3)]).toEqual([
      1, 2, 1, 3,
    ]);
  });
});

describe("dask runner (local)", () => {
  it("starts a scheduler and 2 workers, runs the client script, publishes its value", async () => {
    const dir = await scriptDir("updraft-dask-", "compute.py", COMPUTE);
    const ctx = await makeTestContext(
      { type: "dask", script: "compute.py", replicas: 2, outputs: ["total"] },
      {
        baseDir: dir,
        params: { n: 10 },
        env: outDirEnv(dir),
      },
    );
    const result = await runner.run(ctx);
    expect(result.outputs).toEqual({ total: 285, workers: 2 });
    expect(ctx.log.text()).toContain("[client] sum of squares 285 on 2 workers\n");
    const workerPids = (await readFile(join(dir, "worker-pids"), "utf8")).split(" ").map(Number);
    expect(workerPids).toHaveLength(2);
    // The cluster was torn down after the script.
    for (const pid of workerPids) expect(isGone(pid)).toBe(true);
    const schedulerLog = await readFile(join(ctx.attemptDir, "replicas", "scheduler.log"), "utf8");
    expect(schedulerLog).toContain("Scheduler at:");
  }, 120_000);

  it("fails with the client script's exit code and tears the cluster down", async () => {
    const dir = await scriptDir(
      "updraft-dask-",
      "fail.py",
      `import os, sys
from distributed import Client
c = Client()
with open(os.path.join(os.environ["OUT_DIR"], "worker-pids"), "w") as f:
    f.write(" ".join(str(p) for p in c.run(os.getpid).values()))
sys.exit(4)
`,
    );
    const ctx = await makeTestContext(
      { type: "dask", script: "fail.py", replicas: 1 },
      { baseDir: dir, env: outDirEnv(dir) },
    );
    const err = await failureOf(runner.run(ctx));
    expect(err.code).toBe(ErrorCodes.TASK_FAILED);
    expect(err.message).toContain("dask job: replica client exited with code 4");
    const workerPids = (await readFile(join(dir, "worker-pids"), "utf8")).split(" ").map(Number);
    for (const pid of workerPids) expect(isGone(pid)).toBe(true);
  }, 120_000);

  it("cancel stops the client, the workers and the scheduler", async () => {
    const dir = await scriptDir(
      "updraft-dask-",
      "hang.py",
      `import os, time
from distributed import Client
c = Client()
pids = list(c.run(os.getpid).values()) + [c.run_on_scheduler(os.getpid), os.getpid()]
with open(os.path.join(os.environ["OUT_DIR"], "all-pids.tmp"), "w") as f:
    f.write(" ".join(str(p) for p in pids))
os.rename(os.path.join(os.environ["OUT_DIR"], "all-pids.tmp"), os.path.join(os.environ["OUT_DIR"], "all-pids"))
time.sleep(600)
`,
    );
    const ctx = await makeTestContext(
      { type: "dask", script: "hang.py", replicas: 2 },
      { baseDir: dir, env: outDirEnv(dir) },
    );
    const running = runner.run(ctx);
    let text: string | undefined;
    while (
      (text = await readFile(join(dir, "all-pids"), "utf8").catch(() => undefined)) === undefined
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    ctx.controller.abort(new TaskError(ErrorCodes.CANCELLED, "run was cancelled"));
    const err = await failureOf(running);
    expect(err.code).toBe(ErrorCodes.CANCELLED);
    const pids = text.split(" ").map(Number);
    expect(pids).toHaveLength(4);
    for (const pid of pids) expect(isGone(pid)).toBe(true);
  }, 120_000);

  it("says dask-cuda is needed for GPU workers", async () => {
    const dir = await scriptDir("updraft-dask-", "x.py", "");
    const ctx = await makeTestContext(
      { type: "dask", script: "x.py", replicas: 1, resources: { gpu: 1 } },
      { baseDir: dir },
    );
    const err = await failureOf(runner.run(ctx));
    expect(err.message).toContain(
      "dask-cuda-worker not found: GPU workers (resources.gpu) need dask-cuda",
    );
  }, 120_000);
});
