/** The `notebook` task runner end to end on real Python and R kernels. */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { KernelPool } from "../notebook/kernel-pool.js";
import { parseNotebook, serializeNotebook } from "../notebook/nbformat.js";
import { code, notebookOf, streamText } from "../notebook/test-notebooks.js";
import type { CodeCell, Notebook } from "../notebook/types.js";
import { TaskError } from "../spec/errors.js";
import { createNotebookRunner, OUTPUT_NOTEBOOK } from "./notebook-runner.js";
import { cleanupTestDirs, makeTempDir, makeTestContext } from "./test-context.js";

// A warm pool, as the engine uses it: each task still gets its own fresh kernel.
const pool = new KernelPool({
  discovery: { env: process.env, home: homedir() },
  size: 1,
  startupTimeoutMs: 30_000,
});
const runner = createNotebookRunner({ kernels: pool });
afterEach(cleanupTestDirs);
afterAll(() => pool.close());

async function writeNotebook(dir: string, name: string, nb: Notebook): Promise<string> {
  const text = serializeNotebook(nb);
  await writeFile(join(dir, name), text);
  return text;
}

async function readOutput(attemptDir: string): Promise<Notebook> {
  return parseNotebook(await readFile(join(attemptDir, OUTPUT_NOTEBOOK), "utf8"), "output");
}

