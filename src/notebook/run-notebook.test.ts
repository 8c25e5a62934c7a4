/**
 * runNotebook on the real Python kernel (`python3`, Debian's ipykernel): injection and
 * typed values, outputs read back as JSON, scrapbook scraps, failures, timeouts,
 * cancellation, a kernel killed mid-cell, partial saves and nbformat 4.5. R: run-notebook-r.test.ts.
 */
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { isGone } from "../proc/process-tree.js";
import type { JsonObject, JsonValue } from "../spec/types.js";
import { ERROR_MARKER_TAG } from "./papermill-metadata.js";
import type { RunNotebookOptions } from "./run-notebook.js";
import {
  allHaveIds,
  code,
  codeCells,
  freshKernels,
  markdown,
  notebookOf,
  runRecorded,
  streamText,
} from "./test-notebooks.js";
import type { CodeCell, Notebook, Output } from "./types.js";

const kernels = freshKernels();
afterAll(() => kernels.close());

/** Runs `nb` on this file's kernels, recording every save. */
function run(nb: Notebook, extra: Partial<RunNotebookOptions> = {}) {
  return runRecorded(kernels, nb, extra);
}

const PARAMS: { [k: string]: JsonValue } = {
  i: 42,
  big: 2 ** 40,
  f: 2.5,
  s: 'it\'s "quoted"\n\\ {{ x }} \u00e9',
  t: true,
  no: false,
  nothing: null,
  l: [1, "two", null, 3.5],
  d: { k: [1, 2], nested: { ok: false }, "odd key'\"": "v" },
};

