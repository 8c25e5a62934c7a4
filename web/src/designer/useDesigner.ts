/**
 * The designer's state as a React hook: the undo history of the document, the
 * selection, the clipboard and the last refusal message. Every edit goes through
 * `apply`, which runs a pure core operation and commits its result as one undo step.
 */
import { useCallback, useMemo, useReducer } from "react";
import { copyTasks, pasteTasks, type Clipboard } from "../core/clipboard.js";
import {
  canRedo,
  canUndo,
  commit,
  redo,
  redoLabel,
  seal,
  startHistory,
  undo,
  undoLabel,
  type History,
} from "../core/history.js";
import type { DesignDoc, OpResult } from "../core/model.js";
import { deleteTasks, type AddResult } from "../core/task-ops.js";
import { checkDoc, type IssueMap } from "../core/validation.js";

/** An edit: a core operation on the document; one that adds a task selects it. */
export type Edit = (doc: DesignDoc) => OpResult | AddResult | DesignDoc;

/** The designer's state behind the hook. */
export interface DesignerState {
  history: History;
  selection: ReadonlySet<string>;
  clipboard: Clipboard | null;
  message: string | null;
}

/** What can happen to the designer's state. */
export type DesignerAction =
  | { kind: "apply"; edit: Edit; label: string; coalesce?: string; select?: readonly string[] }
  | { kind: "undo" }
  | { kind: "redo" }
  | { kind: "seal" }
  | { kind: "select"; ids: readonly string[] }
  | { kind: "copy" }
  | { kind: "paste" }
  | { kind: "delete" }
  | { kind: "reset"; doc: DesignDoc }
  | { kind: "dismiss" };

const NONE: ReadonlySet<string> = new Set();

/** Drops selected ids that are no longer tasks (after undo, delete, YAML edits). */
function keepKnown(selection: ReadonlySet<string>, doc: DesignDoc): ReadonlySet<string> {
  if (selection.size === 0) return selection;
  const kept = [...selection].filter((id) => Object.hasOwn(doc.tasks, id));
  return kept.length === selection.size ? selection : new Set(kept);
}

/** The designer's state transitions (pure: every edit is a core operation). */
export function designerReducer(state: DesignerState, action: DesignerAction): DesignerState {
  const doc = state.history.present;
  switch (action.kind) {
    case "apply": {
      const out = action.edit(doc);
      if ("ok" in out && !out.ok) return { ...state, message: out.message };
      const next = "ok" in out ? out.doc : out;
      const history = commit(state.history, next, action.label, action.coalesce);
      const added = "id" in out ? [out.id] : undefined;
      const chosen = action.select ?? added;
      const selection = chosen ? new Set(chosen) : keepKnown(state.selection, next);
      return { ...state, history, selection, message: null };
    }
    case "undo":
    case "redo": {
      const history = action.kind === "undo" ? undo(state.history) : redo(state.history);
      return {
        ...state,
        history,
        selection: keepKnown(state.selection, history.present),
        message: null,
      };
    }
    case "seal":
      return { ...state, history: seal(state.history) };
    case "select":
      return { ...state, selection: action.ids.length === 0 ? NONE : new Set(action.ids) };
    case "copy":
      return state.selection.size === 0
        ? state
        : { ...state, clipboard: copyTasks(doc, state.selection) };
    case "paste": {
      if (state.clipboard === null) return state;
      const pasted = pasteTasks(doc, state.clipboard);
      const n = pasted.ids.length;
      const history = commit(state.history, pasted.doc, `paste ${n} task${n === 1 ? "" : "s"}`);
      return { ...state, history, selection: new Set(pasted.ids), message: null };
    }
    case "delete": {
      if (state.selection.size === 0) return state;
      const ids = [...state.selection];
      const label = ids.length === 1 ? `delete ${ids[0]}` : `delete ${ids.length} tasks`;
      return {
        ...state,
        history: commit(state.history, deleteTasks(doc, ids), label),
        selection: NONE,
      };
    }
    case "reset":
      return {
        history: startHistory(action.doc),
        selection: NONE,
        clipboard: state.clipboard,
        message: null,
      };
    case "dismiss":
      return { ...state, message: null };
  }
}

/** The state of a designer that just opened `doc`. */
export function initialDesignerState(doc: DesignDoc): DesignerState {
  return { history: startHistory(doc), selection: NONE, clipboard: null, message: null };
}

/** What the designer page reads and calls. */
export interface Designer {
  doc: DesignDoc;
  issues: IssueMap;
  selection: ReadonlySet<string>;
  message: string | null;
  canUndo: boolean;
  canRedo: boolean;
  undoLabel: string | undefined;
  redoLabel: string | undefined;
  hasClipboard: boolean;
  /** Runs an edit and commits it; a refusal becomes `message`. */
  apply: (
    edit: Edit,
    label: string,
    opts?: { coalesce?: string; select?: readonly string[] },
  ) => void;
  undo: () => void;
  redo: () => void;
  /** Ends the current coalesced step (a drag ended, a field lost focus). */
  seal: () => void;
  select: (ids: readonly string[]) => void;
  copy: () => void;
  paste: () => void;
  deleteSelection: () => void;
  /** Replaces the document and forgets the history (a workflow was opened). */
  reset: (doc: DesignDoc) => void;
  dismiss: () => void;
}

/** The designer's state and actions for a document opened as `initial`. */
export function useDesigner(initial: DesignDoc): Designer {
  const [state, dispatch] = useReducer(designerReducer, initial, initialDesignerState);
  const doc = state.history.present;
  // Positions do not change validation results, so a drag does not re-validate.
  const { tasks, top, ui } = doc;
  const issues = useMemo(() => checkDoc({ tasks, top, ui, positions: {} }), [tasks, top, ui]);
  const apply = useCallback(
    (edit: Edit, label: string, opts: { coalesce?: string; select?: readonly string[] } = {}) =>
      dispatch({ kind: "apply", edit, label, ...opts }),
    [],
  );
  const actions = useMemo(
    () => ({
      undo: () => dispatch({ kind: "undo" }),
      redo: () => dispatch({ kind: "redo" }),
      seal: () => dispatch({ kind: "seal" }),
      select: (ids: readonly string[]) => dispatch({ kind: "select", ids }),
      copy: () => dispatch({ kind: "copy" }),
      paste: () => dispatch({ kind: "paste" }),
      deleteSelection: () => dispatch({ kind: "delete" }),
      reset: (d: DesignDoc) => dispatch({ kind: "reset", doc: d }),
      dismiss: () => dispatch({ kind: "dismiss" }),
    }),
    [],
  );
  return {
    doc,
    issues,
    selection: state.selection,
    message: state.message,
    canUndo: canUndo(state.history),
    canRedo: canRedo(state.history),
    undoLabel: undoLabel(state.history),
    redoLabel: redoLabel(state.history),
    hasClipboard: state.clipboard !== null,
    apply,
    ...actions,
  };
}
