/**
 * The designer core with 300 nodes: what one edit costs (operation, validation, canvas
 * nodes, YAML text, layout). Prints one JSON line of median milliseconds, as the root
 * benchmarks do. Run: `cd web && npm run bench`.
 */
import { bindParam } from "../src/core/bindings.js";
import { copyTasks, pasteTasks } from "../src/core/clipboard.js";
import { FlowCache, flowEdges } from "../src/core/flow.js";
import { connect } from "../src/core/graph.js";
import { commit, startHistory, undo } from "../src/core/history.js";
import { autoLayout } from "../src/core/layout.js";
import { emptyDoc, type DesignDoc } from "../src/core/model.js";
import { addTask, moveTasks, renameTask } from "../src/core/task-ops.js";
import { checkDoc } from "../src/core/validation.js";
import { parseYaml, toYaml } from "../src/core/yaml-text.js";

const N = 300;
const ROUNDS = 30;

function must<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r as Extract<T, { ok: true }>;
}

/** 300 shell tasks in 10 layers of 30, each needing two tasks of the layer before and binding an output. */
function build(): DesignDoc {
  let doc = emptyDoc("bench");
  for (let i = 0; i < N; i++) {
    const r = must(
      addTask(doc, "shell", { x: (i % 30) * 240, y: Math.floor(i / 30) * 100 }, `t${i}`),
    );
    doc = {
      ...r.doc,
      tasks: { ...r.doc.tasks, [`t${i}`]: { ...r.doc.tasks[`t${i}`]!, outputs: ["out"] } },
    };
  }
  for (let i = 30; i < N; i++) {
    doc = must(connect(doc, `t${i - 30}`, `t${i}`)).doc;
    doc = must(
      bindParam(doc, `t${i}`, "x", {
        kind: "output",
        task: `t${i - 29 - (i % 30 === 29 ? 30 : 0)}`,
        output: "out",
      }),
    ).doc;
  }
  return doc;
}

function median(times: number[]): number {
  const s = [...times].sort((a, b) => a - b);
  return Number((s[Math.floor(s.length / 2)] ?? 0).toFixed(3));
}

function time(fn: (round: number) => void): number {
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    fn(r);
    times.push(performance.now() - t0);
  }
  return median(times);
}

const t0 = performance.now();
const doc = build();
const buildMs = performance.now() - t0;
checkDoc(doc); // Compiles the schema once, as the page does on first render.
const cache = new FlowCache();
const issues = checkDoc(doc);
cache.nodesOf(doc, issues, new Set());

let dragged = doc;
let history = startHistory(doc);
const figures = {
  bench: "designer-core",
  nodes: N,
  edges: flowEdges(doc).length,
  build_all_ms: Number(buildMs.toFixed(1)),
  // One frame of a drag: move, commit (coalesced), canvas nodes (no re-validation: positions only).
  drag_frame_ms: time((r) => {
    dragged = moveTasks(dragged, { t150: { x: r, y: r } });
    history = commit(history, dragged, "move t150", "drag:1");
    cache.nodesOf(dragged, issues, new Set(["t150"]));
  }),
  validate_ms: time(() => checkDoc(doc)),
  connect_with_cycle_check_ms: time(() => connect(doc, "t0", "t299")),
  bind_output_adding_edge_ms: time(() =>
    bindParam(doc, "t299", "y", { kind: "output", task: "t1", output: "out" }),
  ),
  rename_rewriting_refs_ms: time(() => renameTask(doc, "t100", "renamed")),
  copy_paste_50_ms: time(() =>
    pasteTasks(
      doc,
      copyTasks(
        doc,
        Array.from({ length: 50 }, (_, i) => `t${i}`),
      ),
    ),
  ),
  to_yaml_ms: time(() => toYaml(doc)),
  parse_yaml_ms: time(() => parseYaml(toYaml(doc))),
  auto_layout_ms: time(() => autoLayout(doc)),
  undo_ms: time(() => undo(history)),
  flow_nodes_after_edit_ms: time((r) => {
    const edited = moveTasks(doc, { t7: { x: r, y: 0 } });
    cache.nodesOf(edited, checkDoc(edited), new Set());
  }),
};
console.log(JSON.stringify(figures));
