/**
 * Undo and redo as a stack of document snapshots (documents are immutable and share
 * structure, so a snapshot costs only what changed). Consecutive commits with the same
 * coalescing key (one drag gesture, typing in one field) make a single undo step.
 */
import type { DesignDoc } from "./model.js";

/** One undoable step: the document before it and what it did. */
interface Step {
  doc: DesignDoc;
  label: string;
}

/** The designer's history. */
export interface History {
  readonly past: readonly Step[];
  readonly present: DesignDoc;
  readonly future: readonly Step[];
  /** The label of the change that made `present`. */
  readonly label: string;
  /** Coalescing key of the last commit, while the next commit may merge into it. */
  readonly coalesce?: string;
}

/** Most undo steps kept. */
export const MAX_UNDO = 500;

/** A history whose present is `doc`, with nothing to undo. */
export function startHistory(doc: DesignDoc): History {
  return { past: [], present: doc, future: [], label: "" };
}

/**
 * Records `doc` as the new present after a change described by `label`. With a
 * `coalesce` key equal to the previous commit's, the change merges into that step (a
 * whole drag undoes at once). A document identical to the present records nothing.
 */
export function commit(h: History, doc: DesignDoc, label: string, coalesce?: string): History {
  if (doc === h.present) return h;
  if (coalesce !== undefined && h.coalesce === coalesce && h.past.length > 0) {
    return { ...h, present: doc, future: [], coalesce };
  }
  const past = [...h.past, { doc: h.present, label }];
  if (past.length > MAX_UNDO) past.splice(0, past.length - MAX_UNDO);
  const next: History = { past, present: doc, future: [], label };
  return coalesce === undefined ? next : { ...next, coalesce };
}

/** Ends coalescing, so the next commit starts a new step even with the same key. */
export function seal(h: History): History {
  if (h.coalesce === undefined) return h;
  const { coalesce: _, ...rest } = h;
  return rest;
}

/** True when there is a step to undo. */
export function canUndo(h: History): boolean {
  return h.past.length > 0;
}

/** True when there is a step to redo. */
export function canRedo(h: History): boolean {
  return h.future.length > 0;
}

/** The label of the step undo would revert, or undefined. */
export function undoLabel(h: History): string | undefined {
  return h.past[h.past.length - 1]?.label;
}

/** The label of the step redo would reapply, or undefined. */
export function redoLabel(h: History): string | undefined {
  return h.future[0]?.label;
}

/** Goes back one step (no-op when there is none). */
export function undo(h: History): History {
  const step = h.past[h.past.length - 1];
  if (step === undefined) return h;
  return {
    past: h.past.slice(0, -1),
    present: step.doc,
    future: [{ doc: h.present, label: step.label }, ...h.future],
    label: h.past[h.past.length - 2]?.label ?? "",
  };
}

/** Goes forward one step (no-op when there is none). */
export function redo(h: History): History {
  const step = h.future[0];
  if (step === undefined) return h;
  return {
    past: [...h.past, { doc: h.present, label: step.label }],
    present: step.doc,
    future: h.future.slice(1),
    label: step.label,
  };
}
