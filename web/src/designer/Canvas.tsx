/**
 * The canvas: React Flow showing the document's tasks and needs. It holds no document
 * state of its own; drags, connections, deletions and drops become core operations
 * through the designer hook, so each is one undo step (a whole drag included).
 */
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type OnDelete,
} from "@xyflow/react";
import { useCallback, useMemo, useRef, useState, type DragEvent } from "react";
import { FlowCache, flowEdges } from "../core/flow.js";
import { connect, disconnect } from "../core/graph.js";
import type { DesignDoc, Position } from "../core/model.js";
import { deleteTasks, moveTasks } from "../core/task-ops.js";
import { TaskNode, type TaskFlowNode } from "./TaskNode.js";
import { readPaletteDrag, type PaletteItem } from "./palette-drag.js";
import type { Designer } from "./useDesigner.js";

const NODE_TYPES = { task: TaskNode };

/** Props of the canvas. */
export interface CanvasProps {
  designer: Designer;
  /** Adds what was dropped from the palette at a canvas position. */
  onDropItem: (item: PaletteItem, at: Position) => void;
}

/** The React Flow canvas of the designer (must be inside a ReactFlowProvider). */
export function Canvas({ designer, onDropItem }: CanvasProps) {
  const { doc, issues, selection, apply, select, seal } = designer;
  const flow = useReactFlow();
  // One cache per canvas, kept across renders (it remembers node objects and sizes).
  const [cache] = useState(() => new FlowCache());
  const [measureTick, setMeasureTick] = useState(0);
  const [selectedEdges, setSelectedEdges] = useState<ReadonlySet<string>>(new Set());
  const drag = useRef(0);
  // Fit a workflow that opens with tasks; on an empty canvas React Flow would fit (and so
  // move) the view when the first node is dropped, and the node would jump from the pointer.
  const [fitOnOpen] = useState(() => Object.keys(doc.tasks).length > 0);

  const nodes = useMemo(
    () => cache.nodesOf(doc, issues, selection) as TaskFlowNode[],
    // measureTick: a measured size changes node objects without a document change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [cache, doc, issues, selection, measureTick],
  );
  const edges = useMemo(
    () => flowEdges(doc).map((e) => ({ ...e, selected: selectedEdges.has(e.id) })),
    [doc, selectedEdges],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<TaskFlowNode>[]) => {
      const moves: Record<string, Position> = {};
      let selectionChanged = false;
      const nextSelection = new Set(selection);
      let measured = false;
      for (const c of changes) {
        if (c.type === "position" && c.position !== undefined) moves[c.id] = c.position;
        else if (c.type === "select") {
          selectionChanged = true;
          if (c.selected) nextSelection.add(c.id);
          else nextSelection.delete(c.id);
        } else if (c.type === "dimensions" && c.dimensions !== undefined) {
          cache.measure(c.id, c.dimensions);
          measured = true;
        }
      }
      const ids = Object.keys(moves);
      if (ids.length > 0) {
        const label = ids.length === 1 ? `move ${ids[0]}` : `move ${ids.length} tasks`;
        apply((d: DesignDoc) => moveTasks(d, moves), label, { coalesce: `drag:${drag.current}` });
      }
      if (selectionChanged) select([...nextSelection]);
      if (measured) setMeasureTick((t) => t + 1);
    },
    [apply, cache, select, selection],
  );

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setSelectedEdges((prev) => {
      const next = new Set(prev);
      for (const c of changes) {
        if (c.type === "select") {
          if (c.selected) next.add(c.id);
          else next.delete(c.id);
        }
      }
      return next;
    });
  }, []);

  const onConnect = useCallback(
    (c: Connection) =>
      apply((d: DesignDoc) => connect(d, c.source, c.target), `connect ${c.source} -> ${c.target}`),
    [apply],
  );

  const onDelete: OnDelete<TaskFlowNode> = useCallback(
    ({ nodes: gone, edges: cut }) => {
      const ids = gone.map((n) => n.id);
      const pairs = cut.map((e) => [e.source, e.target] as const);
      const what = [
        ids.length > 0 ? `delete ${ids.join(", ")}` : "",
        pairs.length > 0 ? `disconnect ${pairs.length}` : "",
      ];
      apply(
        (d: DesignDoc) => pairs.reduce((acc, [s, t]) => disconnect(acc, s, t), deleteTasks(d, ids)),
        what.filter((w) => w !== "").join(", "),
      );
      setSelectedEdges(new Set());
    },
    [apply],
  );

  const onDrop = useCallback(
    (event: DragEvent) => {
      const item = readPaletteDrag(event.dataTransfer);
      if (item === undefined) return;
      event.preventDefault();
      onDropItem(item, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    },
    [flow, onDropItem],
  );

  return (
    <div
      className="canvas"
      onDrop={onDrop}
      onDragOver={(e) => e.preventDefault()}
      aria-label="Workflow canvas"
    >
      <ReactFlow<TaskFlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onDelete={onDelete}
        onNodeDragStart={() => {
          drag.current += 1;
        }}
        onNodeDragStop={seal}
        deleteKeyCode={["Delete", "Backspace"]}
        fitView={fitOnOpen}
        fitViewOptions={{ maxZoom: 1 }}
        minZoom={0.1}
        onlyRenderVisibleElements
      >
        <Background />
        <Controls />
        <MiniMap pannable zoomable ariaLabel="Minimap of the workflow" />
      </ReactFlow>
    </div>
  );
}
