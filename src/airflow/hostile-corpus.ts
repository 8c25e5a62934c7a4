/**
 * Hostile inputs for the exporter's tests: strings that would break out of a Python
 * literal, a comment or a Jinja template if they were pasted instead of escaped.
 * The workflows are built directly (not through validation) so that values the
 * format rejects, such as NUL, are covered too.
 */
import type { JsonObject, Task, Workflow } from "../spec/types.js";

/** Strings every user field of the corpus is filled with. */
export const HOSTILE_STRINGS: readonly string[] = [
  "a \"double\" and 'single' quote",
  "\"\"\"triple\"\"\" and '''triple'''",
  "back\\slash \\x41 \\u0041 \\N{BULLET} trailing\\",
  "new\nline, carriage\rreturn, tab\t, form\ffeed, vertical\vtab",
  "nul\u0000byte and del\u007f and c1\u0085",
  "line\u2028separator paragraph\u2029separator",
  "bom\ufeff bidi\u202ereversed\u202c zero\u200bwidth",
  "astral 😀 𝔘 and a lone \ud800 surrogate and \udfff",
  "__import__('os').system('rm -rf /')",
  "eval(open('/etc/passwd').read()) exec compile globals()",
  "{{ ti.xcom_push(key='x', value=1) }} {% for x in range(10) %}{{ x }}{% endfor %}",
  "{% raw %}{{ 7*7 }}{% endraw %} {% endraw %} {# comment #}",
  "\\{{ params.x }}",
  '"); import os; os.system("id"); ("',
  "\n# -*- coding: latin-1 -*-\nimport os\n",
  "𝕏".repeat(100),
  "",
];

function task(type: Task["type"], extra: Record<string, unknown>, i: number): Task {
  const s = HOSTILE_STRINGS[i % HOSTILE_STRINGS.length] ?? "";
  const params: JsonObject = { [s || "empty"]: s, list: [s, i, null, true, 1.5], nested: { s } };
  return {
    type,
    needs: [],
    params,
    outputs: [],
    env: { HOSTILE: s },
    ...extra,
  } as unknown as Task;
}

/** Workflows whose names, descriptions, params and task fields are all hostile. */
export function hostileWorkflows(): Workflow[] {
  return HOSTILE_STRINGS.map((s, i): Workflow => {
    const tasks: Record<string, Task> = {
      "shell-str": task("shell", { command: s }, i),
      shell_argv: task("shell", { command: [s, s] }, i + 1),
      nb: task("notebook", { notebook: s, kernel: s }, i + 2),
      // Connection names the format would reject: escaped all the same.
      py: task("python", { code: s, args: [s], connections: [s, "warehouse"] }, i + 3),
      sp: task("spark", { application: s, args: [s], conf: { [s || "k"]: s } }, i + 4),
      cond: task(
        "condition",
        { left: s, op: "==", right: [s, Number.NaN, Infinity], connections: [s] },
        i + 5,
      ),
      Param: task("empty", {}, i + 6),
    };
    const cond = tasks["cond"];
    if (cond) cond.needs = ["shell-str", "nb"];
    return {
      name: `hostile-${i}`,
      description: s,
      catchup: false,
      timezone: "UTC",
      params: {
        [s || "p"]: { type: "string", default: s, description: s, enum: [s, "x"] },
        n: { type: "number", default: -0.5, minimum: -1e21, maximum: 5e-7 },
      },
      defaults: { pool: s || "p", env: { D: s } },
      tasks,
    };
  });
}
