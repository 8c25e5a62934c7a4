import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { JsonObject } from "../spec/types.js";
import { CELL_ID_RE } from "./cell-id.js";
import {
  kernelLanguage,
  normalizeLanguage,
  notebookLanguage,
  resolveNotebookLanguage,
} from "./language.js";
import { parseNotebook, serializeNotebook } from "./nbformat.js";
import { INJECTED_PARAMETERS_TAG, injectParameters } from "./parameters.js";
import type { Cell, Notebook } from "./types.js";

const PYTHON = "/usr/bin/python3";
const hasNbformat = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import nbformat"]).status === 0;

type Spec = [source: string, tags: string[], id?: string];

function notebook(specs: Spec[], metadata: JsonObject = {}, minor = 4): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: minor,
    metadata: {
      kernelspec: { name: "python3", language: "python", display_name: "Python 3" },
      ...metadata,
    },
    cells: specs.map(([source, tags, id]): Cell => {
      const cellMetadata: JsonObject = tags.length > 0 ? { tags } : {};
      return {
        cell_type: "code",
        source,
        metadata: cellMetadata,
        outputs: [],
        execution_count: null,
        ...(id === undefined ? {} : { id }),
      };
    }),
  };
}

const sources = (nb: Notebook) => nb.cells.map((c) => c.source);
const counter = () => {
  let i = 0;
  return () => `id${i++}`;
};

