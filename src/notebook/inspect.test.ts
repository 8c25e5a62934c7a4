import { describe, expect, it } from "vitest";
import type { JsonObject } from "../spec/types.js";
import { inferPythonType, inspectPythonSource } from "./inspect-python.js";
import { inferRType, inspectRSource } from "./inspect-r.js";
import { findFirstTaggedCell, inspectParameters, inspectSource } from "./inspect.js";
import type { Notebook } from "./types.js";

const p = (name: string, inferredType: string | null, def: string, help = "") => ({
  name,
  inferredType,
  default: def,
  help,
});

describe("Python parameters cells", () => {
  // papermill/tests/test_translators.py test_inspect_python, with one difference: where
  // papermill reports the type "None" (unknown) we report the literal's type.
  const papermillCases: [string, ReturnType<typeof p>[]][] = [
    ["a = 2", [p("a", "int", "2")]],
    ["a: int = 2", [p("a", "int", "2")]],
    ["a = 2 # type:int", [p("a", "int", "2")]],
    ["a = False # Nice variable a", [p("a", "bool", "False", "Nice variable a")]],
    ["a: float = 2.258 # type: int Nice variable a", [p("a", "float", "2.258", "Nice variable a")]],
    [
      "a = 'this is a string' # type: int Nice variable a",
      [p("a", "int", "'this is a string'", "Nice variable a")],
    ],
    [
      "a: List[str] = ['this', 'is', 'a', 'string', 'list'] # Nice variable a",
      [p("a", "List[str]", "['this', 'is', 'a', 'string', 'list']", "Nice variable a")],
    ],
    [
      "a: List[str] = [\n    'this', # First\n    'is',\n    'a',\n    'string',\n    'list' # Last\n] # Nice variable a",
      [p("a", "List[str]", "['this','is','a','string','list']", "Nice variable a")],
    ],
    [
      "a: List[str] = [\n    'this',\n    'is',\n    'a',\n    'string',\n    'list'\n] # Nice variable a",
      [p("a", "List[str]", "['this','is','a','string','list']", "Nice variable a")],
    ],
    [
      `a: List[str] = [
                'this', # First
                'is',

                'a',
                'string',
                'list' # Last
            ] # Nice variable a

            b: float = -2.3432 # My b variable
            `,
      [
        p("a", "List[str]", "['this','is','a','string','list']", "Nice variable a"),
        p("b", "float", "-2.3432", "My b variable"),
      ],
    ],
  ];
  for (const [source, expected] of papermillCases) {
    it(`reads ${JSON.stringify(source.slice(0, 50))}`, () => {
      expect(inspectPythonSource(source)).toEqual(expected);
    });
  }

  it("reads a typical cell: strings with # and =, dicts over lines, magics, functions", () => {
    const src = [
      "# Parameters for the run",
      "%matplotlib inline",
      "data_path = 's3://bucket/#1?x=1'  # where the data is",
      'sep = "="',
      "threshold = 0.75 # decision threshold",
      "n_estimators: int = 100",
      "config = {",
      '    "lr": 1e-3,  # learning rate',
      '    "layers": [64, 32],',
      "}  # model config",
      "seeds = (1, 2, 3)",
      "empty = None",
      'name: \'str\' = """multi',
      'line # not a comment"""',
      "a = b = 3",
      "x, y = 1, 2",
      "obj.attr = 1",
      "items[0] = 1",
      "count += 1",
      "flag = x == 1",
      "def helper(z=1):",
      "    inner = 5",
      "    return z",
      "after = 'ok'",
      "path = base + \\",
      "    '/sub'",
      "if True:",
      "    nested = [1]",
      "ann_only: int",
      "semi_a = 1; semi_b = 'x;y'  # both",
      "",
    ].join("\n");
    expect(inspectPythonSource(src)).toEqual([
      p("data_path", "str", "'s3://bucket/#1?x=1'", "where the data is"),
      p("sep", "str", '"="'),
      p("threshold", "float", "0.75", "decision threshold"),
      p("n_estimators", "int", "100"),
      p("config", "dict", '{"lr": 1e-3,"layers": [64, 32],}', "model config"),
      p("seeds", "tuple", "(1, 2, 3)"),
      p("empty", "NoneType", "None"),
      p("name", "str", '"""multiline # not a comment"""'),
      p("flag", null, "x == 1"),
      p("after", "str", "'ok'"),
      p("path", null, "base +'/sub'"),
      p("nested", "list", "[1]"),
      p("semi_a", "int", "1"),
      p("semi_b", "str", "'x;y'", "both"),
    ]);
  });

  it("never throws on code it cannot read", () => {
    for (const src of ["a = (", "'''", "= 1", "a = 'x", ")))", "\\", "a: = 1", ""]) {
      expect(() => inspectPythonSource(src)).not.toThrow();
    }
    expect(inspectPythonSource("a = [1,\n 2")).toEqual([p("a", null, "[1,2")]);
  });

  it("infers the type of literal defaults", () => {
    const cases: [string, string | null][] = [
      ["1_000", "int"],
      ["-0x1F", "int"],
      ["0b101", "int"],
      ["3.", "float"],
      [".5e-3", "float"],
      ["1e10", "float"],
      ["float('nan')", "float"],
      ['float("-inf")', "float"],
      ["2j", "complex"],
      ["'a' 'b'", "str"],
      ["f'{x}'", "str"],
      ["rb'\\d'", "bytes"],
      ["b'x' 'y'", null],
      ["True", "bool"],
      ["None", "NoneType"],
      ["[]", "list"],
      ["[1] + [2]", null],
      ["{}", "dict"],
      ["{'a': 1}", "dict"],
      ["{**base}", "dict"],
      ["{1, 2}", "set"],
      ["()", "tuple"],
      ["(1,)", "tuple"],
      ["(1)", "int"],
      ["os.environ['X']", null],
      ["datetime.date(2020, 1, 1)", null],
    ];
    for (const [text, type] of cases) expect([text, inferPythonType(text)]).toEqual([text, type]);
  });
});