describe("notebook runner", () => {
  it("runs a Python notebook: params in, outputs out, output notebook and log in the attempt dir", async () => {
    const base = await makeTempDir();
    const input = await writeNotebook(
      base,
      "train.ipynb",
      notebookOf("python3", [
        code("rate = 0.1  # learning rate\nepochs = 1\nlabel = 'x'", ["parameters"]),
        code(
          "import os\nprint('cwd', os.getcwd())\nprint('env', os.environ.get('UPDRAFT_EXTRA'))\n" +
            "score = rate * epochs\nprint('score', score)",
        ),
      ]),
    );
    const ctx = await makeTestContext(
      { type: "notebook", notebook: "train.ipynb", outputs: ["score"], params: { rate: 0.5 } },
      {
        baseDir: base,
        // Workflow params: `epochs` is declared by the notebook, `other` is not (not injected).
        params: { rate: 0.5, epochs: 4, other: "ignored" },
        env: { ...process.env, UPDRAFT_EXTRA: "from the task" },
      },
    );
    // As the engine passes it: the task's own resolved params apart from the merged ones.
    ctx.task = { ...ctx.task, params: { rate: 0.5 } };
    const result = await runner.run(ctx);
    expect(result.outputs).toEqual({ score: 2 });
    expect(result.notebook).toBe(join(ctx.attemptDir, OUTPUT_NOTEBOOK));
    const out = await readOutput(ctx.attemptDir);
    expect(streamText(out)).toBe(`cwd ${base}\nenv from the task\nscore 2.0\n`);
    expect(out.metadata["papermill"]).toMatchObject({ parameters: { rate: 0.5, epochs: 4 } });
    const log = ctx.log.text();
    expect(log).toContain("[updraft] notebook train.ipynb on kernel python3");
    expect(log).toContain("[updraft] executing cell 2/3");
    expect(log).toContain("score 2.0\n");
    expect(log).not.toContain("unknown parameter");
    expect(await readFile(join(base, "train.ipynb"), "utf8")).toBe(input);
    expect(existsSync(join(ctx.attemptDir, `${OUTPUT_NOTEBOOK}.tmp`))).toBe(false);
  });

  it("runs an R notebook with the kernel named by the task", async () => {
    const base = await makeTempDir();
    // The notebook names python3; the task's `kernel: ir` wins, and the language follows it.
    const nb = notebookOf("python3", [code("n = 2", ["parameters"]), code("total <- n * 21")]);
    await writeNotebook(base, "r.ipynb", nb);
    const ctx = await makeTestContext(
      { type: "notebook", notebook: "r.ipynb", kernel: "ir", outputs: ["total"], params: { n: 3 } },
      { baseDir: base },
    );
    const result = await runner.run(ctx);
    expect(result.outputs).toEqual({ total: 63 });
    const injected = (await readOutput(ctx.attemptDir)).cells[1] as CodeCell;
    expect(injected.source).toBe("# Parameters\nn = 3\n");
  });

  it("fails naming the cell, with the partial output notebook saved and the log kept", async () => {
    const base = await makeTempDir();
    const input = await writeNotebook(
      base,
      "bad.ipynb",
      notebookOf("python3", [
        code("print('first')"),
        code("raise RuntimeError('no data\\nsecond line')"),
        code("print('third')"),
      ]),
    );
    const ctx = await makeTestContext(
      { type: "notebook", notebook: "bad.ipynb" },
      { baseDir: base },
    );
    const err = await runner.run(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect((err as TaskError).code).toBe("E_TASK_FAILED");
    expect((err as TaskError).message).toBe(
      `cell In [2] raised RuntimeError: no data; see the output notebook ${join(ctx.attemptDir, OUTPUT_NOTEBOOK)}`,
    );
    const out = await readOutput(ctx.attemptDir);
    expect(streamText(out)).toBe("first\n");
    expect(out.cells[0]?.metadata["tags"]).toEqual(["papermill-error-cell-tag"]);
    expect(ctx.log.text()).toContain("RuntimeError: no data");
    expect(await readFile(join(base, "bad.ipynb"), "utf8")).toBe(input);
  });

  it("stops on cancel with the engine's reason, keeping the partial notebook", async () => {
    const base = await makeTempDir();
    await writeNotebook(
      base,
      "slow.ipynb",
      notebookOf("python3", [code("import time\nprint('working', flush=True)\ntime.sleep(60)")]),
    );
    const ctx = await makeTestContext(
      { type: "notebook", notebook: "slow.ipynb" },
      { baseDir: base },
    );
    const reason = new TaskError("E_TASK_TIMEOUT", "task timed out after 2 s");
    const log = ctx.log;
    const write = log.write.bind(log);
    log.write = (chunk) => {
      write(chunk);
      if (String(chunk).includes("working")) ctx.controller.abort(reason);
    };
    await expect(runner.run(ctx)).rejects.toBe(reason);
    expect(streamText(await readOutput(ctx.attemptDir))).toBe("working\n");
  });

  it("reports a missing notebook, a malformed one and one without a kernel clearly", async () => {
    const base = await makeTempDir();
    const missing = await makeTestContext(
      { type: "notebook", notebook: "nope.ipynb" },
      { baseDir: base },
    );
    await expect(runner.run(missing)).rejects.toThrow(
      /notebook nope.ipynb not found \(looked for .*nope.ipynb\); paths are relative to the workflow file's directory/,
    );
    await writeFile(join(base, "broken.ipynb"), "{ not json");
    const broken = await makeTestContext(
      { type: "notebook", notebook: "broken.ipynb" },
      { baseDir: base },
    );
    await expect(runner.run(broken)).rejects.toMatchObject({ code: "E_NOTEBOOK" });
    const nokernel = notebookOf("python3", [code("1")]);
    nokernel.metadata = {};
    await writeNotebook(base, "nokernel.ipynb", nokernel);
    const ctx = await makeTestContext(
      { type: "notebook", notebook: "nokernel.ipynb" },
      { baseDir: base },
    );
    await expect(runner.run(ctx)).rejects.toThrow(/does not name a kernel.*`kernel:`/);
    await writeNotebook(base, "py.ipynb", notebookOf("python3", [code("1")]));
    const unknown = await makeTestContext(
      { type: "notebook", notebook: "py.ipynb", kernel: "no-such-kernel" },
      { baseDir: base },
    );
    const err = await runner.run(unknown).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "E_KERNEL" });
    expect((err as Error).message).toMatch(/no Jupyter kernel named 'no-such-kernel'/);
  });
});