describe("injectParameters", () => {
  it("inserts after the parameters cell and records papermill metadata", () => {
    const input = notebook([
      ["import os", []],
      ["alpha = 0.5  # rate\nname = 'x'", ["parameters"]],
      ["print(alpha)", []],
    ]);
    const snapshot = structuredClone(input);
    const { notebook: out, warnings } = injectParameters(
      input,
      { alpha: 0.9, name: "run 1" },
      { language: "python", newCellId: counter() },
    );
    expect(warnings).toEqual([]);
    expect(sources(out)).toEqual([
      "import os",
      "alpha = 0.5  # rate\nname = 'x'",
      '# Parameters\nalpha = 0.9\nname = "run 1"\n',
      "print(alpha)",
    ]);
    expect(out.cells[2]).toEqual({
      cell_type: "code",
      execution_count: null,
      id: "id3",
      metadata: { tags: [INJECTED_PARAMETERS_TAG] },
      outputs: [],
      source: '# Parameters\nalpha = 0.9\nname = "run 1"\n',
    });
    expect(out.nbformat_minor).toBe(5);
    expect(out.metadata.papermill).toEqual({
      default_parameters: { alpha: "0.5", name: "'x'" },
      parameters: { alpha: 0.9, name: "run 1" },
    });
    expect(input).toEqual(snapshot); // the input is never modified
    expect(out.metadata.kernelspec).not.toBe(input.metadata.kernelspec); // nor shared
  });

  it("injects at the top with papermill's warning when there is no parameters cell", () => {
    const { notebook: out, warnings } = injectParameters(
      notebook([
        ["a = 1", []],
        ["b = 2", []],
      ]),
      { a: 2 },
      { language: "python" },
    );
    expect(sources(out)[0]).toBe("# Parameters\na = 2\n");
    expect(warnings).toEqual(["Input notebook does not contain a cell with tag 'parameters'"]);
  });

  it("replaces an earlier injected cell where it stands, and drops further ones", () => {
    const input = notebook([
      ["# Parameters\na = 0\n", [INJECTED_PARAMETERS_TAG], "old"],
      ["a = 1", ["parameters"], "p"],
      ["x = 1", []],
      ["# Parameters\na = -1\n", ["keep", INJECTED_PARAMETERS_TAG]],
    ]);
    const { notebook: out, warnings } = injectParameters(input, { a: 5 }, { language: "python" });
    expect(sources(out)).toEqual(["# Parameters\na = 5\n", "a = 1", "x = 1"]);
    expect(warnings).toEqual([
      "Removed 1 more cell tagged 'injected-parameters' left from an earlier run",
    ]);
    // The new cell gets a fresh id rather than reusing the replaced cell's.
    expect(out.cells[0]?.id).toMatch(CELL_ID_RE);
    expect(out.cells[1]?.id).toBe("p");
  });

  it("re-injecting into its own output gives the same layout (idempotent placement)", () => {
    const first = injectParameters(
      notebook([
        ["a = 1", ["parameters"]],
        ["a", []],
      ]),
      { a: 2 },
      {
        language: "python",
      },
    ).notebook;
    const second = injectParameters(first, { a: 3 }, { language: "python" });
    expect(sources(second.notebook)).toEqual(["a = 1", "# Parameters\na = 3\n", "a"]);
    expect(second.warnings).toEqual([]);
  });

  it("uses the first of several parameters cells", () => {
    const { notebook: out } = injectParameters(
      notebook([
        ["x = 0", []],
        ["a = 1", ["parameters"]],
        ["b = 2", ["parameters"]],
      ]),
      { b: 3 },
      { language: "python" },
    );
    expect(sources(out)).toEqual(["x = 0", "a = 1", "# Parameters\nb = 3\n", "b = 2"]);
  });

  it("warns about parameters the parameters cell does not declare (Python and R)", () => {
    const py = injectParameters(
      notebook([["a = 1", ["parameters"]]]),
      { a: 1, zz: 2 },
      {
        language: "python",
      },
    );
    expect(py.warnings).toEqual(["Passed unknown parameter: zz"]);
    const r = injectParameters(
      notebook([["a <- 1", ["parameters"]]], { kernelspec: { name: "ir" } }),
      { a: 1, b: "x" },
      { language: "R" },
    );
    expect(r.warnings).toEqual(["Passed unknown parameter: b"]);
    expect(r.notebook.cells[1]?.source).toBe('# Parameters\na = 1\nb = "x"\n');
    // Scala cannot be inspected: no unknown-parameter warnings.
    const scala = injectParameters(
      notebook([["val a = 1", ["parameters"]]]),
      { q: 1 },
      {
        language: "scala",
      },
    );
    expect(scala.warnings).toEqual([]);
    expect(scala.notebook.cells[1]?.source).toBe("// Parameters\nval q = 1\n");
  });

  it("gives every cell a unique valid id and keeps valid ones", () => {
    const { notebook: out } = injectParameters(
      notebook([
        ["a = 1", ["parameters"], "dup"],
        ["b", [], "dup"],
        ["c", [], "bad id!"],
        ["d", []],
      ]),
      { a: 1 },
      { language: "python" },
    );
    const ids = out.cells.map((c) => c.id ?? "");
    expect(ids[0]).toBe("dup");
    for (const id of ids) expect(id).toMatch(CELL_ID_RE);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps existing papermill metadata and supports report mode and a custom comment", () => {
    const { notebook: out } = injectParameters(
      notebook([["a = 1", ["parameters"]]], {
        papermill: { version: "2.6.0", parameters: { a: 0 } },
      }),
      { a: 9 },
      { language: "python", reportMode: true, injectionComment: "Injected by Updraft" },
    );
    expect(out.metadata.papermill).toEqual({
      version: "2.6.0",
      parameters: { a: 9 },
      default_parameters: { a: "1" },
    });
    expect(out.cells[1]?.metadata).toEqual({
      tags: [INJECTED_PARAMETERS_TAG],
      jupyter: { source_hidden: true },
    });
    expect(out.cells[1]?.source).toBe("# Injected by Updraft\na = 9\n");
  });

  it("fails with E_PARAM before touching anything when a value has no literal", () => {
    const input = notebook([["a = 1", ["parameters"]]]);
    for (const [params, language] of [
      [{ "bad name": 1 }, "python"],
      [{ a: { b: 1 } }, "bash"],
      [{ a: 1 }, "cobol"],
    ] as const) {
      try {
        injectParameters(input, params, { language });
        throw new Error("expected an error");
      } catch (err) {
        expect((err as UpdraftError).code).toBe(ErrorCodes.PARAM);
      }
    }
  });

  it("produces an nbformat 4.5 notebook that nbformat validates", () => {
    const text = JSON.stringify(
      notebook([
        ["# markdown-ish", []],
        ["a = 1", ["parameters"]],
      ]),
    );
    const { notebook: out } = injectParameters(
      parseNotebook(text),
      { a: [1, { b: null }] },
      {
        language: "python",
      },
    );
    const written = serializeNotebook(out);
    expect(written).toContain('"nbformat_minor": 5');
    expect(written).toContain(
      '"source": [\n    "# Parameters\\n",\n    "a = [1, {\\"b\\": None}]\\n"\n   ]',
    );
    if (hasNbformat) {
      const r = spawnSync(
        PYTHON,
        [
          "-c",
          "import sys, nbformat\nnb = nbformat.reads(sys.stdin.read(), as_version=4)\nnbformat.validate(nb)\nprint(len(nb.cells))",
        ],
        { input: written, encoding: "utf8" },
      );
      expect(r.stderr).toBe("");
      expect(r.stdout.trim()).toBe("3");
    }
  });

  it("does not share nested values with the input", () => {
    const input = notebook([
      ["a = 1", ["parameters"]],
      ["x", []],
    ]);
    const params = { list: [1, 2] };
    const { notebook: out } = injectParameters(input, params, { language: "python" });
    (out.cells[2] as Cell & { outputs: unknown[] }).outputs.push({ output_type: "stream" });
    expect(input.cells[1]).toMatchObject({ outputs: [] });
    params.list.push(3);
    expect((out.metadata.papermill as JsonObject).parameters).toEqual({ list: [1, 2] });
  });
});

