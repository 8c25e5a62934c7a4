/**
 * The designer: toolbar, palette, canvas (or YAML tab) and the side panel of the
 * selected task or of the workflow. Works on a DesignDoc; loading and saving are the
 * page's business, through `onSave`.
 */
import { ReactFlowProvider } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import type { NotebookEntry, ParameterInfo } from "../api/types.js";
import { autoLayout } from "../core/layout.js";
import type { DesignDoc, Position } from "../core/model.js";
import { addNotebookTask, addTask } from "../core/task-ops.js";
import { Canvas } from "./Canvas.js";
import { Palette } from "./Palette.js";
import type { PaletteItem } from "./palette-drag.js";
import { TaskPanel } from "./TaskPanel.js";
import type { Designer } from "./useDesigner.js";
import { useShortcuts } from "./useShortcuts.js";
import { WorkflowPanel } from "./WorkflowPanel.js";
import { YamlTab } from "./YamlTab.js";

/** Props of the designer view. */
export interface DesignerViewProps {
  designer: Designer;
  notebooks: readonly NotebookEntry[] | undefined;
  notebooksError?: string;
  /** Declared params of a notebook path, undefined while not known yet. */
  paramsOf: (path: string) => readonly ParameterInfo[] | undefined;
  /** Asks the library for a notebook's declared params (once per path). */
  requestParams: (path: string) => void;
  onSave: (doc: DesignDoc) => void;
  saving: boolean;
  /** The result of the last save, shown in the toolbar. */
  saveStatus: string | null;
  now: Date;
  /** More tabs beside Canvas and YAML (the page's version history, Airflow code). */
  extraTabs?: readonly DesignerTab[];
  /** Shown at the end of the toolbar (the page's Run link). */
  toolbarEnd?: ReactNode;
}

/** A tab the page adds to the designer; its content is drawn only while it is shown. */
export interface DesignerTab {
  id: string;
  label: string;
  render: () => ReactNode;
}

/** Where a task added with a click (not a drop) goes: right of everything. */
function freeSpot(doc: DesignDoc): Position {
  const xs = Object.values(doc.positions).map((p) => p.x);
  return { x: xs.length === 0 ? 0 : Math.max(...xs) + 280, y: 0 };
}

/** The designer's whole screen. */
export function DesignerView(props: DesignerViewProps) {
  const { designer, now } = props;
  const { doc, issues, selection, apply } = designer;
  const [tab, setTab] = useState<string>("canvas");
  const extra = props.extraTabs?.find((t) => t.id === tab);
  useShortcuts(designer);

  const add = useCallback(
    (item: PaletteItem, at?: Position) => {
      const where = at ?? freeSpot(doc);
      if (item.kind === "type")
        apply((d: DesignDoc) => addTask(d, item.type, where), `add ${item.type} task`);
      else
        apply(
          (d: DesignDoc) => addNotebookTask(d, { path: item.path }, where),
          `add notebook ${item.path}`,
        );
    },
    [apply, doc],
  );

  const selected = selection.size === 1 ? [...selection][0]! : undefined;
  const task = selected === undefined ? undefined : doc.tasks[selected];
  const notebookPath =
    task?.type === "notebook" && typeof task["notebook"] === "string" ? task["notebook"] : "";
  const declared = notebookPath === "" ? [] : props.paramsOf(notebookPath);
  const { requestParams } = props;
  useEffect(() => {
    if (notebookPath !== "") requestParams(notebookPath);
  }, [notebookPath, requestParams]);
  const problemCount = issues.all.length;
  const status = useMemo(
    () =>
      problemCount === 0
        ? "No problems"
        : `${problemCount} problem${problemCount === 1 ? "" : "s"}`,
    [problemCount],
  );

  return (
    <div className="designer">
      <div className="toolbar" role="toolbar" aria-label="Designer">
        <button
          type="button"
          onClick={designer.undo}
          disabled={!designer.canUndo}
          title={designer.undoLabel ? `Undo ${designer.undoLabel} (Ctrl+Z)` : "Undo (Ctrl+Z)"}
        >
          Undo
        </button>
        <button
          type="button"
          onClick={designer.redo}
          disabled={!designer.canRedo}
          title={
            designer.redoLabel ? `Redo ${designer.redoLabel} (Ctrl+Shift+Z)` : "Redo (Ctrl+Shift+Z)"
          }
        >
          Redo
        </button>
        <button
          type="button"
          onClick={designer.copy}
          disabled={selection.size === 0}
          title="Copy the selected tasks (Ctrl+C)"
        >
          Copy
        </button>
        <button
          type="button"
          onClick={designer.paste}
          disabled={!designer.hasClipboard}
          title="Paste (Ctrl+V)"
        >
          Paste
        </button>
        <button
          type="button"
          onClick={designer.deleteSelection}
          disabled={selection.size === 0}
          title="Delete the selected tasks (Delete)"
        >
          Delete
        </button>
        <button type="button" onClick={() => apply((d: DesignDoc) => autoLayout(d), "auto-layout")}>
          Auto-layout
        </button>
        <span className="spacer" />
        <div role="tablist" aria-label="View">
          <button
            type="button"
            role="tab"
            aria-selected={tab === "canvas"}
            onClick={() => setTab("canvas")}
          >
            Canvas
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={tab === "yaml"}
            onClick={() => setTab("yaml")}
          >
            YAML
          </button>
          {props.extraTabs?.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              aria-selected={tab === t.id}
              onClick={() => setTab(t.id)}
            >
              {t.label}
            </button>
          ))}
        </div>
        <span className={`status${problemCount > 0 ? " bad" : ""}`} role="status">
          {status}
        </span>
        <button
          type="button"
          onClick={() => props.onSave(doc)}
          disabled={props.saving}
          title="Save as a new version"
        >
          {props.saving ? "Saving…" : "Save"}
        </button>
        {props.saveStatus !== null && <span role="status">{props.saveStatus}</span>}
        {props.toolbarEnd}
      </div>
      {designer.message !== null && (
        <div className="message" role="alert">
          {designer.message}{" "}
          <button type="button" onClick={designer.dismiss} aria-label="Dismiss the message">
            ×
          </button>
        </div>
      )}
      <div className="designer-body">
        <Palette notebooks={props.notebooks} notebooksError={props.notebooksError} onAdd={add} />
        <main className="designer-main">
          {extra !== undefined ? (
            extra.render()
          ) : tab === "yaml" ? (
            <YamlTab designer={designer} />
          ) : (
            <ReactFlowProvider>
              <Canvas designer={designer} onDropItem={add} />
            </ReactFlowProvider>
          )}
        </main>
        <aside className="side-panel">
          {selected !== undefined && task !== undefined ? (
            <TaskPanel
              key={selected}
              designer={designer}
              id={selected}
              task={task}
              issues={issues.tasks.get(selected) ?? []}
              declared={declared}
            />
          ) : selection.size > 1 ? (
            <section className="panel">
              <h2>{selection.size} tasks selected</h2>
              <p>Copy, paste, delete or drag them together.</p>
            </section>
          ) : (
            <WorkflowPanel designer={designer} now={now} />
          )}
        </aside>
      </div>
    </div>
  );
}
