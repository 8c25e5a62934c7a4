import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCodes } from "../spec/errors.js";
import { tfCluster, tfConfig } from "./jobs/tensorflow-config.js";
import { noGpus, outDirEnv, scriptDir } from "./jobs/test-jobs.js";
import { createTensorflowRunner } from "./tensorflow-runner.js";
import {
  cleanupTestDirs,
  failureOf,
  isGone,
  makeTestContext,
  TEST_PYTHON,
} from "./test-context.js";

afterEach(cleanupTestDirs);

const runner = createTensorflowRunner({ python: TEST_PYTHON, killGraceMs: 200, gpus: noGpus });

// TensorFlow is not installable here (no Debian package, no PyPI): the replicas are plain
// Python scripts that do what a tf.distribute cluster resolver does with TF_CONFIG.
const RECORD = `
import json, os, socket, sys, time
conf = json.loads(os.environ["TF_CONFIG"])
me = conf["task"]
name = me["type"] + "-" + str(me["index"])
out = os.environ["OUT_DIR"]
host, port = conf["cluster"][me["type"]][me["index"]].rsplit(":", 1)
server = socket.socket()
server.bind((host, int(port)))  # the address TF_CONFIG gives this replica is free for it
with open(os.path.join(out, "tf-" + name + ".json"), "w") as f:
    json.dump({"config": conf, "replica": os.environ["UPDRAFT_REPLICA"], "pid": os.getpid()}, f)
server.listen()  # peers reach this replica only once it has recorded what it saw
if me["type"] == "ps":
    time.sleep(600)  # a parameter server serves until the job is over
# Like a TF worker, reach every other replica of the cluster before training, then wait
# until every chief/worker has reached this one (so no one leaves while a peer still dials).
for addresses in conf["cluster"].values():
    for address in addresses:
        h, p = address.rsplit(":", 1)
        while True:
            try:
                socket.create_connection((h, int(p)), timeout=5).close()
                break
            except OSError:
                time.sleep(0.05)
for _ in range(len(conf["cluster"]["chief"]) + len(conf["cluster"].get("worker", []))):
    server.accept()[0].close()
if me["type"] == "chief":
    with open(os.environ["UPDRAFT_OUTPUTS"], "a") as f:
        f.write("workers=%d\\n" % len(conf["cluster"].get("worker", [])))
`;

describe("TF_CONFIG", () => {
  it("maps replicas to a chief and workers, with ps on top", () => {
    const cluster = tfCluster(3, 1, ["h:1", "h:2", "h:3", "h:4"]);
    expect(tfConfig(cluster, cluster[2]!)).toEqual({
      cluster: { chief: ["h:1"], worker: ["h:2", "h:3"], ps: ["h:4"] },
      task: { type: "worker", index: 1 },
    });
    const alone = tfCluster(1, 0, ["h:9"]);
    expect(tfConfig(alone, alone[0]!)).toEqual({
      cluster: { chief: ["h:9"] },
      task: { type: "chief", index: 0 },
    });
  });
});

describe("tensorflow runner (local)", () => {
  it("gives the chief, workers and parameter servers each a correct TF_CONFIG", async () => {
    const dir = await scriptDir("updraft-tf-", "train.py", RECORD);
    const ctx = await makeTestContext(
      { type: "tensorflow", script: "train.py", replicas: 3, ps: 2, outputs: ["workers"] },
      { baseDir: dir, env: outDirEnv(dir) },
    );
    const result = await runner.run(ctx);
    expect(result.outputs).toEqual({ workers: 2 });
    const files = (await readdir(dir)).filter((f) => f.startsWith("tf-")).sort();
    expect(files).toEqual([
      "tf-chief-0.json",
      "tf-ps-0.json",
      "tf-ps-1.json",
      "tf-worker-0.json",
      "tf-worker-1.json",
    ]);
    const seen = await Promise.all(
      files.map(
        async (f) =>
          JSON.parse(await readFile(join(dir, f), "utf8")) as {
            config: { cluster: Record<string, string[]>; task: { type: string; index: number } };
            replica: string;
            pid: number;
          },
      ),
    );
    const cluster = seen[0]!.config.cluster;
    expect(Object.keys(cluster).sort()).toEqual(["chief", "ps", "worker"]);
    expect(cluster["chief"]).toHaveLength(1);
    expect(cluster["worker"]).toHaveLength(2);
    expect(cluster["ps"]).toHaveLength(2);
    const addresses = Object.values(cluster).flat();
    expect(new Set(addresses).size).toBe(5);
    for (const a of addresses) expect(a).toMatch(/^127\.0\.0\.1:\d+$/);
    for (const s of seen) {
      expect(s.config.cluster).toEqual(cluster);
      const { type, index } = s.config.task;
      expect(s.replica).toBe(type === "chief" ? "chief" : `${type}-${index}`);
      // The parameter servers were stopped when the chief and workers were done.
      expect(isGone(s.pid)).toBe(true);
    }
    expect(ctx.log.text()).not.toContain("Traceback");
  }, 60_000);

  it("fails when a parameter server dies while the job runs", async () => {
    const dir = await scriptDir(
      "updraft-tf-",
      "train.py",
      `import json, os, sys, time
me = json.loads(os.environ["TF_CONFIG"])["task"]
if me["type"] == "ps":
    sys.exit(5)
time.sleep(600)
`,
    );
    const ctx = await makeTestContext(
      { type: "tensorflow", script: "train.py", replicas: 2, ps: 1 },
      { baseDir: dir },
    );
    const err = await failureOf(runner.run(ctx));
    expect(err.code).toBe(ErrorCodes.TASK_FAILED);
    expect(err.message).toBe(
      "tensorflow job: ps-0 exited with code 5 while the job was still running; see replicas/ps-0.log",
    );
  }, 60_000);
});
