import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { CELL_ID_RE, isValidCellId, randomCellId, uniqueCellId } from "./cell-id.js";
import { compareCodePoints, parseJsonFallback } from "./nbformat-json.js";
import {
  parseNotebook,
  serializeNotebook,
  sourceText,
  toMultiline,
  upgradeTo45,
} from "./nbformat.js";
import type { Notebook } from "./types.js";

const PYTHON = "/usr/bin/python3";
const hasNbformat = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import nbformat"]).status === 0;

function notebookError(fn: () => unknown): UpdraftError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UpdraftError);
    expect((err as UpdraftError).code).toBe(ErrorCodes.NOTEBOOK);
    return err as UpdraftError;
  }
  throw new Error("expected an E_NOTEBOOK error");
}

/** A notebook exercising every multi-line field, unicode, and odd metadata. */
const RICH = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {
    kernelspec: { display_name: "Python 3", language: "python", name: "python3" },
    language_info: { name: "python", version: "3.11.2" },
    custom: { "10": 1, "9": 2, a: [0.5, 1e-7, -3, true, null], é: "ü", "😀": "\u2028", Z: {} },
    signature: "sha256:dropped",
  },
  cells: [
    {
      cell_type: "markdown",
      id: "md-1",
      metadata: { trusted: true, tags: ["x"] },
      source: ["# Title\n", "\n", "Some *text* é\n", "last line"],
      attachments: { "a.png": { "image/png": "iVBORw0KGgo=", "text/plain": ["a\n", "b"] } },
    },
    {
      cell_type: "code",
      id: "code_2",
      execution_count: 3,
      metadata: { tags: ["parameters"], collapsed: false },
      source: "alpha = 0.5\r\nbeta = 'x'\n\n",
      outputs: [
        { output_type: "stream", name: "stdout", text: ["hello\n", "world\n"] },
        {
          output_type: "execute_result",
          execution_count: 3,
          metadata: {},
          data: {
            "text/plain": "1\n2",
            "text/html": ["<b>\n", "x</b>"],
            "application/json": { a: [1, 2] },
            "application/vnd.custom+json": ["keep", "as list"],
            "image/svg+xml": "<svg>\n</svg>",
            "image/png": "AAAA",
          },
        },
        {
          output_type: "display_data",
          metadata: { "image/png": { width: 10 } },
          data: { "text/plain": "" },
        },
        { output_type: "error", ename: "E", evalue: "bad", traceback: ["t1", "t2"] },
      ],
    },
    { cell_type: "raw", id: "r3", metadata: {}, source: "" },
  ],
};

