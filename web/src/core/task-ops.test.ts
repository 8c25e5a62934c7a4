import { describe, expect, test } from "vitest";
import { TASK_TYPES } from "../../../src/spec/types.js";
import { emptyDoc, type DesignDoc } from "./model.js";
import { PALETTE } from "./palette.js";
import {
  addNotebookTask,
  addTask,
  deleteTasks,
  moveTasks,
  renameTask,
  updateTask,
} from "./task-ops.js";
import { checkDoc } from "./validation.js";
import { parseYaml } from "./yaml-text.js";

function doc(yaml: string): DesignDoc {
  const r = parseYaml(`name: g\n${yaml}`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.doc;
}

function ok<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r as Extract<T, { ok: true }>;
}

describe("addTask", () => {
  test("the palette has every task type of the format", () => {
    expect(PALETTE.map((e) => e.type)).toEqual([...TASK_TYPES]);
  });

  test("every type but notebook starts valid; a notebook asks for its notebook", () => {
    let d = emptyDoc("palette");
    for (const entry of PALETTE) d = ok(addTask(d, entry.type, { x: 0, y: 0 })).doc;
    expect(Object.keys(d.tasks)).toEqual([...TASK_TYPES]);
    const issues = checkDoc(d);
    expect([...issues.tasks.keys()]).toEqual(["notebook"]);
    expect(issues.tasks.get("notebook")?.[0]?.field).toBe("notebook");
    expect(issues.workflow).toEqual([]);
  });

  test("ids are made unique and the position is recorded", () => {
    let d = emptyDoc();
    d = ok(addTask(d, "shell", { x: 1, y: 2 })).doc;
    const r = ok(addTask(d, "shell", { x: 5, y: 6 }));
    expect(r.id).toBe("shell_2");
    expect(r.doc.positions["shell_2"]).toEqual({ x: 5, y: 6 });
    expect(r.doc.tasks["shell_2"]).toEqual({
      type: "shell",
      command: "echo hello",
      needs: [],
      params: {},
      outputs: [],
    });
  });

  test("an unknown type is refused", () => {
    expect(addTask(emptyDoc(), "cobol", { x: 0, y: 0 })).toMatchObject({ ok: false });
  });
});

test("addNotebookTask names the task after the notebook and declares known outputs", () => {
  let d = emptyDoc();
  const r = ok(
    addNotebookTask(
      d,
      { path: "notebooks/Train Model.ipynb", outputs: ["accuracy"] },
      { x: 0, y: 0 },
    ),
  );
  expect(r.id).toBe("Train_Model");
  expect(r.doc.tasks["Train_Model"]).toMatchObject({
    type: "notebook",
    notebook: "notebooks/Train Model.ipynb",
    outputs: ["accuracy"],
  });
  d = r.doc;
  expect(ok(addNotebookTask(d, { path: "notebooks/Train Model.ipynb" }, { x: 0, y: 0 })).id).toBe(
    "Train_Model_2",
  );
  expect(ok(addNotebookTask(d, { path: "9.ipynb" }, { x: 0, y: 0 })).id).toBe("task");
});

describe("updateTask", () => {
  const d = doc("tasks:\n  a: { type: shell, command: ls, retries: 1 }\n");
  test("sets and removes policy fields", () => {
    const r = ok(
      updateTask(d, "a", {
        retries: 3,
        timeout: "5m",
        pool: "gpu",
        when: "all_done",
        resources: { cpu: 2, gpu: 1 },
      }),
    );
    expect(r.doc.tasks["a"]).toMatchObject({
      retries: 3,
      timeout: "5m",
      pool: "gpu",
      when: "all_done",
      resources: { cpu: 2, gpu: 1 },
    });
    expect(checkDoc(r.doc).all).toEqual([]);
    const cleared = ok(updateTask(r.doc, "a", { retries: undefined }));
    expect("retries" in cleared.doc.tasks["a"]!).toBe(false);
  });
  test("bad values are kept and the validator places them on the field", () => {
    const r = ok(updateTask(d, "a", { retries: -1, timeout: "soon" }));
    const fields = checkDoc(r.doc)
      .tasks.get("a")
      ?.map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(["retries", "timeout"]) as unknown);
  });
  test("refuses to change needs directly, or an unknown task", () => {
    expect(updateTask(d, "a", { needs: ["x"] })).toMatchObject({ ok: false });
    expect(updateTask(d, "zz", { retries: 1 })).toMatchObject({ ok: false });
  });
});

