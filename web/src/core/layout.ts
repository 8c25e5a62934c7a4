/**
 * Auto-layout: tasks in left-to-right layers by dependency (dagre's layered, Sugiyama
 * style layout), so every edge points right. Synchronous, so a layout is one undo step.
 */
import { Graph, layout } from "@dagrejs/dagre";
import { edgesOf } from "./graph.js";
import { moveTasks } from "./task-ops.js";
import type { DesignDoc, Position } from "./model.js";

/** Size of a node on the canvas, as the React layer draws it. */
export const NODE_SIZE = { width: 220, height: 72 } as const;

/** Layout spacing in canvas units. */
export interface LayoutOptions {
  /** Gap between layers (left to right). */
  rankGap?: number;
  /** Gap between nodes in one layer (top to bottom). */
  nodeGap?: number;
}

/** New positions for every task: layers left to right, top-left corners, rounded. */
export function layoutPositions(
  doc: DesignDoc,
  opts: LayoutOptions = {},
): Record<string, Position> {
  const g = new Graph();
  // Network simplex gives the tidiest layers but costs about a second with 300 densely
  // connected tasks (web/bench); past 150 tasks the cheaper tight-tree ranking is used.
  const ranker = Object.keys(doc.tasks).length > 150 ? "tight-tree" : "network-simplex";
  g.setGraph({
    rankdir: "LR",
    ranker,
    ranksep: opts.rankGap ?? 80,
    nodesep: opts.nodeGap ?? 32,
    marginx: 0,
    marginy: 0,
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of Object.keys(doc.tasks))
    g.setNode(id, { width: NODE_SIZE.width, height: NODE_SIZE.height });
  for (const [source, target] of edgesOf(doc)) g.setEdge(source, target);
  layout(g);
  const out: Record<string, Position> = {};
  for (const id of Object.keys(doc.tasks)) {
    const n = g.node(id) as { x: number; y: number } | undefined;
    if (n === undefined) continue;
    // dagre gives centres; the canvas places nodes by their top-left corner.
    Object.defineProperty(out, id, {
      value: {
        x: Math.round(n.x - NODE_SIZE.width / 2),
        y: Math.round(n.y - NODE_SIZE.height / 2),
      },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The document with every task placed by {@link layoutPositions}. */
export function autoLayout(doc: DesignDoc, opts: LayoutOptions = {}): DesignDoc {
  return moveTasks(doc, layoutPositions(doc, opts));
}
