import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import { createPythonRunner } from "./python-runner.js";
import {
  cleanupTestDirs,
  failureOf,
  isGone,
  makeTempDir,
  makeTestContext,
  TEST_PYTHON,
  waitFor,
  type TestTask,
} from "./test-context.js";
import type { TaskRunner } from "./types.js";

afterEach(cleanupTestDirs);

/** The behaviour every way of running python must share. */
function pythonRunnerSuite(
  name: string,
  makeRunner: () => TaskRunner & { close(): Promise<void> },
): void {
  describe(name, () => {
    const runner = makeRunner();
    afterAll(() => runner.close());

    async function runPython(task: Omit<TestTask, "type">, params = {}) {
      const ctx = await makeTestContext({ type: "python", ...task }, { params });
      return { ctx, result: runner.run(ctx) };
    }

    it("runs inline code with params, outputs and argv", async () => {
      const { ctx, result } = await runPython(
        {
          code: [
            "import json, os, sys",
            "params = json.load(open(os.environ['UPDRAFT_PARAMS']))",
            "print('argv', sys.argv[1:])",
            "print('cwd', os.getcwd())",
            "print('name', __name__)",
            "with open(os.environ['UPDRAFT_OUTPUTS'], 'a') as f:",
            "    f.write('doubled=%d\\n' % (params['n'] * 2))",
            "    f.write(json.dumps({'env': os.environ['UPDRAFT_PARAM_WORD']}) + '\\n')",
          ].join("\n"),
          args: ["a b", 2, { k: [1] }],
          outputs: ["doubled"],
        },
        { n: 21, word: "héllo $(x)" },
      );
      await expect(result).resolves.toEqual({
        outputs: { doubled: 42, env: "héllo $(x)" },
        exitCode: 0,
      });
      const log = ctx.log.text();
      expect(log).toContain(`argv ['a b', '2', '{"k":[1]}']`);
      expect(log).toContain(`cwd ${ctx.baseDir}\n`);
      expect(log).toContain("name __main__\n");
      expect(await readFile(join(ctx.attemptDir, "task.py"), "utf8")).toContain("import json");
    });

    it("runs a script file relative to the workflow directory, with args", async () => {
      const ctx = await makeTestContext({
        type: "python",
        script: "scripts/job.py",
        args: ["--alpha", 0.5, true],
      });
      await mkdir(join(ctx.baseDir, "scripts"));
      await writeFile(join(ctx.baseDir, "scripts", "helper.py"), "VALUE = 7\n");
      await writeFile(
        join(ctx.baseDir, "scripts", "job.py"),
        [
          "import os, sys",
          "import helper  # next to the script, as with `python scripts/job.py`",
          "print('argv0', sys.argv[0])",
          "print('args', sys.argv[1:])",
          "open(os.environ['UPDRAFT_OUTPUTS'], 'w').write('value=%d\\n' % helper.VALUE)",
        ].join("\n"),
      );
      await expect(runner.run(ctx)).resolves.toEqual({ outputs: { value: 7 }, exitCode: 0 });
      expect(ctx.log.text()).toContain(`argv0 ${join(ctx.baseDir, "scripts", "job.py")}\n`);
      expect(ctx.log.text()).toContain("args ['--alpha', '0.5', 'true']\n");
    });

    it("fails on an exception, with the traceback in the log", async () => {
      const { ctx, result } = await runPython({
        code: "print('before')\ndef f():\n    raise ValueError('bad input 42')\nf()\n",
      });
      const err = await failureOf(result);
      expect(err.code).toBe(ErrorCodes.TASK_FAILED);
      expect(err.message).toBe("python script exited with code 1; see the log");
      const log = ctx.log.text();
      expect(log).toContain("before\n");
      expect(log).toContain("Traceback (most recent call last):");
      expect(log).toMatch(/task\.py", line 4, in <module>/);
      expect(log).toContain("ValueError: bad input 42");
    });

    it("passes sys.exit codes through", async () => {
      expect(
        (await failureOf((await runPython({ code: "import sys; sys.exit(4)" })).result)).message,
      ).toBe("python script exited with code 4; see the log");
      const { ctx, result } = await runPython({ code: "import sys; sys.exit('fatal: no data')" });
      expect((await failureOf(result)).message).toBe(
        "python script exited with code 1; see the log",
      );
      expect(ctx.log.text()).toContain("fatal: no data");
      await expect((await runPython({ code: "import sys; sys.exit(0)" })).result).resolves.toEqual({
        outputs: {},
        exitCode: 0,
      });
    });

    it("reports death by signal", async () => {
      const { result } = await runPython({
        code: "import os, signal; os.kill(os.getpid(), signal.SIGTERM)",
      });
      expect((await failureOf(result)).message).toBe(
        "python script was killed by signal SIGTERM; see the log",
      );
    });

    it("fails clearly when the script does not exist", async () => {
      const { result } = await runPython({ script: "missing.py" });
      expect((await failureOf(result)).message).toMatch(/^python script missing\.py not found/);
    });

    it("fails when a declared output is missing", async () => {
      const { result } = await runPython({ code: "pass", outputs: ["model_path"] });
      expect((await failureOf(result)).message).toBe(
        "task did not publish output `model_path`; write `model_path=...` to $UPDRAFT_OUTPUTS",
      );
    });

    it("runs many tasks at once, each with its own outputs and log", async () => {
      const ctxs = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          makeTestContext(
            {
              type: "python",
              code:
                "import os, sys\n" +
                "n = int(os.environ['UPDRAFT_PARAM_N'])\n" +
                "print('task', n); print('err', n, file=sys.stderr)\n" +
                "open(os.environ['UPDRAFT_OUTPUTS'], 'w').write('n=%d\\n' % n)\n",
            },
            { params: { n: i } },
          ),
        ),
      );
      const results = await Promise.all(ctxs.map((c) => runner.run(c)));
      results.forEach((r, i) => expect(r.outputs).toEqual({ n: i }));
      ctxs.forEach((c, i) => {
        expect(c.log.text()).toContain(`task ${i}\n`);
        expect(c.log.text()).toContain(`err ${i}\n`);
        expect(c.log.text().split("\n").filter(Boolean)).toHaveLength(2);
      });
    });

    it("streams large output completely", async () => {
      const { ctx, result } = await runPython({
        code: "import sys\nfor i in range(20000): print('line %05d ' % i + 'x' * 50)\n",
      });
      await result;
      const lines = ctx.log.text().split("\n").filter(Boolean);
      expect(lines).toHaveLength(20000);
      expect(lines[19999]).toMatch(/^line 19999 x+$/);
    });

    it("kills what the script left running when it exits", async () => {
      const { ctx, result } = await runPython({
        code: "import subprocess\np = subprocess.Popen(['sleep', '100'])\nprint('bg', p.pid)\n",
      });
      const started = Date.now();
      await result;
      expect(Date.now() - started).toBeLessThan(900);
      const bg = Number(/bg (\d+)/.exec(ctx.log.text())?.[1]);
      await waitFor(() => isGone(bg), 2000);
    });

    it("honours PYTHONPATH from the task environment", async () => {
      const lib = await makeTempDir();
      await writeFile(join(lib, "shared_lib.py"), "ANSWER = 42\n");
      const ctx = await makeTestContext(
        { type: "python", code: "import shared_lib\nprint(shared_lib.ANSWER)" },
        { env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", PYTHONPATH: lib } },
      );
      await runner.run(ctx);
      expect(ctx.log.text()).toBe("42\n");
    });

    it("is stopped on abort, children included", async () => {
      const { ctx, result } = await runPython({
        code: [
          "import subprocess, time, signal",
          "signal.signal(signal.SIGINT, signal.SIG_IGN)",
          "signal.signal(signal.SIGTERM, signal.SIG_IGN)",
          "p = subprocess.Popen(['sleep', '100'])",
          "print('child', p.pid, flush=True)",
          "time.sleep(100)",
        ].join("\n"),
      });
      await waitFor(() => ctx.log.text().includes("child "));
      const child = Number(/child (\d+)/.exec(ctx.log.text())?.[1]);
      ctx.controller.abort(new TaskError(ErrorCodes.TASK_TIMEOUT, "task timed out after 1s"));
      expect((await failureOf(result)).code).toBe(ErrorCodes.TASK_TIMEOUT);
      expect(isGone(child)).toBe(true);
      expect(isGone(ctx.pids[0] ?? 0)).toBe(true);
    });
  });
}

