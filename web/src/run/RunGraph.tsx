/**
 * The run's graph in React Flow, read-only: each task a button coloured and labelled by
 * its state (focusable, Enter or a click opens the task panel).
 */
import {
  Background,
  Controls,
  Handle,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Node,
  type NodeChange,
  type NodeProps,
} from "@xyflow/react";
import { memo, useCallback, useEffect, useMemo, useRef, useState, type RefObject } from "react";
import type { RunView } from "../api/types.js";
import type { JsonObject } from "../core/model.js";
import { NODE_SIZE } from "../core/layout.js";
import { runGraphLayout } from "./run-graph.js";
import { stateLabel } from "./run-model.js";

interface RunNodeData {
  [key: string]: unknown;
  id: string;
  type: string;
  state: string;
  attempts: number;
  selected: boolean;
}

type RunFlowNode = Node<RunNodeData, "runTask">;

const RunTaskNode = memo(function RunTaskNode({ data }: NodeProps<RunFlowNode>) {
  const label = stateLabel(data.state);
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <button
        type="button"
        className={`run-node state-${data.state}${data.selected ? " selected" : ""}`}
        style={{ width: NODE_SIZE.width, minHeight: NODE_SIZE.height }}
        aria-label={`Task ${data.id}: ${label}${data.attempts > 1 ? `, ${data.attempts} attempts` : ""}`}
        aria-pressed={data.selected}
      >
        <span className="run-node-head">
          <span className="run-node-id">{data.id}</span>
          <span className="run-node-type">{data.type}</span>
        </span>
        <span className="run-node-state">
          <span className={`state-dot state-${data.state}`} aria-hidden="true" />
          {label}
          {data.attempts > 1 && ` · attempt ${data.attempts}`}
        </span>
      </button>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </>
  );
});

const NODE_TYPES = { runTask: RunTaskNode };

/** Fits the graph into its box again whenever the box changes size (the task panel opening). */
function FitOnResize({ box }: { box: RefObject<HTMLDivElement | null> }) {
  const flow = useReactFlow();
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => void flow.fitView({ maxZoom: 1 }));
    });
    observer.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, [box, flow]);
  return null;
}

/** Props of the run graph. */
export interface RunGraphProps {
  run: RunView;
  document: JsonObject | undefined;
  selected: string | undefined;
  onOpen: (task: string) => void;
}

/** The graph of a run, coloured by task state. */
export function RunGraph({ run, document, selected, onOpen }: RunGraphProps) {
  const ids = useMemo(() => Object.keys(run.tasks), [run.tasks]);
  const idKey = ids.join("\n");
  // The layout depends on the document and the task ids only, not on states.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const layout = useMemo(() => runGraphLayout(document, ids), [document, idKey]);
  // Nodes are rebuilt when states change; React Flow shows a node only with a size, so the
  // sizes it measured are kept here and handed back on each rebuilt node.
  const [sizes, setSizes] = useState<Record<string, { width: number; height: number }>>({});
  const onNodesChange = useCallback((changes: NodeChange<RunFlowNode>[]) => {
    const measured = changes.flatMap((c) =>
      c.type === "dimensions" && c.dimensions !== undefined ? [[c.id, c.dimensions] as const] : [],
    );
    if (measured.length === 0) return;
    setSizes((old) =>
      measured.every(([id, d]) => old[id]?.width === d.width && old[id]?.height === d.height)
        ? old
        : { ...old, ...Object.fromEntries(measured) },
    );
  }, []);
  const nodes = useMemo<RunFlowNode[]>(
    () =>
      ids.map((id) => {
        const t = run.tasks[id]!;
        const size = Object.hasOwn(sizes, id) ? sizes[id] : undefined;
        return {
          id,
          type: "runTask",
          position: layout.positions[id] ?? { x: 0, y: 0 },
          initialWidth: NODE_SIZE.width,
          initialHeight: NODE_SIZE.height,
          ...(size !== undefined ? { measured: size } : {}),
          data: {
            id,
            type: layout.types[id] ?? "",
            state: t.state,
            attempts: t.attempts,
            selected: id === selected,
          },
          draggable: false,
          connectable: false,
          selectable: false,
          focusable: false,
        };
      }),
    [ids, run.tasks, layout, selected, sizes],
  );
  const edges = useMemo(
    () =>
      layout.edges.map((e) => ({
        ...e,
        focusable: false,
        animated: run.tasks[e.target]?.state === "running",
        ariaLabel: `${e.target} needs ${e.source}`,
      })),
    [layout, run.tasks],
  );
  const box = useRef<HTMLDivElement>(null);
  return (
    <>
      <div className="run-graph" aria-label="Run graph" ref={box}>
        <ReactFlowProvider>
          <ReactFlow<RunFlowNode>
            nodes={nodes}
            edges={edges}
            nodeTypes={NODE_TYPES}
            onNodesChange={onNodesChange}
            // Also makes nodes take pointer events; Enter on the button clicks through to it.
            onNodeClick={(_, node) => onOpen(node.id)}
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            nodesFocusable={false}
            edgesFocusable={false}
            fitView
            fitViewOptions={{ maxZoom: 1 }}
            minZoom={0.1}
            proOptions={{ hideAttribution: false }}
          >
            <Background />
            <Controls showInteractive={false} />
            <FitOnResize box={box} />
          </ReactFlow>
        </ReactFlowProvider>
      </div>
    </>
  );
}
