/**
 * `notebook`: a 3-cell parameterized notebook on the same kernel (Debian's python3
 * ipykernel), side by side in one run:
 * - cold: `bin/updraft notebook run` vs `jupyter nbconvert --to notebook --execute`,
 *   wall-clock of the whole command (median of a few runs) and their ratio;
 * - warm: the notebook as a workflow task on the embedded engine with a warm kernel pool,
 *   the time beyond the cells' own work (their papermill durations);
 * - per extra trivial cell: a 101-cell notebook, the time from the first cell's start to
 *   the last one's end over 100, from each tool's own timestamps in the executed notebook
 *   (papermill metadata for Updraft, nbclient's `metadata.execution`).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine, type EngineEvent } from "../src/engine/engine.js";
import { parseNotebook, serializeNotebook } from "../src/notebook/nbformat.js";
import type { Cell, Notebook } from "../src/notebook/types.js";
import { SqliteStore } from "../src/store/sqlite-store.js";
import { createRunnerRegistry } from "../src/tasks/registry.js";
import { quantile, r3, workflowOf } from "./harness.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const UPDRAFT = join(ROOT, "bin", "updraft");
const PYTHON = "/usr/bin/python3";
const COLD_RUNS = 7;
const WARM_RUNS = 7;

function cell(source: string, tags: string[] = []): Cell {
  return {
    cell_type: "code",
    source,
    metadata: tags.length > 0 ? { tags } : {},
    outputs: [],
    execution_count: null,
  };
}

function notebook(cells: Cell[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "python3", display_name: "Python 3", language: "python" },
      language_info: { name: "python" },
    },
    cells: cells.map((c, i) => ({ ...c, id: `cell-${i}` })),
  };
}

const THREE_CELLS = notebook([
  cell("n = 10\nlabel = 'bench'", ["parameters"]),
  cell("total = sum(range(n))"),
  cell("print(label, total)"),
]);

function trivial(count: number): Notebook {
  return notebook(Array.from({ length: count }, (_, i) => cell(`x${i} = ${i}`)));
}

/** Runs a command `runs` times (it must succeed); wall-clock times in ms. */
function timeRuns(argv: string[], runs: number, cwd: string, after?: () => void): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: "utf8" });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
    after?.();
  }
  return times;
}

/** Median wall-clock (ms) of `runs` runs of a command. */
function coldMs(argv: string[], runs: number, cwd: string): number {
  return quantile(timeRuns(argv, runs, cwd), 0.5);
}

function metaTime(cell: Cell, section: string, key: string): number {
  const m = cell.metadata[section];
  const v = m && typeof m === "object" && !Array.isArray(m) ? m[key] : undefined;
  if (typeof v !== "string") throw new Error(`cell has no metadata.${section}.${key}`);
  // papermill writes naive UTC times; nbclient's end in Z.
  return Date.parse(v.endsWith("Z") ? v : `${v}Z`);
}

/**
 * Time per cell inside one run, from the executed notebook's own timestamps: first
 * cell's start to last cell's end over the cells between. Start-up and shutdown are
 * left out, so the figure compares the execution loops of the two tools.
 */
function perCellMs(path: string, tool: "updraft" | "nbclient"): number {
  const nb = parseNotebook(readFileSync(path, "utf8"), path);
  const cells = nb.cells.filter((c) => c.cell_type === "code");
  const first = cells[0]!;
  const last = cells.at(-1)!;
  const span =
    tool === "updraft"
      ? metaTime(last, "papermill", "end_time") - metaTime(first, "papermill", "start_time")
      : metaTime(last, "execution", "iopub.status.idle") -
        metaTime(first, "execution", "iopub.status.busy");
  return span / (cells.length - 1);
}

/** Median per-cell time of `runs` runs of a command over a many-cell notebook. */
function coldPerCellMs(
  argv: string[],
  out: string,
  tool: "updraft" | "nbclient",
  cwd: string,
): number {
  const spans: number[] = [];
  timeRuns(argv, 3, cwd, () => spans.push(perCellMs(out, tool)));
  return quantile(spans, 0.5);
}

function updraftRun(input: string, output: string): string[] {
  return [UPDRAFT, "notebook", "run", input, output, "-p", "n", "100", "--no-progress-bar"];
}

function nbconvert(input: string, output: string): string[] {
  return [PYTHON, "-m", "nbconvert", "--to", "notebook", "--execute", input, "--output", output];
}

/** Sum of the cells' own durations (papermill metadata) in an executed notebook, in ms. */
function cellWorkMs(path: string): number {
  const nb = parseNotebook(readFileSync(path, "utf8"), path);
  let total = 0;
  for (const c of nb.cells) {
    const pm = c.metadata["papermill"];
    if (pm && typeof pm === "object" && !Array.isArray(pm) && typeof pm["duration"] === "number") {
      total += pm["duration"] * 1000;
    }
  }
  return total;
}