describe("notebook language", () => {
  const withMeta = (metadata: JsonObject): Notebook => ({
    nbformat: 4,
    nbformat_minor: 5,
    metadata,
    cells: [],
  });

  it("maps known kernel names first", () => {
    const cases: [string, string][] = [
      ["python3", "python"],
      ["ir", "R"],
      ["pysparkkernel", "python"],
      ["sparkkernel", "scala"],
      ["sparkrkernel", "R"],
      ["julia-1.10", "julia"],
      ["bash", "bash"],
      ["spylon-kernel", "scala"],
      ["almond", "scala"],
      ["scala212", "scala"],
      ["apache_toree_scala", "scala"],
    ];
    for (const [kernel, lang] of cases) {
      expect([kernel, kernelLanguage(kernel)]).toEqual([kernel, lang]);
      // The kernel name wins over a contradicting language_info.
      expect(
        notebookLanguage(
          withMeta({ kernelspec: { name: kernel }, language_info: { name: "ruby" } }),
        ),
      ).toBe(lang);
    }
    expect(kernelLanguage("my-venv")).toBeNull();
  });

  it("then language_info.name, then kernelspec.language", () => {
    expect(
      notebookLanguage(
        withMeta({ kernelspec: { name: "conda-env-x" }, language_info: { name: "R" } }),
      ),
    ).toBe("R");
    expect(notebookLanguage(withMeta({ kernelspec: { name: "x", language: "julia" } }))).toBe(
      "julia",
    );
    expect(
      notebookLanguage(
        withMeta({ language_info: { name: "python" }, kernelspec: { language: "R" } }),
      ),
    ).toBe("python");
    expect(normalizeLanguage(" Python ")).toBe("python");
  });

  it("prefers the task's kernel name over the notebook's", () => {
    const nb = withMeta({ kernelspec: { name: "python3" }, language_info: { name: "python" } });
    expect(notebookLanguage(nb, "ir")).toBe("R");
    expect(notebookLanguage(nb, "custom-kernel")).toBe("python");
  });

  it("fails clearly for unknown kernels", () => {
    expect(resolveNotebookLanguage(withMeta({}))).toBeNull();
    try {
      notebookLanguage(withMeta({ kernelspec: { name: "iruby", language: "ruby" } }));
      throw new Error("expected an error");
    } catch (err) {
      expect(err).toBeInstanceOf(UpdraftError);
      expect((err as UpdraftError).code).toBe(ErrorCodes.NOTEBOOK);
      expect((err as Error).message).toMatch(/kernel 'iruby' with language 'ruby'/);
    }
    expect(() => notebookLanguage(withMeta({}))).toThrow(/no kernel name with no language/);
  });
});
