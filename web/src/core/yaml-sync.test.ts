import { expect, test } from "vitest";
import { connect } from "./graph.js";
import { emptyDoc } from "./model.js";
import { addTask } from "./task-ops.js";
import { yamlDocChanged, yamlEdited, yamlFromDoc } from "./yaml-sync.js";

const base = (() => {
  const r = addTask(emptyDoc("sync"), "shell", { x: 0, y: 0 }, "a");
  if (!r.ok) throw new Error(r.message);
  return r.doc;
})();

test("good text updates the document; validation issues carry lines", () => {
  const s0 = yamlFromDoc(base);
  expect(s0.parseIssues).toEqual([]);
  expect(s0.issues).toEqual([]);
  const text = s0.text
    .replace("echo hello", "echo bye")
    .replace("ui:", "  b:\n    type: empty\n    needs: [ghost]\nui:");
  const s1 = yamlEdited(s0, text);
  expect(s1.text).toBe(text);
  expect(s1.doc.tasks["a"]!["command"]).toBe("echo bye");
  expect(Object.keys(s1.doc.tasks)).toEqual(["a", "b"]);
  expect(s1.issues[0]).toMatchObject({
    path: "tasks.b.needs[0]",
    line: expect.any(Number) as unknown,
  });
});

test("broken text is kept as typed, the document stays the last good one", () => {
  const s0 = yamlFromDoc(base);
  const broken = s0.text + "  b: { type: empty\n";
  const s1 = yamlEdited(s0, broken);
  expect(s1.text).toBe(broken);
  expect(s1.doc).toBe(base);
  expect(s1.parseIssues[0]).toMatchObject({
    line: expect.any(Number) as unknown,
    column: expect.any(Number) as unknown,
  });
  // A canvas change meanwhile does not overwrite the user's unfinished text.
  const added = addTask(base, "empty", { x: 0, y: 0 }, "z");
  if (!added.ok) throw new Error(added.message);
  const s2 = yamlDocChanged(s1, added.doc);
  expect(s2.text).toBe(broken);
  expect(s2.doc).toBe(added.doc);
});

test("canvas changes regenerate readable text", () => {
  const s0 = yamlFromDoc(base);
  const added = addTask(base, "empty", { x: 0, y: 0 }, "z");
  if (!added.ok) throw new Error(added.message);
  const c = connect(added.doc, "a", "z");
  if (!c.ok) throw new Error(c.message);
  const s1 = yamlDocChanged(s0, c.doc);
  expect(s1.text).toContain("needs: [ a ]");
  expect(yamlDocChanged(s1, c.doc)).toBe(s1);
});