interface WarmFigures {
  overheadMs: number;
  taskMs: number;
  runMs: number;
  cellsMs: number;
  perCellMs: number;
}

/** Runs a one-task notebook workflow `runs` times on one engine with a warm pool (exported for profiling). */
export async function warm(dir: string, nbFile: string, runs: number): Promise<WarmFigures> {
  const store = SqliteStore.open(join(dir, `warm-${nbFile}.db`));
  const runners = createRunnerRegistry({
    python: PYTHON,
    kernels: { env: process.env, home: homedir() },
    kernelPoolSize: 1,
  });
  const engine = new Engine({
    store,
    runners,
    dataDir: dir,
    // The CLI passes its own environment, so pooled kernels match the tasks: do the same.
    baseEnv: process.env,
  });
  const wf = workflowOf("bench-notebook", {
    nb: { type: "notebook", notebook: nbFile, params: { n: 100 }, outputs: [] },
  });
  const overheads: number[] = [];
  const tasks: number[] = [];
  const totals: number[] = [];
  const cells: number[] = [];
  const perCell: number[] = [];
  try {
    // Run 0 starts the pool (a cold kernel) and is not counted.
    for (let i = 0; i <= runs; i++) {
      const events: (EngineEvent & { t: number })[] = [];
      const off = engine.subscribe((e) => events.push({ ...e, t: performance.now() }));
      const t0 = performance.now();
      const handle = await engine.startRun({ workflow: wf, version: 1, params: {}, baseDir: dir });
      const run = await handle.finished;
      const wall = performance.now() - t0;
      off();
      if (run.state !== "succeeded") throw new Error(`warm run ${i} ended ${run.state}`);
      const started = events.find((e) => e.kind === "task" && e.state === "running")?.t ?? t0;
      const ended = events.find((e) => e.kind === "task" && e.state === "succeeded")?.t ?? t0;
      const outPath = join(dir, "runs", run.id, "nb", "1", "output.ipynb");
      const work = cellWorkMs(outPath);
      if (i > 0) {
        perCell.push(perCellMs(outPath, "updraft"));
        totals.push(wall);
        tasks.push(ended - started);
        cells.push(work);
        overheads.push(wall - work);
      }
      // Let the replacement kernel finish starting: a warm pool is what is measured.
      await new Promise((r) => setTimeout(r, 1500));
    }
  } finally {
    await runners.close?.();
    await store.close();
  }
  return {
    overheadMs: quantile(overheads, 0.5),
    taskMs: quantile(tasks, 0.5),
    runMs: quantile(totals, 0.5),
    cellsMs: quantile(cells, 0.5),
    perCellMs: quantile(perCell, 0.5),
  };
}

/** Runs the benchmark and returns its figures. */
export async function notebookBench(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "updraft-bench-nb-"));
  try {
    const write = (name: string, nb: Notebook): string => {
      const p = join(dir, name);
      writeFileSync(p, serializeNotebook(nb));
      return p;
    };
    const three = write("three.ipynb", THREE_CELLS);
    const many = write("many.ipynb", trivial(101));
    const out = join(dir, "out.ipynb");

    // Interleaved warm-up of both tools (page cache, .pyc files), not counted.
    coldMs(updraftRun(three, out), 1, dir);
    coldMs(nbconvert(three, out), 1, dir);
    // Alternated, so that a load change on a shared machine hits both tools alike.
    const updraftTimes: number[] = [];
    const nbconvertTimes: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      updraftTimes.push(...timeRuns(updraftRun(three, out), 1, dir));
      nbconvertTimes.push(...timeRuns(nbconvert(three, out), 1, dir));
    }
    const updraftCold = quantile(updraftTimes, 0.5);
    const nbconvertCold = quantile(nbconvertTimes, 0.5);

    const updraftPerCell = coldPerCellMs(updraftRun(many, out), out, "updraft", dir);
    const nbclientPerCell = coldPerCellMs(nbconvert(many, out), out, "nbclient", dir);

    const warmThree = await warm(dir, "three.ipynb", WARM_RUNS);
    const warmMany = await warm(dir, "many.ipynb", 3);

    return {
      bench: "notebook",
      kernel: "python3",
      cold_updraft_s: r3(updraftCold / 1000),
      cold_nbconvert_s: r3(nbconvertCold / 1000),
      cold_speedup: r3(nbconvertCold / updraftCold),
      warm_task_overhead_ms: r3(warmThree.overheadMs),
      warm_run_ms: r3(warmThree.runMs),
      warm_task_ms: r3(warmThree.taskMs),
      warm_cells_work_ms: r3(warmThree.cellsMs),
      per_cell_updraft_ms: r3(updraftPerCell),
      per_cell_nbclient_ms: r3(nbclientPerCell),
      per_cell_updraft_warm_task_ms: r3(warmMany.perCellMs),
      goals: { cold_s: 1.0, warm_overhead_ms: 100, per_cell_ms: 5 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
