import { describe, expect, test } from "vitest";
import {
  ansiSegments,
  imageDataUrl,
  MAX_CELLS,
  MAX_TEXT,
  readNotebook,
  stripAnsi,
  svgDataUrl,
} from "./notebook-model.js";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/** A notebook as our executor writes one that failed at its third cell. */
function failed() {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { language_info: { name: "python" }, papermill: { exception: true } },
    cells: [
      {
        cell_type: "markdown",
        metadata: { tags: ["papermill-error-cell-tag"] },
        source:
          '<span style="color:red">An Exception was encountered at <a href="#papermill-error-cell">In [3]</a>.</span>',
      },
      {
        cell_type: "code",
        metadata: { tags: ["parameters"] },
        execution_count: 1,
        source: ["x = 1\n", "y = 2"],
        outputs: [],
      },
      {
        cell_type: "code",
        metadata: { tags: ["injected-parameters"] },
        execution_count: 2,
        source: "x = 5\n",
        outputs: [],
      },
      {
        cell_type: "markdown",
        metadata: { tags: ["papermill-error-cell-tag"] },
        source:
          '<span id="papermill-error-cell">Execution using papermill encountered an exception here</span>',
      },
      {
        cell_type: "code",
        metadata: { papermill: { exception: true, status: "failed", duration: 0.25 } },
        execution_count: 3,
        source: "1/0",
        outputs: [
          { output_type: "stream", name: "stdout", text: ["before\n"] },
          {
            output_type: "error",
            ename: "ZeroDivisionError",
            evalue: "division by zero",
            traceback: ["\u001b[0;31mZeroDivisionError\u001b[0m", "Traceback line"],
          },
        ],
      },
      {
        cell_type: "code",
        metadata: {},
        execution_count: null,
        source: "print('never')",
        outputs: [],
      },
    ],
  };
}

describe("readNotebook", () => {
  test("finds the failing cell, drops papermill's markup banners, marks parameter cells", () => {
    const m = readNotebook(failed());
    expect(m.problem).toBeNull();
    expect(m.cells.map((c) => c.type)).toEqual(["code", "code", "code", "code"]);
    expect(m.failingIndex).toBe(2);
    expect(m.cells[2]).toMatchObject({
      executionCount: 3,
      failed: true,
      status: "failed",
      duration: 0.25,
    });
    expect(m.cells[0]).toMatchObject({ parameters: true, source: "x = 1\ny = 2" });
    expect(m.cells[1]?.injected).toBe(true);
    expect(m.exception).toBe(true);
    expect(m.language).toBe("python");
    const err = m.cells[2]?.outputs[1];
    expect(err).toMatchObject({
      kind: "error",
      ename: "ZeroDivisionError",
      evalue: "division by zero",
    });
  });

  test("papermill's metadata alone marks the failing cell (no error output saved yet)", () => {
    const nb = failed();
    nb.cells[4]!.outputs = [];
    expect(readNotebook(nb).failingIndex).toBe(2);
  });

  test("a cell tagged raises-exception is not the failing one", () => {
    const nb = {
      cells: [
        {
          cell_type: "code",
          metadata: { tags: ["raises-exception"] },
          source: "raise ValueError",
          outputs: [{ output_type: "error", ename: "ValueError", evalue: "", traceback: [] }],
        },
      ],
    };
    expect(readNotebook(nb).failingIndex).toBe(-1);
  });

  test("picks images over HTML over text, validates base64, renders SVG only as an image", () => {
    const out = (data: unknown) =>
      readNotebook({
        cells: [
          { cell_type: "code", source: "", outputs: [{ output_type: "display_data", data }] },
        ],
      }).cells[0]?.outputs[0];
    expect(
      out({ "image/png": `${PNG.slice(0, 40)}\n${PNG.slice(40)}`, "text/plain": "<Figure>" }),
    ).toEqual({
      kind: "image",
      mime: "image/png",
      src: `data:image/png;base64,${PNG}`,
    });
    // Not base64: falls through to the next representation.
    expect(out({ "image/png": '"><script>alert(1)</script>', "text/plain": "fig" })).toEqual({
      kind: "text",
      text: "fig",
    });
    expect(out({ "image/svg+xml": "<svg><script>alert(1)</script></svg>" })).toMatchObject({
      kind: "image",
      mime: "image/svg+xml",
    });
    expect(out({ "text/html": ["<b>", "bold</b>"], "text/plain": "bold" })).toEqual({
      kind: "html",
      html: "<b>bold</b>",
    });
    expect(out({ "application/json": { a: [1] } })).toEqual({
      kind: "json",
      text: '{\n  "a": [\n    1\n  ]\n}',
    });
    expect(out({ "application/x-weird": 1 })).toEqual({
      kind: "unsupported",
      mimes: ["application/x-weird"],
    });
  });

  test("hostile shapes never throw: wrong types everywhere, huge texts capped, too many cells cut", () => {
    expect(readNotebook(null).problem).toMatch(/not a Jupyter notebook/);
    expect(readNotebook({ cells: "x" }).problem).toMatch(/not a Jupyter notebook/);
    const weird = readNotebook({
      cells: [
        7,
        null,
        { cell_type: "code", source: { evil: true }, outputs: "no", execution_count: "1" },
        {
          cell_type: "code",
          source: [1, "ok", null],
          outputs: [
            null,
            5,
            { output_type: "stream", text: 3 },
            { output_type: "display_data", data: [] },
          ],
        },
        { cell_type: "banana", metadata: { tags: "parameters" }, source: "s" },
      ],
    });
    expect(
      weird.cells.map((c) => [c.type, c.source, c.executionCount, c.outputs.length, c.parameters]),
    ).toEqual([
      ["code", "", null, 0, false],
      ["code", "ok", null, 1, false],
      ["code", "s", null, 0, false],
    ]);
    const huge = readNotebook({
      cells: [{ cell_type: "markdown", source: "z".repeat(MAX_TEXT * 3) }],
    });
    expect(huge.cells[0]!.source.length).toBeLessThan(MAX_TEXT + 100);
    const many = readNotebook({
      cells: Array.from({ length: MAX_CELLS + 5 }, () => ({ cell_type: "markdown", source: "" })),
    });
    expect(many.cells).toHaveLength(MAX_CELLS);
    expect(many.omittedCells).toBe(5);
  });
});

