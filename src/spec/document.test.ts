import { describe, expect, it } from "vitest";
import { workflowToDocument } from "./document.js";
import { parseWorkflowText, validateWorkflowDocument } from "./parse.js";

/** The example of DESIGN.md §2. */
const DESIGN_EXAMPLE = `
name: iris-training                 # [a-z][a-z0-9_-]{0,62}; unique in a server
description: Train and evaluate a classifier
schedule: "0 2 * * *"              # optional: 5-field cron or @hourly/@daily/@weekly/@monthly
timezone: UTC                       # optional, IANA name
catchup: false                      # optional: create missed scheduled runs on resume
params:                             # workflow ("global") params, typed
  test_size: { type: number, default: 0.2, minimum: 0, maximum: 1 }
  model:     { type: string, enum: [logreg, forest], default: logreg }
defaults:                           # applied to every task unless it overrides
  retries: 1
  retryDelay: 10s
  timeout: 30m
tasks:
  prepare:
    type: notebook
    notebook: notebooks/prepare.ipynb        # relative to the workflow file / library root
    params: { test_size: "{{ params.test_size }}" }   # local (task) params
    outputs: [train_path, n_rows]            # values this task publishes
  train:
    type: notebook
    notebook: notebooks/train.ipynb
    needs: [prepare]
    params:
      train_path: "{{ tasks.prepare.outputs.train_path }}"
      model: "{{ params.model }}"
    outputs: [accuracy]
  gate:
    type: condition
    needs: [train]
    left: "{{ tasks.train.outputs.accuracy }}"
    op: ">="                                  # == != > >= < <=
    right: 0.9
  report:
    type: rmarkdown
    file: report.Rmd
    needs: [gate]
ui:                                           # designer layout only; no effect on runs
  positions: { prepare: { x: 0, y: 0 }, train: { x: 240, y: 0 } }
`;

const EVERY_TYPE = `
name: every-type
maxActiveRuns: 2
params: { n: { type: integer, default: 2, description: "count" } }
defaults: { retries: 2, retryDelay: 5, env: { A: 1, B: true } }
tasks:
  nb: { type: notebook, notebook: a.ipynb, kernel: python3, outputs: [x] }
  py: { type: python, script: s.py, args: [1, "{{ params.n }}"], needs: [nb] }
  rs: { type: r, code: "print(1)" }
  rmd: { type: rmarkdown, file: r.Rmd, format: html_document }
  sh: { type: shell, command: [echo, "{{ tasks.nb.outputs.x }}"], needs: [nb], when: all_done }
  tt: { type: torch, script: t.py, replicas: 2, resources: { gpu: 1, cpu: "500m", memory: 4Gi } }
  tf: { type: tensorflow, script: t.py }
  dk: { type: dask, script: d.py, args: [a] }
  sp: { type: spark, application: app.py, conf: { spark.executor.memory: 2g, spark.x: 3 }, executors: 4 }
  cond: { type: condition, left: "{{ tasks.nb.outputs.x }}", op: "==", right: { a: [1] }, needs: [nb] }
  none: { type: empty, timeout: 1h, retryBackoff: exponential, retryMaxDelay: 10m, pool: gpu, image: "py:3.12" }
ui: { positions: { nb: { x: 1, y: 2.5 } } }
`;

describe("normalization", () => {
  it("parses the DESIGN.md example without issues", () => {
    const wf = parseWorkflowText(DESIGN_EXAMPLE);
    expect(Object.keys(wf.tasks)).toEqual(["prepare", "train", "gate", "report"]);
    expect(wf.params["test_size"]).toEqual({
      type: "number",
      default: 0.2,
      minimum: 0,
      maximum: 1,
    });
  });

  it("fills the optional lists and maps, leaves when unset", () => {
    const wf = parseWorkflowText("name: ok\ntasks:\n  a: { type: python, script: a.py }\n");
    expect(wf).toEqual({
      name: "ok",
      catchup: false,
      params: {},
      defaults: {},
      tasks: {
        a: { type: "python", needs: [], params: {}, outputs: [], script: "a.py", args: [] },
      },
    });
    expect("when" in wf.tasks["a"]!).toBe(false);
    const spark = parseWorkflowText("name: ok\ntasks:\n  s: { type: spark, application: a.py }\n");
    expect(spark.tasks["s"]).toMatchObject({ args: [], conf: {} });
  });

  it("turns numeric durations into seconds and env/conf values into strings", () => {
    const wf = parseWorkflowText(EVERY_TYPE);
    expect(wf.defaults).toEqual({ retries: 2, retryDelay: "5s", env: { A: "1", B: "true" } });
    expect(wf.tasks["sp"]).toMatchObject({
      conf: { "spark.executor.memory": "2g", "spark.x": "3" },
    });
  });
});

describe("workflowToDocument", () => {
  it.each([
    ["the DESIGN example", DESIGN_EXAMPLE],
    ["every task type", EVERY_TYPE],
  ])("round-trips %s through validateWorkflowDocument", (_label, text) => {
    const wf = parseWorkflowText(text);
    const doc = workflowToDocument(wf);
    const json = JSON.parse(JSON.stringify(doc)) as unknown;
    expect(json).toEqual(doc);
    const again = validateWorkflowDocument(json);
    expect(again.issues).toEqual([]);
    expect(again.workflow).toEqual(wf);
    expect(workflowToDocument(again.workflow!)).toEqual(doc);
  });

  it("writes keys in a stable order whatever the input order", () => {
    const a = parseWorkflowText(
      "tasks: { t: { needs: [], type: empty } }\nname: ok\ncatchup: true\n",
    );
    const b = parseWorkflowText(
      "name: ok\ncatchup: true\ntasks: { t: { type: empty, needs: [] } }\n",
    );
    expect(JSON.stringify(workflowToDocument(a))).toBe(JSON.stringify(workflowToDocument(b)));
    expect(Object.keys(workflowToDocument(a))).toEqual([
      "name",
      "catchup",
      "params",
      "defaults",
      "tasks",
    ]);
    expect(Object.keys(workflowToDocument(a)["tasks"] as object)).toEqual(["t"]);
  });

  it("does not share objects with the workflow", () => {
    const wf = parseWorkflowText(EVERY_TYPE);
    const doc = workflowToDocument(wf) as { tasks: { cond: { right: { a: number[] } } } };
    doc.tasks.cond.right.a.push(2);
    expect(wf.tasks["cond"]).toMatchObject({ right: { a: [1] } });
  });
});
