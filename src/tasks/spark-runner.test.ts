import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCodes } from "../spec/errors.js";
import { jvmMemory, localMaster, sparkSubmitArgs } from "./jobs/spark-submit.js";
import { createSparkRunner, SPARK_NOT_FOUND, sparkSubmitCommand } from "./spark-runner.js";
import {
  cleanupTestDirs,
  failureOf,
  makeTempDir,
  makeTestContext,
  TEST_PYTHON,
} from "./test-context.js";

afterEach(cleanupTestDirs);

describe("spark-submit command line", () => {
  const base = { application: "/w/app.py", args: ["--day", "2024-01-01"], name: "wf.t" };

  it("uses a local master sized from executors and cpu when there is no cluster", () => {
    expect(sparkSubmitArgs({ ...base, conf: {} })).toEqual([
      "--master",
      "local[*]",
      "--name",
      "wf.t",
      "/w/app.py",
      "--day",
      "2024-01-01",
    ]);
    expect(
      sparkSubmitArgs({
        ...base,
        conf: { "spark.sql.shuffle.partitions": "8" },
        executors: 2,
        resources: { cpu: 2, memory: "2Gi" },
      }),
    ).toEqual([
      "--master",
      "local[4]",
      "--name",
      "wf.t",
      "--driver-memory",
      "2g",
      "--conf",
      "spark.sql.shuffle.partitions=8",
      "/w/app.py",
      "--day",
      "2024-01-01",
    ]);
    expect([localMaster(3, undefined), localMaster(undefined, "1500m")]).toEqual([
      "local[3]",
      "local[1]",
    ]);
  });

  it("passes executors, cores, memory and GPUs to a cluster master", () => {
    expect(
      sparkSubmitArgs({
        ...base,
        conf: { "spark.master": "yarn", "spark.executor.memoryOverhead": "1g" },
        executors: 4,
        resources: { cpu: "3", memory: "512Mi", gpu: 1 },
      }),
    ).toEqual([
      "--master",
      "yarn",
      "--name",
      "wf.t",
      "--deploy-mode",
      "client",
      "--num-executors",
      "4",
      "--executor-cores",
      "3",
      "--executor-memory",
      "512m",
      "--conf",
      "spark.executor.resource.gpu.amount=1",
      "--conf",
      "spark.executor.memoryOverhead=1g",
      "/w/app.py",
      "--day",
      "2024-01-01",
    ]);
    expect(sparkSubmitArgs({ ...base, conf: {}, master: "spark://h:7077" }).slice(0, 2)).toEqual([
      "--master",
      "spark://h:7077",
    ]);
  });

  it("converts memory sizes and refuses bad ones", () => {
    expect(["4Gi", "512Mi", "2G", "1073741824", "3t"].map(jvmMemory)).toEqual([
      "4g",
      "512m",
      "2g",
      "1024m",
      "3t",
    ]);
    expect(jvmMemory("lots")).toBeUndefined();
    expect(() => sparkSubmitArgs({ ...base, conf: {}, resources: { memory: "lots" } })).toThrow(
      'resources.memory "lots" is not a size such as 4Gi or 512Mi',
    );
  });

  it("refuses conf keys that could change the command line and NUL values", () => {
    for (const key of ["--jars", "a=b", "x y", "", "spark.a\nb"]) {
      expect(() => sparkSubmitArgs({ ...base, conf: { [key]: "1" } })).toThrow(
        "is not a Spark setting name",
      );
    }
    expect(() => sparkSubmitArgs({ ...base, conf: { "spark.x": "a\0b" } })).toThrow("NUL");
    expect(() => sparkSubmitArgs({ ...base, conf: { "spark.x": "v".repeat(70_000) } })).toThrow(
      "over 64 KiB",
    );
    // A value is one argv entry: shell text in it stays text.
    const args = sparkSubmitArgs({ ...base, conf: { "spark.x": "$(rm -rf /); `id`" } });
    expect(args).toContain("spark.x=$(rm -rf /); `id`");
  });

  it("finds spark-submit in SPARK_HOME, else on PATH", () => {
    expect(sparkSubmitCommand({ SPARK_HOME: "/opt/spark" })).toBe("/opt/spark/bin/spark-submit");
    expect(sparkSubmitCommand({})).toBe("spark-submit");
  });
});

describe("spark runner (local)", () => {
  const runner = createSparkRunner({ python: TEST_PYTHON, killGraceMs: 100 });

  it("says clearly that spark-submit is missing", async () => {
    const dir = await makeTempDir("updraft-spark-");
    await writeFile(join(dir, "app.py"), "");
    const ctx = await makeTestContext(
      { type: "spark", application: "app.py", conf: {} },
      { baseDir: dir, env: { PATH: dir } },
    );
    const err = await failureOf(runner.run(ctx));
    expect(err.code).toBe(ErrorCodes.TASK_FAILED);
    expect(err.message).toBe(SPARK_NOT_FOUND);
  });

  it("runs $SPARK_HOME/bin/spark-submit with the command line and the task contract", async () => {
    // Spark is not installable here: a stand-in spark-submit records what it was given
    // and publishes an output as a driver would.
    const dir = await makeTempDir("updraft-spark-");
    await mkdir(join(dir, "spark", "bin"), { recursive: true });
    const submit = join(dir, "spark", "bin", "spark-submit");
    await writeFile(
      submit,
      `#!/bin/sh
for a in "$@"; do printf '%s\\n' "$a"; done > "$OUT_DIR/argv"
printf '%s\\n' "$PYSPARK_PYTHON" > "$OUT_DIR/pyspark"
echo "rows=$UPDRAFT_PARAM_ROWS" >> "$UPDRAFT_OUTPUTS"
`,
    );
    await chmod(submit, 0o755);
    await writeFile(join(dir, "app.py"), "");
    const ctx = await makeTestContext(
      {
        type: "spark",
        application: "app.py",
        args: ["--n", 3],
        conf: { "spark.sql.shuffle.partitions": "4" },
        executors: 2,
        outputs: ["rows"],
      },
      {
        baseDir: dir,
        params: { rows: 42 },
        env: { PATH: "/usr/bin:/bin", SPARK_HOME: join(dir, "spark"), OUT_DIR: dir },
      },
    );
    const result = await runner.run(ctx);
    expect(result.outputs).toEqual({ rows: 42 });
    expect((await readFile(join(dir, "argv"), "utf8")).split("\n")).toEqual([
      "--master",
      "local[2]",
      "--name",
      "wf.t1",
      "--conf",
      "spark.sql.shuffle.partitions=4",
      join(dir, "app.py"),
      "--n",
      "3",
      "",
    ]);
    expect(await readFile(join(dir, "pyspark"), "utf8")).toBe(`${TEST_PYTHON}\n`);
  });

  it("keeps application URLs as they are and checks local files exist", async () => {
    const ctx = await makeTestContext({ type: "spark", application: "jobs/none.jar", conf: {} });
    const err = await failureOf(runner.run(ctx));
    expect(err.message).toMatch(/^spark application jobs\/none.jar not found/);
  });
});
