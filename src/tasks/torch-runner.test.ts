import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import type { Gpu } from "./jobs/gpus.js";
import { noGpus, outDirEnv, scriptDir as jobScriptDir } from "./jobs/test-jobs.js";
import {
  cleanupTestDirs,
  failureOf,
  isGone,
  makeTestContext,
  TEST_PYTHON,
} from "./test-context.js";
import { createTorchRunner } from "./torch-runner.js";

afterEach(cleanupTestDirs);

const runner = createTorchRunner({ python: TEST_PYTHON, killGraceMs: 200, gpus: noGpus });

function scriptDir(name: string, source: string): Promise<string> {
  return jobScriptDir("updraft-torch-", name, source);
}

/** Pids a replica wrote to `pids-<rank>` files (itself and a child it started). */
async function recordedPids(dir: string): Promise<number[]> {
  const files = (await readdir(dir)).filter((f) => f.startsWith("pids-"));
  const text = await Promise.all(files.map((f) => readFile(join(dir, f), "utf8")));
  return text.flatMap((t) => t.trim().split(/\s+/).map(Number));
}

const ALL_REDUCE = `
import json, os, torch, torch.distributed as dist
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
t = torch.tensor([float(rank + 1) * float(os.environ["UPDRAFT_PARAM_SCALE"])])
dist.all_reduce(t, op=dist.ReduceOp.SUM)
print(f"rank {rank}/{world} local {os.environ['LOCAL_RANK']} sum {t.item()}", flush=True)
with open(os.environ["UPDRAFT_OUTPUTS"], "a") as f:
    f.write(json.dumps({"total": t.item(), "world": world, "rank": rank,
                        "run_id": os.environ["TORCHELASTIC_RUN_ID"]}) + "\\n")
dist.destroy_process_group()
`;

