/**
 * The ml-pipeline example end to end with the real bin/updraft, real kernels (python3, ir)
 * and scikit-learn: the values each task publishes, the gate, the R report and the executed
 * notebooks kept under the data directory.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseNotebook } from "../src/notebook/nbformat.js";
import type { Notebook } from "../src/notebook/types.js";
import type { JsonValue } from "../src/spec/types.js";
import { ROOT, cliSandbox } from "./cli-helpers.js";

const EXAMPLE_DIR = join(ROOT, "examples", "ml-pipeline");
const WORKFLOW = join(EXAMPLE_DIR, "ml-pipeline.yaml");
const NOTEBOOK_TASKS = ["prepare", "train_logreg", "train_forest", "evaluate", "report"] as const;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// The whole pipeline takes seconds alone; the margin is for a machine shared with other tests.
const RUN_TIMEOUT_MS = 120_000;

interface TaskRun {
  state: string;
  attempts: number;
  outputs: Record<string, JsonValue>;
  startedAt: string;
  endedAt: string;
  error: string | null;
}
interface Run {
  id: string;
  state: string;
  tasks: Record<string, TaskRun>;
}

const sandbox = cliSandbox("updraft-ml-pipeline-");
const DATA_DIR = sandbox.env["UPDRAFT_DATA_DIR"] ?? join(sandbox.work, "data");
afterAll(sandbox.cleanup);
const exampleFiles = (): string[] =>
  readdirSync(EXAMPLE_DIR, { recursive: true }).map(String).sort();
const filesBefore = exampleFiles();

/** Runs the example with its data written inside the sandbox; returns the parsed run. */
function runPipeline(extra: string[], workRoot: string): Run {
  const r = sandbox.updraft(["run", WORKFLOW, "--json", "-p", "work_root", workRoot, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Run;
}

function task(run: Run, id: string): TaskRun {
  const t = run.tasks[id];
  if (!t) throw new Error(`task ${id} missing from the run: ${Object.keys(run.tasks).join(", ")}`);
  return t;
}

function num(t: TaskRun, name: string): number {
  const v = t.outputs[name];
  if (typeof v !== "number")
    throw new Error(`output ${name} is not a number: ${JSON.stringify(v)}`);
  return v;
}

function str(t: TaskRun, name: string): string {
  const v = t.outputs[name];
  if (typeof v !== "string")
    throw new Error(`output ${name} is not a string: ${JSON.stringify(v)}`);
  return v;
}

function outputNotebook(run: Run, id: string): Notebook {
  const path = join(DATA_DIR, "runs", run.id, id, "1", "output.ipynb");
  return parseNotebook(readFileSync(path, "utf8"), path);
}

function pngOutputs(nb: Notebook): number {
  let n = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    for (const o of cell.outputs) {
      if (
        (o.output_type === "display_data" || o.output_type === "execute_result") &&
        "image/png" in o.data
      )
        n++;
    }
  }
  return n;
}

describe("examples/ml-pipeline", () => {
  it("validates, with a daily schedule", () => {
    const r = sandbox.updraft(["validate", WORKFLOW]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain("ml-pipeline, 6 tasks");
    expect(readFileSync(WORKFLOW, "utf8")).toMatch(/^schedule: "@daily"$/m);
  });

  it("refuses a dataset that is not offered, before running anything", () => {
    const r = sandbox.updraft(["run", WORKFLOW, "-p", "dataset", "iris"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('param "dataset"');
    expect(r.stderr).toContain("breast_cancer");
    expect(r.stderr).not.toMatch(/^\s+at .*\.js/m);
    expect(existsSync(join(DATA_DIR, "runs"))).toBe(false);
  });

  describe("a run with the default params", () => {
    const workRoot = join(sandbox.work, "ml-data");
    let run: Run;
    beforeAll(() => {
      run = runPipeline([], workRoot);
    }, RUN_TIMEOUT_MS);

    it("succeeds with every task succeeded once", () => {
      expect(run.state).toBe("succeeded");
      expect(Object.keys(run.tasks).sort()).toEqual([...NOTEBOOK_TASKS, "good_enough"].sort());
      for (const [id, t] of Object.entries(run.tasks)) {
        expect([id, t.state, t.attempts, t.error]).toEqual([id, "succeeded", 1, null]);
      }
    });

    it("prepare splits breast cancer and writes the files under work_root/<run id>", () => {
      const p = task(run, "prepare");
      expect(p.outputs).toMatchObject({
        data_dir: join(workRoot, run.id),
        n_rows: 569,
        n_features: 30,
        class_names: ["malignant", "benign"],
        class_balance: { malignant: 212, benign: 357 },
      });
      expect(num(p, "n_train") + num(p, "n_test")).toBe(569);
      expect(num(p, "n_test")).toBe(Math.ceil(569 * 0.25));
      const header = (path: string) => (readFileSync(path, "utf8").split("\n")[0] ?? "").split(",");
      for (const [name, rows] of [
        ["train_path", num(p, "n_train")],
        ["test_path", num(p, "n_test")],
      ] as const) {
        const path = str(p, name);
        expect(path.startsWith(join(workRoot, run.id))).toBe(true);
        const lines = readFileSync(path, "utf8").trimEnd().split("\n");
        expect(lines.length).toBe(rows + 1);
        expect(header(path)).toHaveLength(31);
        expect(header(path)).toContain("target");
      }
    });

    it("both models train in parallel and score plausibly", () => {
      const prep = task(run, "prepare");
      const a = task(run, "train_logreg");
      const b = task(run, "train_forest");
      for (const t of [a, b]) {
        expect(num(t, "accuracy")).toBeGreaterThan(0.85);
        expect(num(t, "accuracy")).toBeLessThanOrEqual(1);
        expect(num(t, "f1")).toBeGreaterThan(0.85);
        expect(num(t, "f1")).toBeLessThanOrEqual(1);
        expect(existsSync(str(t, "model_path"))).toBe(true);
        expect(t.startedAt >= prep.endedAt).toBe(true);
      }
      expect(str(a, "model_path")).toBe(join(workRoot, run.id, "logreg.joblib"));
      expect(str(b, "model_path")).toBe(join(workRoot, run.id, "forest.joblib"));
      // Each started before the other ended: they ran side by side, not one after the other.
      expect(a.startedAt < b.endedAt && b.startedAt < a.endedAt).toBe(true);
    });

    it("evaluate picks the model with the higher accuracy and publishes both metrics", () => {
      const a = task(run, "train_logreg");
      const b = task(run, "train_forest");
      const e = task(run, "evaluate");
      expect(e.startedAt >= a.endedAt && e.startedAt >= b.endedAt).toBe(true);
      const accA = num(a, "accuracy");
      const accB = num(b, "accuracy");
      expect(e.outputs["metrics"]).toEqual({
        logreg: { accuracy: accA, f1: num(a, "f1") },
        forest: { accuracy: accB, f1: num(b, "f1") },
      });
      expect(num(e, "best_accuracy")).toBe(Math.max(accA, accB));
      const expected = accA >= accB ? "logreg" : "forest";
      // With equal accuracies the tie-break (f1, then the simpler model) decides.
      if (accA !== accB) expect(str(e, "best_model")).toBe(expected);
      expect(str(e, "best_model_path")).toBe(
        str(
          task(run, str(e, "best_model") === "logreg" ? "train_logreg" : "train_forest"),
          "model_path",
        ),
      );
    });

    it("the gate passes at the default min_accuracy and the R report runs on the metrics", () => {
      expect(task(run, "good_enough").outputs).toEqual({ result: true });
      const e = task(run, "evaluate");
      const r = task(run, "report");
      expect(r.state).toBe("succeeded");
      const summary = str(r, "report_summary");
      expect(summary).toContain(`${str(e, "best_model")} wins on breast_cancer`);
      expect(summary).toContain(num(e, "best_accuracy").toFixed(3));
      const png = readFileSync(str(r, "report_path"));
      expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
      const csv = readFileSync(join(workRoot, run.id, "metrics.csv"), "utf8");
      expect(csv.split("\n")[0]).toBe('"model","accuracy","f1"');
      expect(csv).toContain('"logreg",');
      expect(csv).toContain('"forest",');
    });

    it("keeps every executed notebook, with injected values and plots", () => {
      for (const id of NOTEBOOK_TASKS) {
        const nb = outputNotebook(run, id);
        const meta = nb.metadata["papermill"] as {
          exception?: unknown;
          parameters?: Record<string, JsonValue>;
        };
        expect([id, meta.exception]).toEqual([id, null]);
        const tagged = nb.cells.map((c) => (c.metadata["tags"] as string[] | undefined) ?? []);
        expect(tagged.findIndex((t) => t.includes("injected-parameters"))).toBe(
          tagged.findIndex((t) => t.includes("parameters")) + 1,
        );
        expect(nb.cells.every((c) => c.cell_type !== "code" || c.execution_count !== null)).toBe(
          true,
        );
        expect(nb.cells[0]?.cell_type).toBe("markdown");
      }
      for (const id of ["train_logreg", "train_forest", "evaluate", "report"]) {
        expect([id, pngOutputs(outputNotebook(run, id))]).toEqual([id, 1]);
      }
      expect(pngOutputs(outputNotebook(run, "prepare"))).toBe(0);
      // Values flowed: what evaluate and report received is what upstream published.
      const evalParams = (
        outputNotebook(run, "evaluate").metadata["papermill"] as {
          parameters: Record<string, JsonValue>;
        }
      ).parameters;
      expect(evalParams["forest_accuracy"]).toBe(task(run, "train_forest").outputs["accuracy"]);
      expect(evalParams["test_path"]).toBe(task(run, "prepare").outputs["test_path"]);
      const logregParams = (
        outputNotebook(run, "train_logreg").metadata["papermill"] as {
          parameters: Record<string, JsonValue>;
        }
      ).parameters;
      expect(logregParams["class_names"]).toEqual(["malignant", "benign"]);
      expect(logregParams["C"]).toBe(1);
      const reportNb = outputNotebook(run, "report");
      expect(
        (reportNb.metadata["papermill"] as { parameters: Record<string, JsonValue> }).parameters[
          "metrics"
        ],
      ).toEqual(task(run, "evaluate").outputs["metrics"]);
      expect(reportNb.metadata["kernelspec"]).toMatchObject({ name: "ir" });
    });

    it("evaluate refuses a saved model whose score differs from what its notebook reported", () => {
      const prep = task(run, "prepare");
      const out = join(sandbox.work, "evaluate-mismatch.ipynb");
      const r = sandbox.updraft([
        "notebook",
        "run",
        join(EXAMPLE_DIR, "notebooks", "evaluate.ipynb"),
        out,
        "-r",
        "test_path",
        str(prep, "test_path"),
        "-r",
        "logreg_model_path",
        str(task(run, "train_logreg"), "model_path"),
        "-r",
        "forest_model_path",
        str(task(run, "train_forest"), "model_path"),
        "-p",
        "forest_accuracy",
        "0.5",
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("forest: the saved model's accuracy is");
      expect(r.stderr).toContain("its notebook reported 0.5");
      expect(existsSync(out)).toBe(true);
    });

    it("writes nothing into the example's own directory", () => {
      expect(exampleFiles()).toEqual(filesBefore);
    });
  });

  it(
    "skips the report when the best model is not good enough",
    () => {
      const run = runPipeline(
        ["-p", "min_accuracy", "1", "-p", "forest_n_estimators", "10"],
        join(sandbox.work, "gated"),
      );
      expect(run.state).toBe("succeeded");
      expect(num(task(run, "evaluate"), "best_accuracy")).toBeLessThan(1);
      expect(task(run, "good_enough").outputs).toEqual({ result: false });
      expect(task(run, "report").state).toBe("skipped");
      expect(existsSync(join(DATA_DIR, "runs", run.id, "report"))).toBe(false);
      expect(existsSync(join(sandbox.work, "gated", run.id, "report.png"))).toBe(false);
    },
    RUN_TIMEOUT_MS,
  );
});