describe("R parameters cells", () => {
  it("reads = and <- assignments with help comments", () => {
    const src = [
      "# Parameters",
      "alpha <- 0.5 # learning rate",
      'name = "it\'s # here" #  the name',
      "n = 10L",
      "flag <- TRUE",
      "nothing <- NULL",
      "v <- c(1, 2.5,",
      "       3)  # a vector",
      "words = c('a', \"b\")",
      "mixed = c(1L, 2)",
      "opts <- list(",
      "  a = 1,",
      "  b = 'x'",
      ")",
      "`odd name` <- 1",
      "expr = 1 +",
      "  2",
      "f <- function(x) {",
      "  y <- x",
      "}",
      "x == 2",
      "library(stats)",
      ".hidden = NA_character_",
    ].join("\n");
    expect(inspectRSource(src)).toEqual([
      p("alpha", "numeric", "0.5", "learning rate"),
      p("name", "character", '"it\'s # here"', "the name"),
      p("n", "integer", "10L"),
      p("flag", "logical", "TRUE"),
      p("nothing", "NULL", "NULL"),
      p("v", "numeric", "c(1, 2.5,3)", "a vector"),
      p("words", "character", "c('a', \"b\")"),
      p("mixed", "numeric", "c(1L, 2)"),
      p("opts", "list", "list(a = 1,b = 'x')"),
      p("odd name", "numeric", "1"),
      p("expr", null, "1 +2"),
      p(".hidden", "character", "NA_character_"),
    ]);
  });

  it("infers R types of literals", () => {
    const cases: [string, string | null][] = [
      ["1", "numeric"],
      ["-1.5e3", "numeric"],
      ["Inf", "numeric"],
      ["0x10L", "integer"],
      ["2i", "complex"],
      ["'x'", "character"],
      ["F", "logical"],
      ["NA", "logical"],
      ["c()", "NULL"],
      ["c(TRUE, NA)", "logical"],
      ["c(1, 'a')", "character"],
      ["c(a = 1, b = 2L)", "numeric"],
      ["c(x, 1)", null],
      ["list()", "list"],
      ["Sys.Date()", null],
    ];
    for (const [text, type] of cases) expect([text, inferRType(text)]).toEqual([text, type]);
  });
});

describe("inspectParameters", () => {
  const nb = (cells: [string, string[]][], metadata: JsonObject = {}): Notebook => ({
    nbformat: 4,
    nbformat_minor: 5,
    metadata,
    cells: cells.map(([source, tags]) => ({
      cell_type: "code",
      source,
      metadata: { tags },
      outputs: [],
      execution_count: null,
    })),
  });
  const py = { kernelspec: { name: "python3", language: "python" } };

  it("reads the first cell tagged parameters", () => {
    const n = nb(
      [
        ["import os", []],
        ["a = 1", ["x", "parameters"]],
        ["b = 2", ["parameters"]],
      ],
      py,
    );
    expect(findFirstTaggedCell(n, "parameters")).toBe(1);
    expect(inspectParameters(n)).toEqual([p("a", "int", "1")]);
  });

  it("joins list sources and uses the notebook's language", () => {
    const n = nb([["", ["parameters"]]], { language_info: { name: "R" } });
    n.cells[0]!.source = ["x <- 1\n", "y = 'a'"];
    expect(inspectParameters(n)).toEqual([p("x", "numeric", "1"), p("y", "character", "'a'")]);
    // Read as Python, `x <- 1` is a comparison, not an assignment.
    expect(inspectParameters(n, "python")).toEqual([p("y", "str", "'a'")]);
  });

  it("returns [] without a parameters cell, for other languages, or an unknown one", () => {
    expect(inspectParameters(nb([["a = 1", []]], py))).toEqual([]);
    expect(
      inspectParameters(
        nb([["val a = 1", ["parameters"]]], { kernelspec: { name: "sparkkernel" } }),
      ),
    ).toEqual([]);
    expect(inspectParameters(nb([["a = 1", ["parameters"]]], {}))).toEqual([]);
    expect(
      inspectParameters(nb([["a = 1", ["parameters"]]], { kernelspec: { name: "ruby" } })),
    ).toEqual([]);
    expect(inspectSource("a = 1", "julia")).toEqual([]);
  });

  it("ignores malformed tags", () => {
    const n = nb([["a = 1", []]], py);
    n.cells[0]!.metadata.tags = "parameters";
    expect(inspectParameters(n)).toEqual([]);
  });
});