describe("torch runner (local)", () => {
  it("runs a 2-process gloo job that all-reduces a tensor; rank 0 publishes the result", async () => {
    const dir = await scriptDir("train.py", ALL_REDUCE);
    const ctx = await makeTestContext(
      { type: "torch", script: "train.py", replicas: 2, outputs: ["total", "world"] },
      { baseDir: dir, params: { scale: 10 } },
    );
    const result = await runner.run(ctx);
    expect(result.outputs).toEqual({ total: 30, world: 2, rank: 0, run_id: "run-1-t1-1" });
    const log = ctx.log.text();
    expect(log).toContain("[rank0] rank 0/2 local 0 sum 30.0\n");
    expect(log).toContain("[rank1] rank 1/2 local 1 sum 30.0\n");
    const rank1 = await readFile(join(ctx.attemptDir, "replicas", "rank1.log"), "utf8");
    expect(rank1).toContain("rank 1/2 local 1 sum 30.0\n");
    // Rank 1's outputs go to its own file, not the task's.
    const rank1Outputs = await readFile(
      join(ctx.attemptDir, "replicas", "rank1.outputs.txt"),
      "utf8",
    );
    expect(JSON.parse(rank1Outputs)).toMatchObject({ rank: 1 });
  }, 120_000);

  it("gives each rank the torchrun variables", async () => {
    const dir = await scriptDir(
      "env.py",
      `import json, os
keys = ["MASTER_ADDR", "MASTER_PORT", "RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE",
        "GROUP_RANK", "GROUP_WORLD_SIZE", "ROLE_RANK", "ROLE_NAME", "ROLE_WORLD_SIZE",
        "TORCHELASTIC_RUN_ID", "TORCHELASTIC_RESTART_COUNT", "TORCHELASTIC_MAX_RESTARTS",
        "OMP_NUM_THREADS", "UPDRAFT_REPLICA"]
with open(os.path.join(os.environ["OUT_DIR"], "env-" + os.environ["RANK"] + ".json"), "w") as f:
    json.dump({k: os.environ.get(k) for k in keys}, f)
`,
    );
    const ctx = await makeTestContext(
      { type: "torch", script: "env.py", replicas: 3 },
      { baseDir: dir, env: outDirEnv(dir) },
    );
    await runner.run(ctx);
    const envs = await Promise.all(
      [0, 1, 2].map(
        async (r) =>
          JSON.parse(await readFile(join(dir, `env-${r}.json`), "utf8")) as Record<string, string>,
      ),
    );
    const port = envs[0]?.["MASTER_PORT"];
    expect(Number(port)).toBeGreaterThan(0);
    envs.forEach((env, r) =>
      expect(env).toEqual({
        MASTER_ADDR: "127.0.0.1",
        MASTER_PORT: port,
        RANK: String(r),
        LOCAL_RANK: String(r),
        WORLD_SIZE: "3",
        LOCAL_WORLD_SIZE: "3",
        GROUP_RANK: "0",
        GROUP_WORLD_SIZE: "1",
        ROLE_RANK: String(r),
        ROLE_NAME: "default",
        ROLE_WORLD_SIZE: "3",
        TORCHELASTIC_RUN_ID: "run-1-t1-1",
        TORCHELASTIC_RESTART_COUNT: "0",
        TORCHELASTIC_MAX_RESTARTS: "0",
        OMP_NUM_THREADS: "1",
        UPDRAFT_REPLICA: `rank${r}`,
      }),
    );
  }, 60_000);

  it("splits the GPUs nvidia-smi lists between the ranks", async () => {
    const gpus: Gpu[] = [0, 1, 2, 3].map((index) => ({ index, name: "NVIDIA A100" }));
    const withGpus = createTorchRunner({
      python: TEST_PYTHON,
      gpus: { list: () => Promise.resolve(gpus) },
    });
    const dir = await scriptDir(
      "cuda.py",
      `import os
open(os.path.join(os.environ["OUT_DIR"], "cuda-" + os.environ["RANK"]), "w").write(os.environ["CUDA_VISIBLE_DEVICES"])
`,
    );
    const ctx = await makeTestContext(
      { type: "torch", script: "cuda.py", replicas: 2 },
      { baseDir: dir, env: outDirEnv(dir) },
    );
    await withGpus.run(ctx);
    expect(await readFile(join(dir, "cuda-0"), "utf8")).toBe("0,1");
    expect(await readFile(join(dir, "cuda-1"), "utf8")).toBe("2,3");
  }, 60_000);

  it("fails when one replica fails, stops the others and leaves no process behind", async () => {
    const dir = await scriptDir(
      "fail.py",
      `import os, subprocess, sys, time
child = subprocess.Popen(["sleep", "600"])
with open(os.path.join(os.environ["OUT_DIR"], "pids-" + os.environ["RANK"]), "w") as f:
    f.write(f"{os.getpid()} {child.pid}\\n")
if os.environ["RANK"] == "1":
    while len([n for n in os.listdir(os.environ["OUT_DIR"]) if n.startswith("pids-")]) < 3:
        time.sleep(0.01)
    print("rank 1 gives up", flush=True)
    sys.exit(3)
time.sleep(600)
`,
    );
    const ctx = await makeTestContext(
      { type: "torch", script: "fail.py", replicas: 3 },
      { baseDir: dir, env: outDirEnv(dir) },
    );
    const err = await failureOf(runner.run(ctx));
    expect(err.code).toBe(ErrorCodes.TASK_FAILED);
    expect(err.message).toBe(
      "torch job: replica rank1 exited with code 3; the other replicas were stopped; " +
        "see replicas/rank1.log",
    );
    expect(ctx.log.text()).toContain("[rank1] rank 1 gives up\n");
    const pids = await recordedPids(dir);
    expect(pids).toHaveLength(6);
    for (const pid of pids) expect(isGone(pid)).toBe(true);
  }, 60_000);

  it("cancel stops every replica and their children", async () => {
    const dir = await scriptDir(
      "sleep.py",
      `import os, subprocess, time
child = subprocess.Popen(["sleep", "600"])
with open(os.path.join(os.environ["OUT_DIR"], "pids-" + os.environ["RANK"]), "w") as f:
    f.write(f"{os.getpid()} {child.pid}\\n")
time.sleep(600)
`,
    );
    const ctx = await makeTestContext(
      { type: "torch", script: "sleep.py", replicas: 2 },
      { baseDir: dir, env: outDirEnv(dir) },
    );
    const running = runner.run(ctx);
    let pids: number[] = [];
    const poll = async (): Promise<void> => {
      while ((pids = await recordedPids(dir)).length < 4)
        await new Promise((r) => setTimeout(r, 20));
    };
    await poll();
    ctx.controller.abort(new TaskError(ErrorCodes.CANCELLED, "run was cancelled"));
    const err = await failureOf(running);
    expect(err.code).toBe(ErrorCodes.CANCELLED);
    for (const pid of pids) expect(isGone(pid)).toBe(true);
    expect(ctx.pids).toHaveLength(1);
  }, 60_000);

  it("says which script is missing", async () => {
    const ctx = await makeTestContext({ type: "torch", script: "nope.py", replicas: 2 });
    const err = await failureOf(runner.run(ctx));
    expect(err.message).toMatch(/^torch script nope.py not found \(looked for .*nope.py\)/);
  });

  it("refuses more local replicas than the limit", async () => {
    const dir = await scriptDir("x.py", "");
    const ctx = await makeTestContext(
      { type: "torch", script: "x.py", replicas: 100000 },
      { baseDir: dir },
    );
    const err = await failureOf(runner.run(ctx));
    expect(err.message).toContain("asks for 100000 replicas; a local job runs 1 to 256");
  });

  it("explains that launch: kubernetes needs cluster access", async () => {
    const ctx = await makeTestContext({ type: "torch", script: "x.py", launch: "kubernetes" });
    const err = await failureOf(runner.run(ctx));
    expect(err.message).toContain("has launch: kubernetes, but this Updraft has no Kubernetes");
  });
});
