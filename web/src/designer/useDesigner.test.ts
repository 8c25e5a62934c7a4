import { expect, test } from "vitest";
import { connect } from "../core/graph.js";
import { emptyDoc, type DesignDoc } from "../core/model.js";
import { addTask, moveTasks } from "../core/task-ops.js";
import {
  designerReducer,
  initialDesignerState,
  type DesignerAction,
  type DesignerState,
} from "./useDesigner.js";

function run(state: DesignerState, ...actions: DesignerAction[]): DesignerState {
  return actions.reduce(designerReducer, state);
}

const add = (type: string, id: string): DesignerAction => ({
  kind: "apply",
  edit: (d: DesignDoc) => addTask(d, type, { x: 0, y: 0 }, id),
  label: `add ${id}`,
});

test("adding selects the new task; a refused edit keeps the document and says why", () => {
  let s = run(initialDesignerState(emptyDoc()), add("shell", "a"), add("shell", "b"));
  expect([...s.selection]).toEqual(["b"]);
  s = run(s, { kind: "apply", edit: (d) => connect(d, "a", "b"), label: "connect" });
  const before = s.history.present;
  s = run(s, { kind: "apply", edit: (d) => connect(d, "b", "a"), label: "connect" });
  expect(s.history.present).toBe(before);
  expect(s.message).toMatch(/would make a cycle: a -> b -> a/);
  expect(run(s, { kind: "dismiss" }).message).toBeNull();
});

test("a drag is one undo step; undo drops the selection of tasks that no longer exist", () => {
  let s = run(initialDesignerState(emptyDoc()), add("shell", "a"));
  for (let x = 1; x < 20; x++) {
    s = run(s, {
      kind: "apply",
      edit: (d) => moveTasks(d, { a: { x, y: 0 } }),
      label: "move a",
      coalesce: "drag:1",
    });
  }
  s = run(s, { kind: "seal" }, { kind: "undo" });
  expect(s.history.present.positions["a"]).toEqual({ x: 0, y: 0 });
  s = run(s, { kind: "undo" });
  expect(Object.keys(s.history.present.tasks)).toEqual([]);
  expect(s.selection.size).toBe(0);
  s = run(s, { kind: "redo" }, { kind: "redo" });
  expect(s.history.present.positions["a"]).toEqual({ x: 19, y: 0 });
});

test("copy, paste and delete work on the selection, each one undo step", () => {
  let s = run(
    initialDesignerState(emptyDoc()),
    add("shell", "a"),
    { kind: "select", ids: ["a"] },
    { kind: "copy" },
  );
  s = run(s, { kind: "paste" }, { kind: "paste" });
  expect(Object.keys(s.history.present.tasks)).toEqual(["a", "a_2", "a_3"]);
  expect([...s.selection]).toEqual(["a_3"]);
  s = run(s, { kind: "select", ids: ["a", "a_3"] }, { kind: "delete" });
  expect(Object.keys(s.history.present.tasks)).toEqual(["a_2"]);
  s = run(s, { kind: "undo" });
  expect(Object.keys(s.history.present.tasks)).toEqual(["a", "a_2", "a_3"]);
  // Nothing selected or nothing copied: nothing happens.
  const idle = run(
    initialDesignerState(emptyDoc()),
    { kind: "paste" },
    { kind: "delete" },
    { kind: "copy" },
  );
  expect(idle.history.past).toHaveLength(0);
});

test("reset opens another document with a fresh history but keeps the clipboard", () => {
  let s = run(
    initialDesignerState(emptyDoc()),
    add("shell", "a"),
    { kind: "select", ids: ["a"] },
    { kind: "copy" },
  );
  const other = emptyDoc("other");
  s = run(s, { kind: "reset", doc: other });
  expect(s.history.present).toBe(other);
  expect(s.history.past).toHaveLength(0);
  s = run(s, { kind: "paste" });
  expect(Object.keys(s.history.present.tasks)).toEqual(["a"]);
});
