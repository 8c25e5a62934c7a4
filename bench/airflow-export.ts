/**
 * `airflow-export`: generates the DAG files of 1,000 workflows (8 tasks each, with
 * params, references and a condition) in memory; the issue asks for under a second.
 * Then syncs them into an empty DAGs folder as `updraft airflow deploy` does, and
 * again with nothing changed (the no-op deploy a CI job repeats).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateAirflowDag } from "../src/airflow/dag-codegen.js";
import { syncDagFolder } from "../src/airflow/dag-folder.js";
import { validateWorkflowDocument } from "../src/spec/parse.js";
import type { Workflow } from "../src/spec/types.js";
import { r3 } from "./harness.js";

const COUNT = 1000;

function workflow(i: number): Workflow {
  const tasks: Record<string, unknown> = {
    prepare: {
      type: "notebook",
      notebook: "nb/prepare.ipynb",
      params: { size: "{{ params.size }}", day: "{{ run.ds }}" },
      outputs: ["path", "rows"],
    },
  };
  for (let t = 0; t < 5; t++) {
    tasks[`train-${t}`] = {
      type: "python",
      needs: ["prepare"],
      script: "train.py",
      args: ["--data", "{{ tasks.prepare.outputs.path }}", "--seed", t],
      outputs: ["accuracy"],
      retries: 2,
    };
  }
  tasks["gate"] = {
    type: "condition",
    needs: ["train-0"],
    left: "{{ tasks.train-0.outputs.accuracy }}",
    op: ">=",
    right: 0.9,
  };
  tasks["publish"] = { type: "shell", needs: ["gate"], command: "echo publish" };
  const doc = {
    name: `wf-${i}`,
    description: `Workflow number ${i}`,
    schedule: "0 2 * * *",
    timezone: "Europe/Paris",
    params: { size: { type: "number", default: 0.2, minimum: 0, maximum: 1 } },
    defaults: { retryDelay: "30s", timeout: "1h" },
    tasks,
  };
  const { workflow: w, issues } = validateWorkflowDocument(doc);
  if (w === undefined) throw new Error(JSON.stringify(issues));
  return w;
}

/** Runs the benchmark and returns its figures. */
export function airflowExport(): Promise<Record<string, unknown>> {
  const workflows = Array.from({ length: COUNT }, (_, i) => workflow(i));
  // Warm-up, so the figure is the steady state rather than the JIT compiling.
  for (const w of workflows.slice(0, 100)) generateAirflowDag(w, { version: 1 });
  const start = performance.now();
  let bytes = 0;
  const files = workflows.map((w) => ({
    name: w.name,
    code: generateAirflowDag(w, { version: 1 }),
  }));
  for (const f of files) bytes += f.code.length;
  const ms = performance.now() - start;
  const dir = mkdtempSync(join(tmpdir(), "updraft-bench-dags-"));
  let deployMs: number;
  let noopMs: number;
  try {
    const t0 = performance.now();
    syncDagFolder(dir, files);
    deployMs = performance.now() - t0;
    const t1 = performance.now();
    syncDagFolder(dir, files);
    noopMs = performance.now() - t1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return Promise.resolve({
    bench: "airflow-export",
    workflows: COUNT,
    export_s: r3(ms / 1000),
    per_workflow_ms: r3(ms / COUNT),
    mb: r3(bytes / 1e6),
    goal_s: 1,
    deploy_s: r3(deployMs / 1000),
    noop_deploy_s: r3(noopMs / 1000),
  });
}
