/**
 * A workflow passing values notebook -> notebook across Python and R, run with
 * `bin/updraft run --json`: Python publishes outputs (variables and a scrapbook scrap),
 * R consumes them as injected parameters and publishes its own, and a last Python
 * notebook consumes R's.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseNotebook, serializeNotebook } from "../src/notebook/nbformat.js";
import { code, notebookOf, streamText } from "../src/notebook/test-notebooks.js";
import type { CodeCell, Notebook } from "../src/notebook/types.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "updraft");
const work = mkdtempSync(join(tmpdir(), "updraft-nbflow-"));
const dataDir = join(work, "data");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ENV = {
  PATH: process.env["PATH"] ?? "/usr/bin:/bin",
  HOME: work,
  LANG: "C.UTF-8",
  UPDRAFT_DATA_DIR: dataDir,
};

function writeNb(rel: string, nb: Notebook): void {
  const p = join(work, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, serializeNotebook(nb));
}

writeNb(
  "notebooks/prepare.ipynb",
  notebookOf("python3", [
    code("rows = 10\nlabel = 'base'", ["parameters"]),
    code(
      "from IPython.display import display\n" +
        "n_rows = rows * 3\n" +
        "ratio = 0.25\n" +
        "columns = ['a', 'b', \"c'd\"]\n" +
        "config = {'label': label, 'deep': {'ok': True, 'none': None}}\n" +
        "display({'application/scrapbook.scrap.json+json': {'name': 'scrap_note', 'data': 'glued from python', 'encoder': 'json', 'version': 1}}, raw=True)\n" +
        "print('prepared', n_rows)",
    ),
  ]),
);

writeNb(
  "notebooks/model.ipynb",
  notebookOf("ir", [
    code("n_rows = 0\nratio = 0\ncolumns = list()\nconfig = list()\nnote = ''", ["parameters"]),
    code(
      "test_rows <- n_rows * ratio\n" +
        "n_columns <- length(columns)\n" +
        "summary <- list(label = config$label, deep_ok = config$deep$ok, last = columns[[3]], note = note)\n" +
        "cat('modelled', test_rows, '\\n')",
    ),
  ]),
);

writeNb(
  "notebooks/report.ipynb",
  notebookOf("python3", [
    code("test_rows = 0.0\nn_columns = 0\nsummary = {}\nrun_ds = ''", ["parameters"]),
    code(
      "line = f\"{summary['label']}: {test_rows} test rows, {n_columns} columns, last {summary['last']!r}, {summary['note']}, ds {run_ds}\"\n" +
        "ok = summary['deep_ok'] is True and isinstance(n_columns, int)\n" +
        "print(line)",
    ),
  ]),
);

const WORKFLOW = join(work, "flow.yaml");
writeFileSync(
  WORKFLOW,
  `
name: notebook-flow
params:
  rows: { type: integer, default: 10 }
tasks:
  prepare:
    type: notebook
    notebook: notebooks/prepare.ipynb
    params: { rows: "{{ params.rows }}", label: "from {{ workflow.name }}" }
    outputs: [n_rows, ratio, columns, config, scrap_note]
  model:
    type: notebook
    notebook: notebooks/model.ipynb
    needs: [prepare]
    params:
      n_rows: "{{ tasks.prepare.outputs.n_rows }}"
      ratio: "{{ tasks.prepare.outputs.ratio }}"
      columns: "{{ tasks.prepare.outputs.columns }}"
      config: "{{ tasks.prepare.outputs.config }}"
      note: "{{ tasks.prepare.outputs.scrap_note }}"
    outputs: [test_rows, n_columns, summary]
  report:
    type: notebook
    notebook: notebooks/report.ipynb
    needs: [model]
    params:
      test_rows: "{{ tasks.model.outputs.test_rows }}"
      n_columns: "{{ tasks.model.outputs.n_columns }}"
      summary: "{{ tasks.model.outputs.summary }}"
      run_ds: "{{ run.ds }}"
    outputs: [line, ok]
`,
);

interface RunJson {
  id: string;
  state: string;
  tasks: Record<
    string,
    { state: string; attempts: number; outputs: Record<string, unknown>; error: unknown }
  >;
}

describe("a notebook workflow across Python and R", () => {
  it("passes values from notebook to notebook and keeps each executed notebook", () => {
    const before = readFileSync(join(work, "notebooks/model.ipynb"), "utf8");
    const r = spawnSync(BIN, ["run", WORKFLOW, "-p", "rows", "4", "--json"], {
      env: ENV,
      cwd: work,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as RunJson;
    expect(run.state).toBe("succeeded");
    expect(run.tasks["prepare"]).toMatchObject({
      state: "succeeded",
      attempts: 1,
      error: null,
      outputs: {
        n_rows: 12,
        ratio: 0.25,
        columns: ["a", "b", "c'd"],
        config: { label: "from notebook-flow", deep: { ok: true, none: null } },
        scrap_note: "glued from python",
      },
    });
    expect(run.tasks["model"]?.outputs).toEqual({
      test_rows: 3,
      n_columns: 3,
      summary: {
        label: "from notebook-flow",
        deep_ok: true,
        last: "c'd",
        note: "glued from python",
      },
    });
    const ds = new Date().toISOString().slice(0, 10);
    expect(run.tasks["report"]?.outputs).toEqual({
      line: `from notebook-flow: 3 test rows, 3 columns, last "c'd", glued from python, ds ${ds}`,
      ok: true,
    });

    for (const task of ["prepare", "model", "report"]) {
      const path = join(dataDir, "runs", run.id, task, "1", "output.ipynb");
      expect(existsSync(path), path).toBe(true);
      const nb = parseNotebook(readFileSync(path, "utf8"), path);
      expect(nb.nbformat_minor).toBe(5);
      expect(nb.metadata["papermill"]).toMatchObject({ exception: null });
      const injected = nb.cells.find((c) =>
        (c.metadata["tags"] as string[] | undefined)?.includes("injected-parameters"),
      ) as CodeCell;
      expect(injected).toBeDefined();
      if (task === "model") {
        // Values arrive as R literals, never as pasted code.
        expect(injected.source).toContain('columns = list("a", "b", "c\'d")');
        expect(streamText(nb)).toBe("modelled 3 \n");
      }
    }
    expect(readFileSync(join(work, "notebooks/model.ipynb"), "utf8")).toBe(before);
  });
});