pythonRunnerSuite("python runner (spawn)", () =>
  createPythonRunner({ python: TEST_PYTHON, killGraceMs: 100, forkServer: false }),
);
pythonRunnerSuite("python runner (fork server)", () =>
  createPythonRunner({ python: TEST_PYTHON, killGraceMs: 100, forkServer: true }),
);

describe("python runner configuration", () => {
  it("says how to fix a missing interpreter", async () => {
    const runner = createPythonRunner({ python: "/nonexistent/python3" });
    const ctx = await makeTestContext({ type: "python", code: "pass" });
    const err = await failureOf(runner.run(ctx));
    await runner.close();
    expect(err.message).toBe(
      "python interpreter /nonexistent/python3 not found; set UPDRAFT_PYTHON to a Python 3 interpreter",
    );
  });

  it("falls back to starting python directly when the fork server cannot start", async () => {
    // /bin/false "starts" but never says it is ready; every task then spawns it.
    const runner = createPythonRunner({ python: "/bin/false" });
    const ctx = await makeTestContext({ type: "python", code: "pass" });
    const err = await failureOf(runner.run(ctx));
    await runner.close();
    expect(err.message).toBe("python script exited with code 1; see the log");
    expect(ctx.log.text()).toContain("python fork server unavailable");
  });

  it("refuses a task with both script and code", async () => {
    const runner = createPythonRunner({ python: TEST_PYTHON, forkServer: false });
    const ctx = await makeTestContext({ type: "python", code: "pass", script: "x.py" });
    expect((await failureOf(runner.run(ctx))).message).toContain("both `script` and `code`");
  });
});