describe("python notebooks", () => {
  it("injects typed parameters and reads outputs of every JSON type back", async () => {
    const input = notebookOf("python3", [
      markdown("# typed"),
      code("i = 0\nbig = 0\nf = 0.0\ns = ''\nt = False\nno = True\nnothing = 1\nl = []\nd = {}", [
        "parameters",
      ]),
      code(
        "types = {k: type(globals()[k]).__name__ for k in ['i', 'big', 'f', 's', 't', 'no', 'nothing', 'l', 'd']}\n" +
          "echo = {'i': i, 'big': big, 'f': f, 's': s, 't': t, 'no': no, 'nothing': nothing, 'l': l, 'd': d}\n" +
          "import numpy\narr = numpy.arange(3)\nhalf = numpy.float64(0.5)",
      ),
    ]);
    const before = structuredClone(input);
    const r = await run(input, {
      params: PARAMS,
      outputs: ["types", "echo", "i", "f", "s", "t", "nothing", "l", "d", "arr", "half"],
    });
    expect(r.failure).toBeNull();
    expect(r.warnings).toEqual([]);
    expect(r.outputs["types"]).toEqual({
      i: "int",
      big: "int",
      f: "float",
      s: "str",
      t: "bool",
      no: "bool",
      nothing: "NoneType",
      l: "list",
      d: "dict",
    });
    expect(r.outputs["echo"]).toEqual(PARAMS);
    expect(r.outputs).toMatchObject({
      i: 42,
      f: 2.5,
      s: PARAMS["s"],
      t: true,
      nothing: null,
      l: PARAMS["l"],
      d: PARAMS["d"],
      arr: [0, 1, 2],
      half: 0.5,
    });
    expect(Object.hasOwn(r.outputs, "nothing")).toBe(true);
    // The input notebook is never modified.
    expect(input).toEqual(before);
    const out = r.notebook;
    expect(out.nbformat).toBe(4);
    expect(out.nbformat_minor).toBe(5);
    expect(allHaveIds(out)).toBe(true);
    const injected = out.cells[2] as CodeCell;
    expect(injected.metadata["tags"]).toEqual(["injected-parameters"]);
    expect(injected.source).toMatch(/^# Parameters\n/);
    expect(codeCells(out).map((c) => c.execution_count)).toEqual([1, 2, 3]);
    expect(out.metadata["papermill"]).toMatchObject({
      parameters: PARAMS,
      input_path: "in.ipynb",
      output_path: "out.ipynb",
      exception: null,
      version: "2.6.0",
    });
    const pm = out.metadata["papermill"] as JsonObject;
    expect(typeof pm["duration"]).toBe("number");
    for (const c of out.cells) {
      expect(c.metadata["papermill"]).toMatchObject({ status: "completed", exception: false });
    }
    expect(r.saves.at(-1)).toEqual(out);
  });

  it("collects scrapbook glue displays (json and text) next to declared outputs", async () => {
    const input = notebookOf("python3", [
      code(
        "from IPython.display import display\n" +
          "def glue(name, data, mime):\n" +
          "    display({mime: {'name': name, 'data': data, 'encoder': 'json', 'version': 1}}, raw=True)\n" +
          "glue('metrics', {'auc': 0.91, 'labels': ['a', 'b']}, 'application/scrapbook.scrap.json+json')\n" +
          "glue('note', 'plain text', 'application/scrapbook.scrap.text+json')\n" +
          "glue('metrics_v1', 1, 'application/scrapbook.scrap.json+json')\n" +
          "accuracy = 0.5",
      ),
      code(
        "glue('metrics_v1', 2, 'application/scrapbook.scrap.json+json')\n" +
          "glue('accuracy', 'from a scrap', 'application/scrapbook.scrap.json+json')",
      ),
    ]);
    // `note` is declared but only glued: the scrap satisfies it.
    const r = await run(input, { outputs: ["accuracy", "note"] });
    expect(r.failure).toBeNull();
    expect(r.outputs).toEqual({
      metrics: { auc: 0.91, labels: ["a", "b"] },
      note: "plain text",
      // A later scrap replaces an earlier one; a declared variable wins over a scrap.
      metrics_v1: 2,
      accuracy: 0.5,
    });
    const displays = codeCells(r.notebook).flatMap((c) => c.outputs);
    expect(displays.map((o) => o.output_type)).toEqual([
      "display_data",
      "display_data",
      "display_data",
      "display_data",
      "display_data",
    ]);
  });

  it("fails with a clear message when a declared output is missing or not JSON", async () => {
    const input = notebookOf("python3", [
      code("ok = 1\nobj = object()\nnan = float('nan')\nimport threading\nlock = threading.Lock()"),
    ]);
    const err = await run(input, { outputs: ["ok", "absent", "obj", "nan", "lock"] }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "E_TASK_FAILED" });
    const message = (err as Error).message;
    expect(message).toMatch(/`absent` is not defined after the last cell/);
    expect(message).toMatch(/`obj` cannot be turned into JSON: object/);
    expect(message).toMatch(/`nan` cannot be turned into JSON: float/);
    expect(message).toMatch(/`lock` cannot be turned into JSON/);
    expect(message).not.toMatch(/`ok`/);
  });

  it("stops at an error cell, records papermill's banner and metadata, keeps the partial notebook", async () => {
    const input = notebookOf("python3", [
      code("x = 1", ["parameters"]),
      code("print('before the error')"),
      code("raise ValueError('bad value ' + str(x))"),
      code("print('never runs')"),
    ]);
    const r = await run(input, { params: { x: 7 } });
    expect(r.failure).toMatchObject({ ename: "ValueError", evalue: "bad value 7" });
    expect(r.failure?.cause).toBeUndefined();
    const out = r.notebook;
    expect(allHaveIds(out)).toBe(true);
    const banner = out.cells[0]!;
    expect(banner.cell_type).toBe("markdown");
    expect(banner.metadata["tags"]).toEqual([ERROR_MARKER_TAG]);
    expect(banner.source).toMatch(/An Exception was encountered at .*In \[4\]/);
    // The anchor cell goes right before the failing cell.
    const failingAt = out.cells.findIndex(
      (c) => c.cell_type === "code" && /raise ValueError/.test(String(c.source)),
    );
    expect(out.cells[failingAt - 1]?.metadata["tags"]).toEqual([ERROR_MARKER_TAG]);
    const failing = out.cells[failingAt] as CodeCell;
    expect(failing.metadata["papermill"]).toMatchObject({ status: "failed", exception: true });
    expect(failing.outputs.at(-1)).toMatchObject({ output_type: "error", ename: "ValueError" });
    const last = out.cells.at(-1) as CodeCell;
    expect(last.execution_count).toBeNull();
    expect(last.metadata["papermill"]).toMatchObject({ status: "pending" });
    expect(out.metadata["papermill"]).toMatchObject({ exception: true });
    expect(streamText(out)).toBe("before the error\n");
    expect(r.saves.at(-1)).toEqual(out);
  });

  it("saves the notebook while it runs, before the run is over", async () => {
    const input = notebookOf("python3", [
      code("print('one', flush=True)"),
      code("import time\ntime.sleep(2)\nprint('two')"),
    ]);
    const r = await run(input);
    expect(r.failure).toBeNull();
    // While the second cell slept, a save had the first cell's output and not the second's.
    expect(r.saves.some((s) => streamText(s) === "one\n")).toBe(true);
    expect(streamText(r.saves.at(-1)!)).toBe("one\ntwo\n");
    const running = r.saves.find((s) => streamText(s) === "one\n")!;
    expect(running.cells[1]?.metadata["papermill"]).toMatchObject({ status: "running" });
  });

  it("continues past a cell tagged raises-exception", async () => {
    const input = notebookOf("python3", [
      code("1 / 0", ["raises-exception"]),
      code("print('went on')"),
    ]);
    const r = await run(input);
    expect(r.failure).toBeNull();
    expect((r.notebook.cells[0] as CodeCell).outputs[0]).toMatchObject({
      output_type: "error",
      ename: "ZeroDivisionError",
    });
    expect(streamText(r.notebook)).toBe("went on\n");
    expect(
      r.notebook.cells.some((c) => c.metadata["tags"] !== undefined && c.cell_type === "markdown"),
    ).toBe(false);
  });

  it("keeps IPython's input history in memory, as nbclient does", async () => {
    const r = await run(
      notebookOf("python3", [code("print(get_ipython().history_manager.hist_file)")]),
    );
    expect(streamText(r.notebook)).toBe(":memory:\n");
  });

  it("treats sys.exit(0) as a clean stop, as papermill does", async () => {
    const r = await run(
      notebookOf("python3", [code("import sys\nsys.exit(0)"), code("print('not reached')")]),
    );
    expect(r.failure).toBeNull();
    expect(streamText(r.notebook)).not.toMatch(/not reached/);
  });

  it("times a cell out, interrupting the kernel", async () => {
    const input = notebookOf("python3", [
      code("import time\nprint('sleeping', flush=True)\ntime.sleep(60)"),
      code("print('after')"),
    ]);
    const r = await run(input, { cellTimeoutMs: 700 });
    expect(r.failure?.cause?.code).toBe("E_TASK_TIMEOUT");
    expect(r.failure?.ename).toBe("CellTimeoutError");
    expect(r.failure?.evalue).toMatch(/cell execution timed out after 0.7 s/);
    expect(streamText(r.notebook)).toBe("sleeping\n");
    const cell = r.notebook.cells.find((c) => /sleep/.test(String(c.source))) as CodeCell;
    expect(cell.outputs.some((o) => o.output_type === "error")).toBe(true);
  });

  it("cancels through the AbortSignal", async () => {
    const controller = new AbortController();
    const input = notebookOf("python3", [
      code("import time\nprint('started', flush=True)\ntime.sleep(60)"),
      code("print('after')"),
    ]);
    const r = await run(input, {
      signal: controller.signal,
      onOutput: (o: Output) => {
        if (o.output_type === "stream") controller.abort();
      },
    });
    expect(r.failure?.cause?.code).toBe("E_CANCELLED");
    expect(r.failure?.ename).toBe("KeyboardInterrupt");
    expect(streamText(r.notebook)).toBe("started\n");
  });

  it("fails with a DeadKernel message when the kernel is killed mid-cell and leaves nothing behind", async () => {
    const input = notebookOf("python3", [
      code(
        "import os, subprocess, time\nchild = subprocess.Popen(['sleep', '60'])\n" +
          "print('pid', os.getpid(), child.pid, flush=True)\ntime.sleep(60)",
      ),
      code("print('after')"),
    ]);
    const pids: number[] = [];
    // Its own source, closed before checking: kernels are shut down in the background.
    const own = freshKernels();
    const r = await run(input, {
      kernels: own,
      onOutput: (o) => {
        if (o.output_type !== "stream") return;
        const m = /pid (\d+) (\d+)/.exec(String(o.text));
        if (!m) return;
        pids.push(Number(m[1]), Number(m[2]));
        process.kill(Number(m[1]), "SIGKILL");
      },
    });
    expect(r.failure?.cause?.code).toBe("E_KERNEL");
    expect(r.failure?.ename).toBe("DeadKernelError");
    expect(r.failure?.evalue).toMatch(/the kernel died while running this cell \(signal SIGKILL\)/);
    // The partial notebook, with the output before the kill, was saved.
    expect(streamText(r.saves.at(-1)!)).toMatch(/^pid \d+ \d+\n$/);
    expect(r.saves.at(-1)!.cells[0]?.metadata["tags"]).toEqual([ERROR_MARKER_TAG]);
    await own.close();
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isGone(pid)).toBe(true);
  });

  it("injects at the top of a notebook without a parameters cell, with papermill's warning", async () => {
    const input = notebookOf("python3", [code("print(alpha * 2)")]);
    const r = await run(input, { params: { alpha: 21 } });
    expect(r.failure).toBeNull();
    expect(r.warnings).toContain("Input notebook does not contain a cell with tag 'parameters'");
    expect(r.notebook.cells[0]?.metadata["tags"]).toEqual(["injected-parameters"]);
    expect(streamText(r.notebook)).toBe("42\n");
  });

  it("warns about a parameter the parameters cell does not declare", async () => {
    const input = notebookOf("python3", [code("a = 1", ["parameters"]), code("print(a, b)")]);
    const r = await run(input, { params: { a: 2, b: "x" } });
    expect(r.warnings).toEqual(["Passed unknown parameter: b"]);
    expect(streamText(r.notebook)).toBe("2 x\n");
  });

  it("records a cell's result, displays, streams merged and clear_output", async () => {
    const input = notebookOf("python3", [
      code(
        "import sys\nfrom IPython.display import display, clear_output, HTML\n" +
          "print('a'); print('b'); sys.stderr.write('e\\n')\n" +
          "h = display(HTML('<i>1</i>'), display_id=True)\nh.update(HTML('<i>2</i>'))\n" +
          "6 * 7",
      ),
      code("print('gone')\nclear_output()\nprint('kept')"),
    ]);
    const r = await run(input);
    const [first, second] = codeCells(r.notebook);
    expect(first!.outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "a\nb\n" },
      { output_type: "stream", name: "stderr", text: "e\n" },
      {
        output_type: "display_data",
        data: { "text/html": "<i>2</i>", "text/plain": "<IPython.core.display.HTML object>" },
        metadata: {},
      },
      {
        output_type: "execute_result",
        execution_count: 1,
        data: { "text/plain": "42" },
        metadata: {},
      },
    ]);
    expect(second!.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "kept\n" }]);
  });
});

describe("kernels left behind", () => {
  it("leaves no kernel process of this test process running after the runs above", async () => {
    await kernels.close(); // waits for the kernels retired in the background
    const ps = execFileSync("ps", ["-eo", "pid=,ppid=,stat=,args="], { encoding: "utf8" });
    const children = ps
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter(([, ppid, stat]) => ppid === String(process.pid) && !stat?.startsWith("Z"))
      .map((f) => f.slice(3).join(" "))
      .filter((args) => /ipykernel|IRkernel/.test(args));
    expect(children).toEqual([]);
  });
});
