/** A task on the canvas: id, type, a short summary, and a problem count when it has any. */
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { TaskNodeData } from "../core/flow.js";
import { NODE_SIZE } from "../core/layout.js";
import { shown } from "./field-text.js";

/** The node type React Flow renders for tasks. */
export type TaskFlowNode = Node<TaskNodeData, "task">;

function summary(task: TaskNodeData["task"]): string {
  for (const k of ["notebook", "script", "file", "application", "command"]) {
    const v = task[k];
    if (typeof v === "string") return v;
  }
  if (task.type === "condition") {
    return `${shown(task["left"])} ${shown(task["op"])} ${shown(task["right"])}`;
  }
  return "";
}

function TaskNodeView({ data, selected }: NodeProps<TaskFlowNode>) {
  const problems = data.issues.length;
  const text = summary(data.task);
  return (
    <div
      className={`task-node${selected ? " selected" : ""}${problems > 0 ? " has-issues" : ""}`}
      style={{ width: NODE_SIZE.width, minHeight: NODE_SIZE.height }}
      title={problems > 0 ? data.issues.map((i) => i.message).join("\n") : undefined}
    >
      <Handle type="target" position={Position.Left} aria-label={`connect into ${data.id}`} />
      <div className="task-node-head">
        <span className="task-node-id">{data.id}</span>
        <span className="task-node-type">{data.task.type}</span>
      </div>
      {text !== "" && (
        <div className="task-node-summary">{text.length > 60 ? `${text.slice(0, 60)}…` : text}</div>
      )}
      {problems > 0 && (
        <div className="task-node-issues" role="status">
          {problems} problem{problems === 1 ? "" : "s"}
        </div>
      )}
      <Handle type="source" position={Position.Right} aria-label={`connect from ${data.id}`} />
    </div>
  );
}

/** The memoized task node; it re-renders only when its node object changes. */
export const TaskNode = memo(TaskNodeView);
