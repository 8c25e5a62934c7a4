/**
 * The run's graph: the tasks of the workflow version the run executed, placed where the
 * designer saved them (or by the designer's auto-layout when any is unplaced), edges from
 * `needs`. Without a readable document the run's tasks stand in a row, unconnected.
 */
import { readDocument } from "../core/document-io.js";
import { edgesOf } from "../core/graph.js";
import { layoutPositions, NODE_SIZE } from "../core/layout.js";
import type { JsonObject, Position } from "../core/model.js";

/** Where the run's tasks go and how they connect. */
export interface RunGraphLayout {
  positions: Record<string, Position>;
  edges: { id: string; source: string; target: string }[];
  /** Task type by id, when the document says. */
  types: Record<string, string>;
}

/** Lays out `taskIds` (the run's tasks) from the document of the run's version. */
export function runGraphLayout(
  document: JsonObject | undefined,
  taskIds: readonly string[],
): RunGraphLayout {
  const read = document === undefined ? undefined : readDocument(document);
  const present = new Set(taskIds);
  const positions: Record<string, Position> = {};
  const types: Record<string, string> = {};
  let edges: RunGraphLayout["edges"] = [];
  if (read?.ok === true) {
    const doc = read.doc;
    const saved = Object.keys(doc.tasks).every((id) => Object.hasOwn(doc.positions, id));
    const placed = saved ? doc.positions : layoutPositions(doc);
    for (const id of taskIds) {
      const p = Object.hasOwn(placed, id) ? placed[id] : undefined;
      if (p !== undefined) positions[id] = p;
      const t = Object.hasOwn(doc.tasks, id) ? doc.tasks[id] : undefined;
      if (t !== undefined) types[id] = t.type;
    }
    edges = edgesOf(doc)
      .filter(([s, t]) => present.has(s) && present.has(t))
      .map(([source, target]) => ({ id: `${source}->${target}`, source, target }));
  }
  // Tasks the document does not place (or no document): a row under the rest.
  const bottom = Math.max(0, ...Object.values(positions).map((p) => p.y + NODE_SIZE.height + 40));
  let x = 0;
  for (const id of taskIds) {
    if (positions[id] !== undefined) continue;
    positions[id] = { x, y: bottom };
    x += NODE_SIZE.width + 32;
  }
  return { positions, edges, types };
}