describe("images", () => {
  test("only raster types with clean base64 become data URLs", () => {
    expect(imageDataUrl("image/png", PNG)).toBe(`data:image/png;base64,${PNG}`);
    expect(imageDataUrl("text/html", PNG)).toBeUndefined();
    expect(imageDataUrl("image/png", "javascript:alert(1)")).toBeUndefined();
    expect(imageDataUrl("image/png", "abc=def")).toBeUndefined();
    expect(imageDataUrl("image/png", "a")).toBeUndefined();
    expect(imageDataUrl("image/png", "")).toBeUndefined();
    expect(imageDataUrl("image/jpeg", ["/9j/", "4AAQ"])).toBe("data:image/jpeg;base64,/9j/4AAQ");
    expect(svgDataUrl("<svg onload='x'/>")).toBe(
      `data:image/svg+xml;charset=utf-8,${encodeURIComponent("<svg onload='x'/>")}`,
    );
  });
});

describe("ANSI", () => {
  test("strips colour, cursor and OSC sequences", () => {
    expect(stripAnsi("\u001b[1;31mred\u001b[0m \u001b[2K\u001b]0;title\u0007done\u001b")).toBe(
      "red done",
    );
  });

  test("turns SGR colours into segments, everything else into plain text", () => {
    expect(ansiSegments("a\u001b[31mb\u001b[1mc\u001b[0md\u001b[38;5;200me\u001b[92mf")).toEqual([
      { text: "a", color: undefined, bold: false },
      { text: "b", color: "red", bold: false },
      { text: "c", color: "red", bold: true },
      { text: "d", color: undefined, bold: false },
      { text: "e", color: undefined, bold: false },
      { text: "f", color: "bright-green", bold: false },
    ]);
    expect(
      ansiSegments("<script>\u001b[31m</script>")
        .map((s) => s.text)
        .join(""),
    ).toBe("<script></script>");
  });
});
