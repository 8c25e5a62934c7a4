import { expect, test } from "vitest";
import { connect } from "./graph.js";
import {
  canRedo,
  canUndo,
  commit,
  MAX_UNDO,
  redo,
  redoLabel,
  seal,
  startHistory,
  undo,
  undoLabel,
} from "./history.js";
import { emptyDoc, type DesignDoc } from "./model.js";
import { addTask, moveTasks } from "./task-ops.js";

function added(doc: DesignDoc, type: string, id: string): DesignDoc {
  const r = addTask(doc, type, { x: 0, y: 0 }, id);
  if (!r.ok) throw new Error(r.message);
  return r.doc;
}

test("undo and redo walk the steps and say what they revert", () => {
  const d0 = emptyDoc();
  const d1 = added(d0, "shell", "a");
  const d2 = added(d1, "shell", "b");
  const c = connect(d2, "a", "b");
  if (!c.ok) throw new Error(c.message);
  let h = startHistory(d0);
  expect(canUndo(h)).toBe(false);
  h = commit(h, d1, "add a");
  h = commit(h, d2, "add b");
  h = commit(h, c.doc, "connect a -> b");
  expect(undoLabel(h)).toBe("connect a -> b");
  h = undo(h);
  expect(h.present).toBe(d2);
  expect(redoLabel(h)).toBe("connect a -> b");
  h = undo(undo(h));
  expect(h.present).toBe(d0);
  expect(canUndo(h)).toBe(false);
  expect(undo(h)).toBe(h);
  h = redo(redo(h));
  expect(h.present).toBe(d2);
  expect(h.label).toBe("add b");
  h = redo(h);
  expect(h.present).toBe(c.doc);
  expect(canRedo(h)).toBe(false);
  expect(redo(h)).toBe(h);
});

test("a new change after undo drops the redo steps; an unchanged document records nothing", () => {
  const d0 = emptyDoc();
  const d1 = added(d0, "shell", "a");
  let h = commit(startHistory(d0), d1, "add a");
  expect(commit(h, d1, "nothing")).toBe(h);
  h = undo(h);
  h = commit(h, added(d0, "empty", "z"), "add z");
  expect(canRedo(h)).toBe(false);
  expect(h.past).toHaveLength(1);
});

test("a drag coalesces into one undo step; another drag is its own step", () => {
  const d0 = added(emptyDoc(), "shell", "a");
  let h = startHistory(d0);
  let d = d0;
  for (let x = 1; x <= 30; x++) {
    d = moveTasks(d, { a: { x, y: 0 } });
    h = commit(h, d, "move a", "drag:1");
  }
  const afterFirst = h.present;
  for (let x = 31; x <= 40; x++) {
    d = moveTasks(d, { a: { x, y: 0 } });
    h = commit(h, d, "move a", "drag:2");
  }
  expect(h.past).toHaveLength(2);
  h = undo(h);
  expect(h.present).toBe(afterFirst);
  expect(h.present.positions["a"]).toEqual({ x: 30, y: 0 });
  h = undo(h);
  expect(h.present).toBe(d0);
});

test("seal ends coalescing even with the same key (typing in a field after leaving it)", () => {
  const d0 = added(emptyDoc(), "shell", "a");
  let h = commit(startHistory(d0), moveTasks(d0, { a: { x: 1, y: 1 } }), "edit", "field:a.command");
  h = seal(h);
  h = commit(h, moveTasks(h.present, { a: { x: 2, y: 2 } }), "edit", "field:a.command");
  expect(h.past).toHaveLength(2);
  expect(seal(seal(h))).toEqual(seal(h));
});

test("the undo stack is bounded", () => {
  let d = added(emptyDoc(), "shell", "a");
  let h = startHistory(d);
  for (let i = 1; i <= MAX_UNDO + 20; i++) {
    d = moveTasks(d, { a: { x: i, y: 0 } });
    h = commit(h, d, `move ${i}`);
  }
  expect(h.past).toHaveLength(MAX_UNDO);
  expect(h.past[0]!.label).toBe("move 21");
});