describe("parseNotebook", () => {
  it("reads nbformat 4, joining multi-line fields and dropping transient ones", () => {
    const nb = parseNotebook(JSON.stringify(RICH), "rich.ipynb");
    expect(nb.cells).toHaveLength(3);
    expect(nb.cells[0]?.source).toBe("# Title\n\nSome *text* é\nlast line");
    expect(nb.cells[0]?.metadata).toEqual({ tags: ["x"] });
    expect(nb.metadata.signature).toBeUndefined();
    expect(nb.metadata.custom).toEqual(RICH.metadata.custom);
    const code = nb.cells[1];
    if (code?.cell_type !== "code") throw new Error("expected a code cell");
    expect(code.outputs[0]).toMatchObject({ text: "hello\nworld\n" });
    expect(code.outputs[1]).toMatchObject({
      data: {
        "text/html": "<b>\nx</b>",
        "application/vnd.custom+json": ["keep", "as list"],
      },
    });
    const att = (nb.cells[0] as unknown as { attachments: Record<string, unknown> }).attachments;
    expect(att["a.png"]).toEqual({ "image/png": "iVBORw0KGgo=", "text/plain": "a\nb" });
  });

  it("tolerates missing optional fields", () => {
    const nb = parseNotebook(
      '{"nbformat": 4, "nbformat_minor": 2, "cells": [{"cell_type": "code", "source": "x"}]}',
    );
    expect(nb.metadata).toEqual({});
    expect(nb.cells[0]).toMatchObject({ metadata: {}, outputs: [], execution_count: null });
  });

  it("accepts Python's NaN/Infinity and a byte order mark", () => {
    const nb = parseNotebook(
      '\ufeff{"nbformat": 4, "nbformat_minor": 5, "metadata": {"papermill": {"parameters": {"a": NaN, "b": -Infinity, "c": [Infinity]}}}, "cells": []}',
    );
    expect(nb.metadata.papermill).toEqual({ parameters: { a: NaN, b: -Infinity, c: [Infinity] } });
    expect(serializeNotebook(nb)).toContain('"a": NaN');
  });

  it("keeps a __proto__ key as data", () => {
    const nb = parseNotebook(
      '{"nbformat": 4, "nbformat_minor": 5, "metadata": {"__proto__": {"x": 1}}, "cells": []}',
    );
    expect(Object.keys(nb.metadata)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("reports JSON syntax errors with line and column", () => {
    const e = notebookError(() =>
      parseNotebook('{\n "nbformat": 4,\n "cells": [1,]\n}', "bad.ipynb"),
    );
    expect(e.message).toMatch(/^bad\.ipynb: is not valid JSON: .*\(line 3, column 14\)$/);
    expect(e.details).toEqual({ line: 3, column: 14 });
    expect(notebookError(() => parseNotebook("")).message).toMatch(
      /Unexpected end of input \(line 1, column 1\)/,
    );
    expect(notebookError(() => parseNotebook("{} x")).message).toMatch(/after the JSON value/);
    expect(notebookError(() => parseNotebook('{"a": tru}')).message).toMatch(/column 7/);
    expect(notebookError(() => parseNotebook('{"a": "\u0001"}')).message).toMatch(/Invalid string/);
  });

  it("rejects documents that are not nbformat 4 notebooks", () => {
    expect(notebookError(() => parseNotebook("[]")).message).toMatch(/not an object/);
    expect(notebookError(() => parseNotebook('{"cells": []}')).message).toMatch(
      /no integer nbformat/,
    );
    const v3 = notebookError(() =>
      parseNotebook('{"nbformat": 3, "nbformat_minor": 0, "worksheets": []}', "old.ipynb"),
    );
    expect(v3.message).toMatch(/old\.ipynb: is an nbformat 3 notebook/);
    expect(v3.message).toContain("jupyter nbconvert --to notebook --nbformat 4");
    expect(notebookError(() => parseNotebook('{"nbformat": 5, "cells": []}')).message).toMatch(
      /nbformat 5/,
    );
    expect(
      notebookError(() => parseNotebook('{"nbformat": 4, "nbformat_minor": 5}')).message,
    ).toMatch(/no cells list/);
    expect(
      notebookError(() => parseNotebook('{"nbformat": 4, "nbformat_minor": 5, "cells": {}}'))
        .message,
    ).toMatch(/cells that are not a list/);
  });

  it("rejects malformed cells and outputs, naming the cell", () => {
    const nb = (cells: unknown) =>
      JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });
    expect(
      notebookError(() => parseNotebook(nb([{ cell_type: "heading", source: "" }]))).message,
    ).toMatch(/cell 0 has cell_type "heading"/);
    expect(notebookError(() => parseNotebook(nb([1]))).message).toMatch(
      /cell 0 is not a JSON object/,
    );
    expect(notebookError(() => parseNotebook(nb([{ cell_type: "code" }]))).message).toMatch(
      /no source/,
    );
    expect(
      notebookError(() => parseNotebook(nb([{ cell_type: "code", source: [1] }]))).message,
    ).toMatch(/no source/);
    expect(
      notebookError(() => parseNotebook(nb([{ cell_type: "code", source: "", outputs: {} }])))
        .message,
    ).toMatch(/outputs that are not a list/);
    expect(
      notebookError(() =>
        parseNotebook(nb([{ cell_type: "code", source: "", outputs: [{ output_type: "pyout" }] }])),
      ).message,
    ).toMatch(/cell 0 output 0 is not an output/);
    expect(
      notebookError(() => parseNotebook(nb([{ cell_type: "raw", source: "", metadata: [] }])))
        .message,
    ).toMatch(/metadata that is not an object/);
    expect(
      notebookError(() => parseNotebook(nb([{ cell_type: "raw", source: "", id: 5 }]))).message,
    ).toMatch(/id that is not a string/);
  });

  it("refuses oversized text", () => {
    expect(
      notebookError(() => parseNotebook("x".repeat(101), "big", { maxChars: 100 })).message,
    ).toMatch(/big: is 101 characters long; notebooks are limited to 100/);
    // The default cap is 100 MiB of text.
    const huge = " ".repeat(100 * 1024 * 1024 + 1);
    expect(notebookError(() => parseNotebook(huge)).message).toMatch(/limited to 104857600/);
  });

  it("refuses deep nesting without overflowing the stack, on both parse paths", () => {
    const deep = (n: number, tail = "") =>
      `{"nbformat": 4, "nbformat_minor": 5, "cells": [], "metadata": {"x": ${"[".repeat(n)}${"]".repeat(n)}${tail}}}`;
    expect(parseNotebook(deep(900)).metadata.x).toBeDefined();
    expect(notebookError(() => parseNotebook(deep(200_000))).message).toMatch(
      /nested deeper than 1000/,
    );
    // A syntax error forces the fallback parser, which must stop at the same depth.
    expect(notebookError(() => parseNotebook(deep(200_000, ","))).message).toMatch(
      /Nested deeper than 1000 levels/,
    );
    expect(notebookError(() => parseNotebook(deep(10, ", NaN x"))).message).toMatch(/line 1/);
  });
});

describe("serializeNotebook", () => {
  it("writes nbformat's layout: one-space indent, sorted keys, split lines, trailing newline", () => {
    const nb = parseNotebook(JSON.stringify(RICH));
    const text = serializeNotebook(nb);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).toContain('\n "cells": [\n  {\n   "attachments": {');
    expect(text).toContain(
      '"source": [\n    "alpha = 0.5\\r\\n",\n    "beta = \'x\'\\n",\n    "\\n"\n   ]',
    );
    expect(text).toContain('"source": []');
    expect(text).toContain('"é": "ü"');
    expect(text).not.toContain("signature");
    expect(text).not.toContain("trusted");
    // Round trip: parsing what we wrote gives the same notebook.
    expect(parseNotebook(text)).toEqual(nb);
  });

  it("does not modify the notebook it writes", () => {
    const nb = parseNotebook(JSON.stringify(RICH));
    const before = structuredClone(nb);
    serializeNotebook(nb);
    expect(nb).toEqual(before);
  });

  it.skipIf(!hasNbformat)("is byte-identical to nbformat.write", () => {
    const text = JSON.stringify(RICH);
    const script =
      "import sys, nbformat\n" +
      "nb = nbformat.reads(sys.stdin.read(), as_version=nbformat.NO_CONVERT)\n" +
      "sys.stdout.write(nbformat.writes(nb) + '\\n')\n";
    const r = spawnSync(PYTHON, ["-c", script], { input: text, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(serializeNotebook(parseNotebook(text))).toBe(r.stdout);
  });
});

describe("multi-line strings", () => {
  it("splits like Python's splitlines(True) and joins back", () => {
    expect(toMultiline("")).toEqual([]);
    expect(toMultiline("a")).toEqual(["a"]);
    expect(toMultiline("a\n")).toEqual(["a\n"]);
    expect(toMultiline("a\r\nb\rc\nd")).toEqual(["a\r\n", "b\r", "c\n", "d"]);
    expect(toMultiline("a\u2028b\x0cc\x85d")).toEqual(["a\u2028", "b\x0c", "c\x85", "d"]);
    const t = "x\n\ny\r\n\u2029z";
    expect(toMultiline(t).join("")).toBe(t);
    expect(sourceText({ source: ["a\n", "b"] })).toBe("a\nb");
    expect(sourceText({ source: "ab" })).toBe("ab");
  });
});

describe("cell ids and upgradeTo45", () => {
  const nb = (ids: (string | undefined)[], minor = 4): Notebook => ({
    nbformat: 4,
    nbformat_minor: minor,
    metadata: {},
    cells: ids.map((id) => ({
      cell_type: "markdown",
      source: "",
      metadata: {},
      ...(id === undefined ? {} : { id }),
    })),
  });

  it("generates nbformat-style ids", () => {
    const id = randomCellId();
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(isValidCellId("a-b_C9")).toBe(true);
    expect(isValidCellId("")).toBe(false);
    expect(isValidCellId("x".repeat(65))).toBe(false);
    expect(isValidCellId("a b")).toBe(false);
    const taken = new Set(["aaaa"]);
    let n = 0;
    expect(uniqueCellId(taken, () => (n++ < 3 ? "aaaa" : "bbbb"))).toBe("bbbb");
    expect(taken.has("bbbb")).toBe(true);
  });

  it("keeps valid unique ids and replaces missing, invalid and duplicate ones", () => {
    const input = nb(["keep-1", undefined, "bad id", "keep-1", "x".repeat(65), "ok_2"]);
    const copy = structuredClone(input);
    const out = upgradeTo45(input);
    expect(out.nbformat).toBe(4);
    expect(out.nbformat_minor).toBe(5);
    const ids = out.cells.map((c) => c.id ?? "");
    expect(ids[0]).toBe("keep-1");
    expect(ids[5]).toBe("ok_2");
    for (const id of ids) expect(id).toMatch(CELL_ID_RE);
    expect(new Set(ids).size).toBe(ids.length);
    expect(input).toEqual(copy); // not modified
  });

  it("uses a given id factory and never lowers the minor version", () => {
    let i = 0;
    const out = upgradeTo45(nb([undefined, undefined], 7), { newCellId: () => `c${i++}` });
    expect(out.cells.map((c) => c.id)).toEqual(["c0", "c1"]);
    expect(out.nbformat_minor).toBe(7);
  });
});

describe("JSON helpers", () => {
  it("sorts keys by code point like Python", () => {
    expect(["\uffff", "😀", "a", "B"].sort(compareCodePoints)).toEqual(["B", "a", "\uffff", "😀"]);
  });

  it("parses what JSON.parse parses, identically", () => {
    const text = JSON.stringify({
      a: [1, -2.5e-3, 'x\u2028"\\', { b: null, c: true, d: false }],
      e: {},
    });
    expect(parseJsonFallback(text, 100)).toEqual({ ok: true, value: JSON.parse(text) as unknown });
  });
});
