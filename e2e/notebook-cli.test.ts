/** End-to-end tests of `updraft notebook run` and `updraft notebook inspect` through bin/updraft. */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { isGone } from "../src/proc/process-tree.js";
import { parseNotebook, serializeNotebook } from "../src/notebook/nbformat.js";
import { code, notebookOf, streamText } from "../src/notebook/test-notebooks.js";
import type { CodeCell, Notebook } from "../src/notebook/types.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "updraft");
const work = mkdtempSync(join(tmpdir(), "updraft-nbcli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ENV = {
  PATH: process.env["PATH"] ?? "/usr/bin:/bin",
  HOME: work,
  LANG: "C.UTF-8",
};

function updraft(args: string[], cwd = work) {
  const r = spawnSync(BIN, args, { env: ENV, encoding: "utf8", cwd, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeNb(name: string, nb: Notebook): string {
  const p = join(work, name);
  writeFileSync(p, serializeNotebook(nb));
  return p;
}

function readNb(path: string): Notebook {
  return parseNotebook(readFileSync(path, "utf8"), path);
}

/** No Node stack trace (`    at fn (file.js:1:2)`) in what a user sees. */
const NODE_STACK = /^\s+at .*(\.js|\.ts|node:internal)/m;

const PY = writeNb(
  "params.ipynb",
  notebookOf("python3", [
    code(
      "n = 1  # how many\nrate = 0.5\nname = 'x'\nflag = False\nraw = 0\nitems = []\nconf = {}",
      ["parameters"],
    ),
    code(
      "import os\nprint('cwd', os.getcwd())\n" +
        "print('types', type(n).__name__, type(rate).__name__, type(name).__name__, type(flag).__name__, type(raw).__name__)\n" +
        "print('values', n, rate, name, flag, raw, items, conf)",
    ),
  ]),
);

describe("updraft notebook run", () => {
  it("injects -p, -r, -f and -y parameters papermill's way and honours -k, --cwd and --log-output", () => {
    const before = readFileSync(PY, "utf8");
    const file = join(work, "p.yaml");
    writeFileSync(file, "n: 3\nname: from-file\nitems: [1, two]\n");
    const dir = join(work, "cwd dir");
    mkdirSync(dir, { recursive: true });
    const out = join(work, "out.ipynb");
    const r = updraft([
      "notebook",
      "run",
      PY,
      out,
      "-f",
      file,
      "-y",
      "conf: {a: 1}\nname: from-yaml",
      "-p",
      "rate",
      "2.5",
      "-p",
      "flag",
      "true",
      "-r",
      "raw",
      "5",
      "-k",
      "python3",
      "--cwd",
      dir,
      "--execution-timeout",
      "30",
      "--log-output",
      "--no-progress-bar",
    ]);
    expect(r.stderr).not.toMatch(NODE_STACK);
    expect(r.code).toBe(0);
    const expected = `cwd ${dir}\ntypes int float str bool str\nvalues 3 2.5 from-yaml True 5 [1, 'two'] {'a': 1}\n`;
    expect(r.stderr).toContain(expected);
    expect(r.stderr).toContain(`Input Notebook:  ${PY}`);
    const nb = readNb(out);
    expect(streamText(nb)).toBe(expected);
    expect(nb.metadata["papermill"]).toMatchObject({
      parameters: {
        n: 3,
        name: "from-yaml",
        items: [1, "two"],
        conf: { a: 1 },
        rate: 2.5,
        flag: true,
        raw: "5",
      },
      input_path: PY,
      output_path: out,
    });
    expect(nb.nbformat_minor).toBe(5);
    for (const c of nb.cells) expect(c.id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
    expect(readFileSync(PY, "utf8")).toBe(before);
  });

  it("writes the executed notebook to stdout for output -", () => {
    const r = updraft(["notebook", "run", PY, "-", "-p", "n", "7"]);
    expect(r.code).toBe(0);
    const nb = parseNotebook(r.stdout, "stdout");
    expect(streamText(nb)).toMatch(/values 7 0.5 x False 0 \[\] \{\}/);
    expect(r.stderr).toContain("Output Notebook: -");
  });

  it("exits 1 naming the failing cell, without a stack trace, keeping the output notebook", () => {
    const failing = writeNb(
      "failing.ipynb",
      notebookOf("python3", [
        code("print('one')"),
        code("def f():\n    raise ValueError('no rows for 2024-01-01')\nf()"),
        code("print('three')"),
      ]),
    );
    const out = join(work, "failing-out.ipynb");
    const r = updraft(["notebook", "run", failing, out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "Notebook failed at cell In [2]: ValueError: no rows for 2024-01-01",
    );
    expect(r.stderr).toContain(`The executed notebook, up to the failing cell, is in ${out}`);
    expect(r.stderr).not.toMatch(NODE_STACK);
    // The kernel's traceback, without terminal colours.
    expect(r.stderr).not.toContain("\x1b[");
    const nb = readNb(out);
    expect(nb.cells[0]?.metadata["tags"]).toEqual(["papermill-error-cell-tag"]);
    expect(streamText(nb)).toBe("one\n");
  });

  it("stops a cell at --execution-timeout", () => {
    const slow = writeNb(
      "slow.ipynb",
      notebookOf("python3", [code("import time\ntime.sleep(60)"), code("print('after')")]),
    );
    const out = join(work, "slow-out.ipynb");
    const r = updraft(["notebook", "run", slow, out, "--execution-timeout", "0.5"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CellTimeoutError: cell execution timed out after 0.5 s/);
    expect(r.stderr).not.toMatch(NODE_STACK);
    const cell = readNb(out).cells.find((c) => /sleep/.test(String(c.source))) as CodeCell;
    expect(cell.metadata["papermill"]).toMatchObject({ status: "failed" });
  });

  it("interrupts the running cell on Ctrl-C, keeps the notebook and leaves no kernel behind", async () => {
    const slow = writeNb(
      "interrupt.ipynb",
      notebookOf("python3", [
        code("import os, time\nprint('kernel', os.getpid(), flush=True)\ntime.sleep(60)"),
        code("print('after')"),
      ]),
    );
    const out = join(work, "interrupt-out.ipynb");
    const child = spawn(BIN, ["notebook", "run", slow, out, "--log-output"], {
      env: ENV,
      cwd: work,
    });
    let stderr = "";
    let kernelPid = 0;
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      const m = /kernel (\d+)/.exec(stderr);
      if (m && kernelPid === 0) {
        kernelPid = Number(m[1]);
        child.kill("SIGINT");
      }
    });
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(status).toBe(1);
    expect(stderr).toMatch(
      /Notebook failed at cell In \[1\]: KeyboardInterrupt: the notebook run was interrupted/,
    );
    expect(stderr).not.toMatch(NODE_STACK);
    expect(kernelPid).toBeGreaterThan(0);
    expect(isGone(kernelPid)).toBe(true);
    const nb = readNb(out);
    expect(streamText(nb)).toMatch(/^kernel \d+\n$/);
    expect(nb.metadata["papermill"]).toMatchObject({ exception: true });
  });

  it("refuses an output path it cannot write before starting a kernel", () => {
    const missingDir = updraft([
      "notebook",
      "run",
      PY,
      join(work, "no", "such", "dir", "out.ipynb"),
    ]);
    expect(missingDir.code).toBe(1);
    expect(missingDir.stderr).toMatch(
      /cannot write the output notebook .*: directory .* does not exist/,
    );
    const isDir = updraft(["notebook", "run", PY, work]);
    expect(isDir.code).toBe(1);
    expect(isDir.stderr).toMatch(/cannot write the output notebook .*: it is a directory/);
    for (const r of [missingDir, isDir]) {
      expect(r.stderr).not.toMatch(NODE_STACK);
      expect(r.stderr).not.toContain("internal error");
    }
  });

  it("runs an R notebook", () => {
    const rnb = writeNb(
      "r.ipynb",
      notebookOf("ir", [
        code('n = 1 # how many\nlabel = "a"', ["parameters"]),
        code('cat(class(n), n * 2, label, "\\n")'),
      ]),
    );
    const out = join(work, "r-out.ipynb");
    const r = updraft(["notebook", "run", rnb, out, "-p", "n", "21", "-p", "label", 'say "hi"']);
    expect(r.stderr).not.toMatch(NODE_STACK);
    expect(r.code).toBe(0);
    expect(streamText(readNb(out))).toBe('numeric 42 say "hi" \n');
  });

  it("rejects malformed notebooks with a clear message and a non-zero exit", () => {
    const cases: [string, string | null, RegExp][] = [
      ["not-json.ipynb", "{ not json", /not-json.ipynb: is not valid JSON/],
      ["array.ipynb", "[1, 2]", /array.ipynb: is not a notebook/],
      ["empty.ipynb", "", /empty.ipynb/],
      [
        "v3.ipynb",
        JSON.stringify({ nbformat: 3, nbformat_minor: 0, metadata: {}, worksheets: [] }),
        /v3.ipynb: is an nbformat 3 notebook; .*upgrade it with `jupyter nbconvert/,
      ],
      [
        "v5.ipynb",
        JSON.stringify({ nbformat: 5, nbformat_minor: 0, metadata: {}, cells: [] }),
        /v5.ipynb: .*nbformat 5/,
      ],
      [
        "cells.ipynb",
        JSON.stringify({
          nbformat: 4,
          nbformat_minor: 4,
          metadata: {},
          cells: [{ cell_type: "bogus" }],
        }),
        /cells.ipynb: cell 0/,
      ],
      ["deep.ipynb", `${"[".repeat(100_000)}${"]".repeat(100_000)}`, /deep.ipynb/],
      ["huge.ipynb", null, /huge.ipynb is \d+ KiB; the limit is 102400 KiB/],
      [
        "missing.ipynb",
        undefined as unknown as null,
        /cannot read notebook .*missing.ipynb: no such file/,
      ],
    ];
    for (const [name, text, message] of cases) {
      const p = join(work, name);
      if (name === "huge.ipynb") {
        writeFileSync(p, "");
        truncateSync(p, 101 * 1024 * 1024); // sparse: the size is checked before reading
      } else if (text !== undefined && text !== null) {
        writeFileSync(p, text);
      }
      for (const args of [
        ["notebook", "run", p, join(work, "never.ipynb")],
        ["notebook", "inspect", p],
      ]) {
        const r = updraft(args);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).not.toBe(0);
        expect(r.code).not.toBeNull();
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(NODE_STACK);
      }
    }
  });

  it("rejects bad options without running anything", () => {
    const bad = updraft([
      "notebook",
      "run",
      PY,
      join(work, "x.ipynb"),
      "--execution-timeout",
      "soon",
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/expected a number of seconds above 0, got "soon"/);
    const kernel = updraft(["notebook", "run", PY, join(work, "x.ipynb"), "-k", "no-such-kernel"]);
    expect(kernel.code).toBe(1);
    expect(kernel.stderr).toMatch(
      /no Jupyter kernel named 'no-such-kernel'; available kernels: .*python3/,
    );
    const yaml = updraft(["notebook", "run", PY, join(work, "x.ipynb"), "-y", "a: [unclosed"]);
    expect(yaml.code).not.toBe(0);
    expect(yaml.stderr).toMatch(/--parameters_yaml/);
    for (const r of [bad, kernel, yaml]) expect(r.stderr).not.toMatch(NODE_STACK);
  });
});

describe("updraft notebook inspect", () => {
  it("lists a Python notebook's parameters with types, defaults and help, as text and JSON", () => {
    const text = updraft(["notebook", "inspect", PY]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Parameters inferred for notebook 'params.ipynb':");
    expect(text.stdout).toMatch(/ {2}n: int +\(default 1\) {2}how many\n/);
    expect(text.stdout).toMatch(/ {2}rate: float +\(default 0.5\)\n/);
    const json = updraft(["notebook", "inspect", PY, "--json"]);
    expect(json.code).toBe(0);
    const params = JSON.parse(json.stdout) as {
      name: string;
      inferredType: string | null;
      default: string;
      help: string;
    }[];
    expect(params.map((p) => p.name)).toEqual([
      "n",
      "rate",
      "name",
      "flag",
      "raw",
      "items",
      "conf",
    ]);
    expect(params[0]).toMatchObject({
      name: "n",
      inferredType: "int",
      default: "1",
      help: "how many",
    });
    expect(params[2]).toMatchObject({ name: "name", inferredType: "str", default: "'x'" });
  });

  it("lists an R notebook's parameters", () => {
    const rnb = writeNb(
      "r-inspect.ipynb",
      notebookOf("ir", [
        code('alpha = 0.05 # significance\nlabel <- "run"\nuse_all = TRUE', ["parameters"]),
      ]),
    );
    const json = updraft(["notebook", "inspect", rnb, "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ name: "alpha", default: "0.05", help: "significance" }),
      expect.objectContaining({ name: "label", default: '"run"' }),
      expect.objectContaining({ name: "use_all", default: "TRUE" }),
    ]);
    const text = updraft(["notebook", "inspect", rnb]);
    expect(text.stdout).toMatch(/alpha: .*\(default 0.05\) {2}significance/);
  });

  it("says so when a notebook has no parameters cell", () => {
    const none = writeNb("none.ipynb", notebookOf("python3", [code("x = 1")]));
    const r = updraft(["notebook", "inspect", none]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("No parameters cell found");
    expect(JSON.parse(updraft(["notebook", "inspect", none, "--json"]).stdout)).toEqual([]);
  });
});