test("moveTasks moves known tasks and keeps the document when nothing moved", () => {
  const d = doc("tasks:\n  a: { type: empty }\nui: { positions: { a: { x: 0, y: 0 } } }\n");
  expect(moveTasks(d, { a: { x: 0, y: 0 } })).toBe(d);
  expect(moveTasks(d, { a: { x: 3, y: 4 }, ghost: { x: 1, y: 1 } }).positions).toEqual({
    a: { x: 3, y: 4 },
  });
});

test("deleteTasks removes tasks, positions and edges but leaves references to flag", () => {
  const d = doc(
    "tasks:\n  a: { type: shell, command: ls, outputs: [o] }\n  b: { type: shell, command: ls, needs: [a], params: { x: '{{ tasks.a.outputs.o }}' } }\nui: { positions: { a: { x: 0, y: 0 }, b: { x: 1, y: 1 } } }\n",
  );
  const out = deleteTasks(d, ["a"]);
  expect(Object.keys(out.tasks)).toEqual(["b"]);
  expect(out.tasks["b"]!.needs).toEqual([]);
  expect(out.positions).toEqual({ b: { x: 1, y: 1 } });
  expect(checkDoc(out).tasks.get("b")?.[0]?.field).toBe("params.x");
  expect(deleteTasks(d, ["nope"])).toBe(d);
});

describe("renameTask", () => {
  const d = doc(
    [
      "tasks:",
      "  prep: { type: shell, command: 'echo {{ tasks.prep.outputs.n }}', outputs: [n] }",
      "  prepare: { type: shell, command: ls, outputs: [m] }",
      "  use:",
      "    type: python",
      "    needs: [prep, prepare]",
      "    code: print('{{ tasks.prep.outputs.n }}')",
      "    params:",
      "      a: '{{ tasks.prep.outputs.n }}'",
      "      b: 'n={{tasks.prep.outputs.n}} m={{ tasks.prepare.outputs.m }}'",
      "      c: '\\{{ tasks.prep.outputs.n }}'",
      "      d: 'tasks.prep.outputs.n'",
      "      e: ['{{ tasks.prep.outputs.n }}', { deep: '{{  tasks.prep.outputs.n  }}' }]",
      "ui: { positions: { prep: { x: 1, y: 2 } } }",
    ].join("\n"),
  );
  test("rewrites needs, expressions and positions, and nothing else", () => {
    const r = ok(renameTask(d, "prep", "load"));
    expect(Object.keys(r.doc.tasks)).toEqual(["load", "prepare", "use"]);
    const use = r.doc.tasks["use"]!;
    expect(use.needs).toEqual(["load", "prepare"]);
    expect(use.params).toEqual({
      a: "{{ tasks.load.outputs.n }}",
      b: "n={{tasks.load.outputs.n}} m={{ tasks.prepare.outputs.m }}",
      c: "\\{{ tasks.prep.outputs.n }}",
      d: "tasks.prep.outputs.n",
      e: ["{{ tasks.load.outputs.n }}", { deep: "{{  tasks.load.outputs.n  }}" }],
    });
    // Inline code is not templated by the engine, so it is left as written.
    expect(use["code"]).toBe("print('{{ tasks.prep.outputs.n }}')");
    expect(r.doc.tasks["load"]!["command"]).toBe("echo {{ tasks.load.outputs.n }}");
    expect(r.doc.positions).toEqual({ load: { x: 1, y: 2 } });
    expect(r.doc.tasks["prepare"]).toBe(d.tasks["prepare"]);
  });
  test("refuses an invalid or taken id, and an unknown task", () => {
    expect(renameTask(d, "prep", "prepare")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/already/) as unknown,
    });
    expect(renameTask(d, "prep", "9lives")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not valid/) as unknown,
    });
    expect(renameTask(d, "prep", "a.b")).toMatchObject({ ok: false });
    expect(renameTask(d, "ghost", "x")).toMatchObject({ ok: false });
    expect(ok(renameTask(d, "prep", "prep")).doc).toBe(d);
  });
});
