import { describe, expect, test } from "vitest";
import { copyTasks, parseClipboard, pasteTasks } from "./clipboard.js";
import type { DesignDoc } from "./model.js";
import { checkDoc } from "./validation.js";
import { parseYaml } from "./yaml-text.js";

function doc(yaml: string): DesignDoc {
  const r = parseYaml(`name: c\n${yaml}`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.doc;
}

const d = doc(
  [
    "tasks:",
    "  src: { type: shell, command: ls, outputs: [o] }",
    "  a: { type: shell, command: ls, needs: [src], outputs: [p], params: { x: '{{ tasks.src.outputs.o }}' } }",
    "  b: { type: shell, command: 'echo {{ tasks.a.outputs.p }}', needs: [a] }",
    "ui: { positions: { src: { x: 0, y: 0 }, a: { x: 100, y: 0 }, b: { x: 200, y: 0 } } }",
  ].join("\n"),
);

describe("copy and paste", () => {
  test("pasting into the same document renames clashing ids and rewires internal edges", () => {
    const clip = copyTasks(d, ["b", "a"]);
    expect(Object.keys(clip.tasks)).toEqual(["a", "b"]);
    const r = pasteTasks(d, clip);
    expect(r.ids).toEqual(["a_2", "b_2"]);
    const a2 = r.doc.tasks["a_2"]!;
    const b2 = r.doc.tasks["b_2"]!;
    // The edge a -> b inside the selection becomes a_2 -> b_2, and its reference follows.
    expect(b2.needs).toEqual(["a_2"]);
    expect(b2["command"]).toBe("echo {{ tasks.a_2.outputs.p }}");
    // The need of a task outside the selection that exists here is kept.
    expect(a2.needs).toEqual(["src"]);
    expect(a2.params).toEqual({ x: "{{ tasks.src.outputs.o }}" });
    expect(r.doc.positions["a_2"]).toEqual({ x: 140, y: 40 });
    // The originals are untouched and the result validates.
    expect(r.doc.tasks["b"]).toBe(d.tasks["b"]);
    expect(checkDoc(r.doc).all).toEqual([]);
  });

  test("pasting into another document keeps ids and drops needs of absent tasks", () => {
    const other = doc("tasks:\n  zz: { type: empty }\n");
    const r = pasteTasks(other, copyTasks(d, ["a", "b"]), { x: 0, y: 0 });
    expect(r.ids).toEqual(["a", "b"]);
    expect(r.doc.tasks["a"]!.needs).toEqual([]);
    expect(r.doc.tasks["b"]!.needs).toEqual(["a"]);
    expect(r.doc.positions["a"]).toEqual({ x: 100, y: 0 });
  });

  test("renames that chain into each other do not collide", () => {
    const chain = doc(
      "tasks:\n  t: { type: shell, command: ls, outputs: [o] }\n  t_2: { type: shell, command: 'echo {{ tasks.t.outputs.o }}', needs: [t] }\n",
    );
    const r = pasteTasks(chain, copyTasks(chain, ["t", "t_2"]));
    expect(r.ids).toEqual(["t_3", "t_4"]);
    expect(r.doc.tasks["t_4"]!.needs).toEqual(["t_3"]);
    expect(r.doc.tasks["t_4"]!["command"]).toBe("echo {{ tasks.t_3.outputs.o }}");
  });

  test("the clipboard survives JSON text, and foreign text is rejected", () => {
    const clip = copyTasks(d, ["a"]);
    expect(parseClipboard(JSON.stringify(clip))).toEqual(clip);
    expect(parseClipboard("hello")).toBeUndefined();
    expect(parseClipboard('{"kind":"other"}')).toBeUndefined();
    expect(
      parseClipboard('{"kind":"updraft-tasks","tasks":{"a":{"type":3}},"positions":{}}'),
    ).toBeUndefined();
    const odd = parseClipboard(
      '{"kind":"updraft-tasks","tasks":{"__proto__":{"type":"empty","needs":[1,"x"]}},"positions":{}}',
    );
    expect(odd && Object.keys(odd.tasks)).toEqual(["__proto__"]);
    expect(odd?.tasks["__proto__"]?.needs).toEqual(["x"]);
  });
});
