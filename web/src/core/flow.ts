/**
 * The canvas's nodes and edges derived from a document, in React Flow's shapes but
 * without importing it. Nodes of unchanged tasks keep their identity between calls, so
 * a 300-node canvas re-renders only what an edit touched.
 */
import { edgesOf } from "./graph.js";
import { getOwn, type DesignDoc, type Position, type TaskDraft } from "./model.js";
import type { IssueMap, PlacedIssue } from "./validation.js";

/** What a task node shows. */
export interface TaskNodeData {
  [key: string]: unknown;
  id: string;
  task: TaskDraft;
  issues: readonly PlacedIssue[];
}

/** A node as React Flow takes it. */
export interface FlowNode {
  id: string;
  type: "task";
  position: Position;
  data: TaskNodeData;
  selected: boolean;
  /** What a screen reader announces for the node. */
  ariaLabel: string;
  /** The size the canvas measured; React Flow shows a node only once it has one. */
  measured?: Size;
}

/** A node's measured size. */
export interface Size {
  width: number;
  height: number;
}

/** An edge as React Flow takes it. */
export interface FlowEdge {
  id: string;
  source: string;
  target: string;
  ariaLabel: string;
}

const NO_ISSUES: readonly PlacedIssue[] = [];
const ORIGIN: Position = { x: 0, y: 0 };

/** Remembers the last node of each task, to hand back the same object when nothing changed. */
export class FlowCache {
  private nodes = new Map<string, FlowNode>();
  private readonly sizes = new Map<string, Size>();

  /** Records the size the canvas measured for node `id` (its next node object carries it). */
  measure(id: string, size: Size): void {
    const old = this.sizes.get(id);
    if (old?.width === size.width && old.height === size.height) return;
    this.sizes.set(id, { width: size.width, height: size.height });
    this.nodes.delete(id);
  }

  /** The nodes of `doc` with issues and selection applied. */
  nodesOf(
    doc: DesignDoc,
    issues: IssueMap | undefined,
    selection: ReadonlySet<string>,
  ): FlowNode[] {
    const next = new Map<string, FlowNode>();
    const out: FlowNode[] = [];
    for (const [id, task] of Object.entries(doc.tasks)) {
      const position = getOwn(doc.positions, id) ?? ORIGIN;
      const taskIssues = issues?.tasks.get(id) ?? NO_ISSUES;
      const selected = selection.has(id);
      const old = this.nodes.get(id);
      const same =
        old !== undefined &&
        old.data.task === task &&
        old.position === position &&
        old.selected === selected &&
        sameIssues(old.data.issues, taskIssues);
      const size = this.sizes.get(id);
      const node: FlowNode = same
        ? old
        : {
            id,
            type: "task",
            position,
            selected,
            ariaLabel: nodeLabel(id, task, taskIssues.length),
            data: { id, task, issues: taskIssues },
          };
      if (!same && size !== undefined) node.measured = size;
      next.set(id, node);
      out.push(node);
    }
    this.nodes = next;
    return out;
  }
}

function sameIssues(a: readonly PlacedIssue[], b: readonly PlacedIssue[]): boolean {
  if (a === b) return true;
  return (
    a.length === b.length && a.every((x, i) => x.path === b[i]?.path && x.message === b[i]?.message)
  );
}

function nodeLabel(id: string, task: TaskDraft, problems: number): string {
  const issues = problems === 0 ? "" : `, ${problems} problem${problems === 1 ? "" : "s"}`;
  return `Task ${id}, ${task.type}${issues}`;
}

/** The edges of `doc`; ids are `source->target`. */
export function flowEdges(doc: DesignDoc): FlowEdge[] {
  return edgesOf(doc).map(([source, target]) => ({
    id: `${source}->${target}`,
    source,
    target,
    ariaLabel: `${target} needs ${source}`,
  }));
}

/** Ids of tasks without a position (placed by auto-layout when a document is opened). */
export function unplaced(doc: DesignDoc): string[] {
  return Object.keys(doc.tasks).filter((id) => getOwn(doc.positions, id) === undefined);
}
