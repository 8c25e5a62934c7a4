import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import type { JsonValue } from "../spec/types.js";
import { createShellRunner, shellArgv } from "./shell-runner.js";
import {
  cleanupTestDirs,
  failureOf,
  makeTempDir,
  makeTestContext,
  type TestTask,
} from "./test-context.js";

afterEach(cleanupTestDirs);

const runner = createShellRunner({ killGraceMs: 100 });

async function runShell(
  command: string | string[],
  extra: Partial<TestTask> = {},
  params: { [k: string]: JsonValue } = {},
) {
  const ctx = await makeTestContext({ type: "shell", command, ...extra }, { params });
  const result = runner.run(ctx);
  return { ctx, result };
}

describe("shell runner", () => {
  it("runs a command string through /bin/sh in the workflow directory", async () => {
    const { ctx, result } = await runShell('echo "hello $(basename "$PWD")" && pwd');
    await expect(result).resolves.toEqual({ outputs: {}, exitCode: 0 });
    expect(ctx.log.text()).toContain(`${ctx.baseDir}\n`);
    expect(ctx.pids).toHaveLength(1);
  });

  it("runs an argv list without a shell", async () => {
    const { ctx, result } = await runShell(["/bin/echo", "$HOME", "a b", "; rm -rf /"]);
    await result;
    expect(ctx.log.text()).toBe("$HOME a b ; rm -rf /\n");
    expect(shellArgv("x")).toEqual({ command: "/bin/sh", args: ["-c", "x"] });
  });

  it("fails with the exit code", async () => {
    const { result } = await runShell("echo doing; exit 3");
    const err = await failureOf(result);
    expect(err.code).toBe(ErrorCodes.TASK_FAILED);
    expect(err.message).toBe("command exited with code 3; see the log");
  });

  it("fails naming the signal that killed it", async () => {
    const { result } = await runShell("kill -TERM $$");
    expect((await failureOf(result)).message).toBe(
      "command was killed by signal SIGTERM; see the log",
    );
  });

  it("fails on an empty argv list or a missing program", async () => {
    expect((await failureOf((await runShell([])).result)).message).toContain("empty `command`");
    expect((await failureOf((await runShell(["no-such-program-xyz"])).result)).message).toBe(
      "command `no-such-program-xyz` not found; check that it is installed and on PATH",
    );
  });

  it("publishes name=value outputs with JSON types", async () => {
    const { result } = await runShell(
      `echo 'n=150' >> "$UPDRAFT_OUTPUTS"
       echo 'path=/data/train.csv' >> "$UPDRAFT_OUTPUTS"
       echo 'acc=0.93' >> "$UPDRAFT_OUTPUTS"
       echo 'ok=false' >> "$UPDRAFT_OUTPUTS"
       echo 'ids=[1,2,3]' >> "$UPDRAFT_OUTPUTS"`,
      { outputs: ["n", "path"] },
    );
    await expect(result).resolves.toEqual({
      outputs: { n: 150, path: "/data/train.csv", acc: 0.93, ok: false, ids: [1, 2, 3] },
      exitCode: 0,
    });
  });

  it("publishes JSON-object lines, later values overriding", async () => {
    const { result } = await runShell(
      `echo '{"a": 1, "b": [2]}' >> "$UPDRAFT_OUTPUTS"
       echo '{"b": {"c": "d"}}' >> "$UPDRAFT_OUTPUTS"`,
    );
    await expect(result).resolves.toMatchObject({ outputs: { a: 1, b: { c: "d" } } });
  });

  it("fails on a malformed outputs line, naming it", async () => {
    const { result } = await runShell(`printf 'a=1\\nnot an output\\n' > "$UPDRAFT_OUTPUTS"`);
    expect((await failureOf(result)).message).toContain("line 2 of $UPDRAFT_OUTPUTS");
  });

  it("fails when a declared output is missing", async () => {
    const { result } = await runShell(`echo 'a=1' > "$UPDRAFT_OUTPUTS"`, {
      outputs: ["a", "accuracy"],
    });
    expect((await failureOf(result)).message).toBe(
      "task did not publish output `accuracy`; write `accuracy=...` to $UPDRAFT_OUTPUTS",
    );
  });

  it("fails when the outputs file is too large", async () => {
    const { result } = await runShell(
      `head -c 17000000 /dev/zero | tr '\\0' a > "$UPDRAFT_OUTPUTS"`,
    );
    expect((await failureOf(result)).message).toContain("over the 16.0 MiB limit");
  });

  it("reports the exit code rather than outputs problems when the command fails", async () => {
    const { result } = await runShell("exit 2", { outputs: ["x"] });
    expect((await failureOf(result)).message).toBe("command exited with code 2; see the log");
  });

  it("passes params as a JSON file and as variables, never as shell text", async () => {
    const dir = await makeTempDir();
    const canary = join(dir, "canary");
    await writeFile(canary, "still here");
    const params = {
      multi: "line one\nline two",
      quotes: `it's "quoted" \\ back`,
      unicode: "naïve ☃ 日本語 🚀",
      injection: `$(rm -rf ${canary}) \`rm -rf ${canary}\`; rm -rf ${canary}`,
      count: 42,
      list: [1, "two", { three: 3 }],
      flag: true,
      nothing: null,
    };
    const { ctx, result } = await runShell(
      `cp "$UPDRAFT_PARAMS" got.json
       for v in MULTI QUOTES UNICODE INJECTION COUNT LIST FLAG NOTHING; do
         eval "printf '%s' \\"\\$UPDRAFT_PARAM_$v\\"" > "env_$v"
       done
       env | grep '^UPDRAFT_' | grep -v '^UPDRAFT_PARAM_' | sort > ids.txt`,
      {},
      params,
    );
    await result;
    expect(JSON.parse(await readFile(join(ctx.baseDir, "got.json"), "utf8"))).toEqual(params);
    const env = async (name: string) => readFile(join(ctx.baseDir, `env_${name}`), "utf8");
    expect(await env("MULTI")).toBe(params.multi);
    expect(await env("QUOTES")).toBe(params.quotes);
    expect(await env("UNICODE")).toBe(params.unicode);
    expect(await env("INJECTION")).toBe(params.injection);
    expect(await env("COUNT")).toBe("42");
    expect(await env("LIST")).toBe('[1,"two",{"three":3}]');
    expect(await env("FLAG")).toBe("true");
    expect(await env("NOTHING")).toBe("null");
    expect(await readFile(canary, "utf8")).toBe("still here");
    const ids = await readFile(join(ctx.baseDir, "ids.txt"), "utf8");
    expect(ids).toContain("UPDRAFT_ATTEMPT=1\n");
    expect(ids).toContain("UPDRAFT_RUN_ID=run-1\n");
    expect(ids).toContain("UPDRAFT_TASK_ID=t1\n");
    expect(ids).toContain("UPDRAFT_WORKFLOW=wf\n");
    expect(ids).toContain(`UPDRAFT_OUTPUTS=${ctx.attemptDir}/outputs.txt\n`);
  });

  it("is cancelled by the abort signal", async () => {
    const { ctx, result } = await runShell("sleep 100");
    await new Promise((r) => setTimeout(r, 50));
    ctx.controller.abort(new TaskError(ErrorCodes.CANCELLED, "run cancelled"));
    const err = await failureOf(result);
    expect(err.code).toBe(ErrorCodes.CANCELLED);
    expect(err.message).toBe("run cancelled");
  });
});
