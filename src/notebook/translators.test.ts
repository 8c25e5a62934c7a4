import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { JsonValue } from "../spec/types.js";
import { pythonFloatRepr } from "./translate-float.js";
import { bashWord, pythonString } from "./translate-strings.js";
import { checkParameterName, renderParameters, renderValue } from "./translators.js";

const PYTHON = "/usr/bin/python3";
const RSCRIPT = "/usr/bin/Rscript";
const hasPython = existsSync(PYTHON);
const hasR = existsSync(RSCRIPT);

function run(cmd: string, args: string[], input: string): string {
  const r = spawnSync(cmd, args, { input, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return r.stdout;
}

function expectParamError(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UpdraftError);
    expect((err as UpdraftError).code).toBe(ErrorCodes.PARAM);
    expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error("expected an E_PARAM error");
}

// Ported from papermill/tests/test_translators.py (papermill 2.6): the value cases shared
// by test_translate_type_{python,r,scala,julia}.
const SHARED: [JsonValue, Record<string, string>][] = [
  ["foo", { python: '"foo"', R: '"foo"', scala: '"foo"', julia: '"foo"' }],
  [
    '{"foo": "bar"}',
    {
      python: '"{\\"foo\\": \\"bar\\"}"',
      R: '"{\\"foo\\": \\"bar\\"}"',
      scala: '"{\\"foo\\": \\"bar\\"}"',
      julia: '"{\\"foo\\": \\"bar\\"}"',
    },
  ],
  [
    { foo: "bar" },
    {
      python: '{"foo": "bar"}',
      R: 'list("foo" = "bar")',
      scala: 'Map("foo" -> "bar")',
      julia: 'Dict("foo" => "bar")',
    },
  ],
  [
    { foo: '"bar"' },
    {
      python: '{"foo": "\\"bar\\""}',
      R: 'list("foo" = "\\"bar\\"")',
      scala: 'Map("foo" -> "\\"bar\\"")',
      julia: 'Dict("foo" => "\\"bar\\"")',
    },
  ],
  [
    { foo: ["bar"] },
    {
      python: '{"foo": ["bar"]}',
      R: 'list("foo" = list("bar"))',
      scala: 'Map("foo" -> Seq("bar"))',
      julia: 'Dict("foo" => ["bar"])',
    },
  ],
  [
    { foo: { bar: "baz" } },
    {
      python: '{"foo": {"bar": "baz"}}',
      R: 'list("foo" = list("bar" = "baz"))',
      scala: 'Map("foo" -> Map("bar" -> "baz"))',
      julia: 'Dict("foo" => Dict("bar" => "baz"))',
    },
  ],
  [
    { foo: { bar: '"baz"' } },
    {
      python: '{"foo": {"bar": "\\"baz\\""}}',
      R: 'list("foo" = list("bar" = "\\"baz\\""))',
      scala: 'Map("foo" -> Map("bar" -> "\\"baz\\""))',
      julia: 'Dict("foo" => Dict("bar" => "\\"baz\\""))',
    },
  ],
  [["foo"], { python: '["foo"]', R: 'list("foo")', scala: 'Seq("foo")', julia: '["foo"]' }],
  [
    ["foo", '"bar"'],
    {
      python: '["foo", "\\"bar\\""]',
      R: 'list("foo", "\\"bar\\"")',
      scala: 'Seq("foo", "\\"bar\\"")',
      julia: '["foo", "\\"bar\\""]',
    },
  ],
  [
    [{ foo: "bar" }],
    {
      python: '[{"foo": "bar"}]',
      R: 'list(list("foo" = "bar"))',
      scala: 'Seq(Map("foo" -> "bar"))',
      julia: '[Dict("foo" => "bar")]',
    },
  ],
  [
    [{ foo: '"bar"' }],
    {
      python: '[{"foo": "\\"bar\\""}]',
      R: 'list(list("foo" = "\\"bar\\""))',
      scala: 'Seq(Map("foo" -> "\\"bar\\""))',
      julia: '[Dict("foo" => "\\"bar\\"")]',
    },
  ],
  [12345, { python: "12345", R: "12345", scala: "12345", julia: "12345" }],
  [-54321, { python: "-54321", R: "-54321", scala: "-54321", julia: "-54321" }],
  [1.2345, { python: "1.2345", R: "1.2345", scala: "1.2345", julia: "1.2345" }],
  [-5432.1, { python: "-5432.1", R: "-5432.1", scala: "-5432.1", julia: "-5432.1" }],
  [true, { python: "True", R: "TRUE", scala: "true", julia: "true" }],
  [false, { python: "False", R: "FALSE", scala: "false", julia: "false" }],
  [null, { python: "None", R: "NULL", scala: "None", julia: "nothing" }],
];

describe("renderValue: papermill's test_translate_type_* cases", () => {
  for (const lang of ["python", "R", "scala", "julia"]) {
    for (const [input, expected] of SHARED) {
      it(`${lang}: ${JSON.stringify(input)}`, () => {
        expect(renderValue(lang, input)).toBe(expected[lang]);
      });
    }
  }

  it("python floats: nan and infinities (PythonTranslator.translate_float)", () => {
    expect(renderValue("python", Number.NaN)).toBe("float('nan')");
    expect(renderValue("python", -Infinity)).toBe("float('-inf')");
    expect(renderValue("python", Infinity)).toBe("float('inf')");
  });

  it("scala: L suffix past int32 (test_translate_type_scala)", () => {
    expect(renderValue("scala", 2147483648)).toBe("2147483648L");
    expect(renderValue("scala", -2147483649)).toBe("-2147483649L");
    expect(renderValue("scala", 2147483647)).toBe("2147483647");
  });

  it("bash: test_translate_type_sh cases", () => {
    const cases: [JsonValue, string][] = [
      ["foo", "foo"],
      ["foo space", "'foo space'"],
      ["foo's apostrophe", "'foo'\"'\"'s apostrophe'"],
      ["shell ( is ) <dumb>", "'shell ( is ) <dumb>'"],
      [12345, "12345"],
      [-54321, "-54321"],
      [1.2345, "1.2345"],
      [-5432.1, "-5432.1"],
      [true, "true"],
      [false, "false"],
      [null, ""],
    ];
    for (const [input, expected] of cases) expect(renderValue("bash", input)).toBe(expected);
  });

  it("non-finite floats in R, Scala, Julia and bash are literals of those languages", () => {
    expect([NaN, Infinity, -Infinity].map((x) => renderValue("R", x))).toEqual([
      "NaN",
      "Inf",
      "-Inf",
    ]);
    expect([NaN, Infinity, -Infinity].map((x) => renderValue("julia", x))).toEqual([
      "NaN",
      "Inf",
      "-Inf",
    ]);
    expect([NaN, Infinity, -Infinity].map((x) => renderValue("scala", x))).toEqual([
      "Double.NaN",
      "Double.PositiveInfinity",
      "Double.NegativeInfinity",
    ]);
    expect([NaN, Infinity, -Infinity].map((x) => renderValue("bash", x))).toEqual([
      "nan",
      "inf",
      "-inf",
    ]);
  });

  it("empty containers", () => {
    expect(renderValue("python", [])).toBe("[]");
    expect(renderValue("python", {})).toBe("{}");
    expect(renderValue("R", [])).toBe("list()");
    expect(renderValue("R", {})).toBe("list()");
    expect(renderValue("scala", {})).toBe("Map()");
    expect(renderValue("julia", {})).toBe("Dict()");
    expect(renderValue("bash", [])).toBe("()");
  });
});

describe("renderParameters: papermill's test_translate_codify_* cases", () => {
  const cases: [Record<string, JsonValue>, Record<string, string>][] = [
    [
      { foo: "bar" },
      {
        python: '# Parameters\nfoo = "bar"\n',
        R: '# Parameters\nfoo = "bar"\n',
        scala: '// Parameters\nval foo = "bar"\n',
        julia: '# Parameters\nfoo = "bar"\n',
        bash: "# Parameters\nfoo=bar\n",
      },
    ],
    [
      { foo: true },
      {
        python: "# Parameters\nfoo = True\n",
        R: "# Parameters\nfoo = TRUE\n",
        scala: "// Parameters\nval foo = true\n",
        julia: "# Parameters\nfoo = true\n",
        bash: "# Parameters\nfoo=true\n",
      },
    ],
    [
      { foo: 5 },
      {
        python: "# Parameters\nfoo = 5\n",
        R: "# Parameters\nfoo = 5\n",
        scala: "// Parameters\nval foo = 5\n",
        julia: "# Parameters\nfoo = 5\n",
        bash: "# Parameters\nfoo=5\n",
      },
    ],
    [
      { foo: 1.1 },
      {
        python: "# Parameters\nfoo = 1.1\n",
        R: "# Parameters\nfoo = 1.1\n",
        scala: "// Parameters\nval foo = 1.1\n",
        julia: "# Parameters\nfoo = 1.1\n",
        bash: "# Parameters\nfoo=1.1\n",
      },
    ],
    [
      { foo: ["bar", "baz"] },
      {
        python: '# Parameters\nfoo = ["bar", "baz"]\n',
        R: '# Parameters\nfoo = list("bar", "baz")\n',
        scala: '// Parameters\nval foo = Seq("bar", "baz")\n',
        julia: '# Parameters\nfoo = ["bar", "baz"]\n',
        bash: "# Parameters\nfoo=(bar baz)\n",
      },
    ],
    [
      { foo: "bar", baz: ["buz"] },
      {
        python: '# Parameters\nfoo = "bar"\nbaz = ["buz"]\n',
        R: '# Parameters\nfoo = "bar"\nbaz = list("buz")\n',
        scala: '// Parameters\nval foo = "bar"\nval baz = Seq("buz")\n',
        julia: '# Parameters\nfoo = "bar"\nbaz = ["buz"]\n',
        bash: "# Parameters\nfoo=bar\nbaz=(buz)\n",
      },
    ],
    [
      { foo: "bar", baz: "$dumb(shell)" },
      {
        python: '# Parameters\nfoo = "bar"\nbaz = "$dumb(shell)"\n',
        R: '# Parameters\nfoo = "bar"\nbaz = "$dumb(shell)"\n',
        scala: '// Parameters\nval foo = "bar"\nval baz = "$dumb(shell)"\n',
        // Deviation: papermill leaves `$`, which Julia would interpolate.
        julia: '# Parameters\nfoo = "bar"\nbaz = "\\$dumb(shell)"\n',
        bash: "# Parameters\nfoo=bar\nbaz='$dumb(shell)'\n",
      },
    ],
  ];
  for (const [params, expected] of cases) {
    for (const [lang, text] of Object.entries(expected)) {
      it(`${lang}: ${JSON.stringify(params)}`, () => {
        expect(renderParameters(lang, params)).toBe(text);
      });
    }
  }

  it("R drops leading underscores (test_translate_codify_r)", () => {
    expect(renderParameters("R", { ___foo: 5 })).toBe("# Parameters\nfoo = 5\n");
  });

  it("dict values in Python (test_translate_codify_python)", () => {
    expect(renderParameters("python", { foo: { bar: "baz" } })).toBe(
      '# Parameters\nfoo = {"bar": "baz"}\n',
    );
  });

  it("uses a custom one-line comment, stripped like papermill's comment()", () => {
    expect(renderParameters("python", { a: 1 }, "Injected by Updraft")).toBe(
      "# Injected by Updraft\na = 1\n",
    );
    expect(renderParameters("python", {}, "")).toBe("#\n");
    expect(renderParameters("scala", {}, "")).toBe("//\n");
    expect(renderParameters("python", {}, "x  ")).toBe("# x\n");
    expectParamError(() => renderParameters("python", { a: 1 }, "x\nimport os"), /single line/);
    expectParamError(() => renderParameters("python", { a: 1 }, "x\u2028y"), /single line/);
  });

  it("accepts language names in any case", () => {
    expect(renderParameters("r", { a: true })).toBe("# Parameters\na = TRUE\n");
    expect(renderParameters("Python", { a: true })).toBe("# Parameters\na = True\n");
  });

  it("refuses unknown languages, bad names and reserved words with E_PARAM", () => {
    expectParamError(() => renderParameters("cobol", { a: 1 }), /No parameter translator.*cobol/);
    expectParamError(() => renderParameters("python", { "a b": 1 }), /not an identifier/);
    expectParamError(() => renderParameters("python", { "x=1;import os;y": 1 }), /identifier/);
    expectParamError(() => renderParameters("python", { "1a": 1 }), /identifier/);
    expectParamError(() => renderParameters("python", { é: 1 }), /identifier/);
    expectParamError(() => renderParameters("python", { class: 1 }), /reserved word in python/);
    expectParamError(() => renderParameters("python", { None: 1 }), /reserved/);
    expectParamError(() => renderParameters("R", { TRUE: 1 }), /reserved word in R/);
    expectParamError(() => renderParameters("R", { _: 1 }), /not usable in R/);
    expectParamError(() => renderParameters("R", { _1x: 1 }), /not usable in R/);
    expectParamError(() => renderParameters("scala", { type: 1 }), /reserved word in scala/);
    expectParamError(() => renderParameters("julia", { end: 1 }), /reserved word in julia/);
    expect(() => checkParameterName("bash", "if")).not.toThrow();
  });

  it("refuses values with no literal", () => {
    expectParamError(() => renderValue("bash", { a: 1 }), /bash has no literal for objects/);
    expectParamError(() => renderValue("bash", [[1]]), /cannot nest/);
    expectParamError(() => renderValue("R", "a\0b"), /NUL/);
    expectParamError(() => renderValue("bash", "a\0b"), /NUL/);
    expectParamError(() => renderValue("R", "\ud800"), /surrogate/);
    expectParamError(() => renderValue("julia", "x\udc00"), /surrogate/);
    expectParamError(
      () => renderValue("python", undefined as unknown as JsonValue),
      /not a JSON value/,
    );
    expectParamError(
      () => renderValue("python", new Date() as unknown as JsonValue),
      /not a JSON value/,
    );
    let deep: JsonValue = 1;
    for (let i = 0; i < 150; i++) deep = [deep];
    expectParamError(() => renderValue("python", deep), /nested deeper than 100/);
  });
});

describe("number spelling", () => {
  it("prints floats like Python's repr", () => {
    const cases: [number, string][] = [
      [0.1, "0.1"],
      [1e-5, "1e-05"],
      [0.0001, "0.0001"],
      [1.5e16, "1.5e+16"],
      [1e16, "1e+16"],
      [123456789012345.6, "123456789012345.6"],
      [-2.5e-10, "-2.5e-10"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [5e-324, "5e-324"],
      [1, "1.0"],
      [-0, "-0.0"],
    ];
    for (const [x, text] of cases) expect(pythonFloatRepr(x)).toBe(text);
  });

  it("renders integers beyond 2^53 as floats, and in Scala never as an invalid Long", () => {
    expect(renderValue("python", 2 ** 60)).toBe("1.152921504606847e+18");
    expect(renderValue("scala", 1e20)).toBe("1e+20");
    expect(renderValue("python", 9007199254740991)).toBe("9007199254740991");
  });

  it.skipIf(!hasPython)("matches Python's repr for many floats", () => {
    const xs: number[] = [];
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 300; i++) xs.push((rnd() - 0.5) * 10 ** Math.floor(rnd() * 60 - 30));
    const ours = xs.map(pythonFloatRepr);
    const py = run(
      PYTHON,
      ["-c", "import json,sys; print('\\n'.join(repr(float(x)) for x in json.load(sys.stdin)))"],
      JSON.stringify(xs),
    );
    expect(ours).toEqual(py.trim().split("\n"));
  });
});

/** Strings chosen to break naive quoting in every target language. */
const HOSTILE: string[] = [
  "",
  '"',
  "'",
  '"""',
  "'''",
  "\\",
  '\\\\"',
  'end"; import os; os.system("x"); x = "',
  '"); import os; os.system("x")',
  "line1\nline2\r\nline3\rline4",
  "tab\there",
  "nul\0byte",
  "\u2028\u2029\u0085",
  "\x01\x1b[31m\x7f",
  "é ñ ü ÿ \u00a0",
  "emoji 😀 👨‍👩‍👧 𝄞",
  "${HOME} $(id) `id` $HOME",
  "#{x} %s {0} \\N{BULLET} \\u0041 \\x41",
  "# not a comment\nimport os",
  "\ufeffbom \uffff",
];

describe("hostile strings stay one literal", () => {
  it.skipIf(!hasPython)("Python: byte-for-byte papermill's unicode_escape text", () => {
    // papermill 2.6 Translator.translate_escaped_str.
    const script =
      "import json,sys\n" +
      "for s in json.load(sys.stdin):\n" +
      "    e = s.encode('unicode_escape').decode('utf-8').replace('\"', r'\\\"')\n" +
      "    print(json.dumps('\"' + e + '\"'))\n";
    const expected = run(PYTHON, ["-c", script], JSON.stringify(HOSTILE))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as string);
    expect(HOSTILE.map((s) => pythonString(s))).toEqual(expected);
  });

  it.skipIf(!hasPython)("Python: the cell is only assignments of literals that read back", () => {
    const params: Record<string, JsonValue> = {
      nested: { 'k"ey\n': HOSTILE, list: [null, true, false, 0, -1.5, { "": [] }] },
      nan: Number.NaN,
      inf: Infinity,
      ninf: -Infinity,
      lone: "a\ud800b",
    };
    HOSTILE.forEach((s, i) => (params[`s${i}`] = s));
    const cell = renderParameters("python", params);
    const script = String.raw`
import ast, json, math, sys
src = sys.stdin.read()
tree = ast.parse(src)
ok = (ast.Constant, ast.List, ast.Dict, ast.UnaryOp, ast.USub, ast.Load)
def literal(n):
    if isinstance(n, ast.Call):
        return (isinstance(n.func, ast.Name) and n.func.id == 'float' and len(n.args) == 1
                and isinstance(n.args[0], ast.Constant) and n.args[0].value in ('nan', 'inf', '-inf'))
    return isinstance(n, ok) and all(literal(c) for c in ast.iter_child_nodes(n))
out = {}
for st in tree.body:
    assert isinstance(st, ast.Assign), ast.dump(st)
    assert len(st.targets) == 1 and isinstance(st.targets[0], ast.Name)
    assert literal(st.value), ast.dump(st.value)
    v = eval(compile(ast.Expression(st.value), '<p>', 'eval'), {'__builtins__': {'float': float}})
    out[st.targets[0].id] = v
def enc(v):
    if isinstance(v, float) and not math.isfinite(v): return repr(v)
    if isinstance(v, str): return [ord(c) for c in v]
    if isinstance(v, list): return [enc(x) for x in v]
    if isinstance(v, dict): return {json.dumps([ord(c) for c in k], separators=(',', ':')): enc(x) for k, x in v.items()}
    return v
print(json.dumps(enc(out)))
`;
    const got = JSON.parse(run(PYTHON, ["-c", script], cell)) as JsonValue;
    const codeUnits = (s: string) => [...s].map((c) => c.codePointAt(0) as number);
    const enc = (v: JsonValue): JsonValue => {
      if (typeof v === "number" && !Number.isFinite(v))
        return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
      if (typeof v === "string") return codeUnits(v);
      if (Array.isArray(v)) return v.map(enc);
      if (v !== null && typeof v === "object") {
        return Object.fromEntries(
          Object.entries(v).map(([k, x]) => [JSON.stringify(codeUnits(k)), enc(x)]),
        );
      }
      return v;
    };
    expect(got).toEqual(enc(params));
  });

  it.skipIf(!hasR)("R: parse(text=) reads every value back unchanged", () => {
    const params: Record<string, JsonValue> = {};
    const usable = HOSTILE.filter((s) => !s.includes("\0"));
    usable.forEach((s, i) => (params[`s${i}`] = s));
    params.lst = { a: [1, 2.5, "x"], "b c": { d: true } };
    params.nums = [NaN, Infinity, -Infinity, 1e-5];
    params.nul = null;
    const cell = renderParameters("R", params);
    const script = String.raw`
src <- readLines(file("stdin"), encoding = "UTF-8", warn = FALSE)
exprs <- parse(text = src, keep.source = FALSE)
stopifnot(all(vapply(exprs, function(e) identical(e[[1]], as.name("=")), logical(1))))
env <- new.env()
for (e in exprs) eval(e, env)
out <- lapply(seq_len(${usable.length}) - 1, function(i) utf8ToInt(get(paste0("s", i), env)))
cat(jsonlite::toJSON(list(strings = out, lst = env$lst, nums = vapply(env$nums, format, ""),
  nul = is.null(env$nul)), auto_unbox = TRUE, digits = NA))
`;
    const got = JSON.parse(run(RSCRIPT, ["-e", script], cell)) as {
      strings: (number | number[])[];
      lst: JsonValue;
      nums: string[];
      nul: boolean;
    };
    // jsonlite unboxes one-element vectors; utf8ToInt("") is integer(0), written [].
    const strings = got.strings.map((v) => (typeof v === "number" ? [v] : v));
    expect(strings).toEqual(usable.map((s) => [...s].map((c) => c.codePointAt(0))));
    expect(got.lst).toEqual({ a: [1, 2.5, "x"], "b c": { d: true } });
    expect(got.nums).toEqual(["NaN", "Inf", "-Inf", "1e-05"]);
    expect(got.nul).toBe(true);
  });

  it("bash: each value is one word that bash reads back", () => {
    const usable = HOSTILE.filter((s) => !s.includes("\0"));
    const params: Record<string, JsonValue> = {};
    usable.forEach((s, i) => (params[`s${i}`] = s));
    params.arr = ["a b", "it's", "$(id)"];
    const cell = renderParameters("bash", params);
    const dump =
      usable.map((_, i) => `printf '%s\\0' "$s${i}"`).join("\n") +
      `\nprintf '%s\\0' "\${#arr[@]}" "\${arr[@]}"\n`;
    const r = spawnSync("bash", ["--norc", "--noprofile"], {
      input: cell + dump,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    });
    expect(r.status).toBe(0);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual([...usable, "3", "a b", "it's", "$(id)"]);
  });

  it("bash quoting matches shlex.quote", () => {
    expect(bashWord("")).toBe("''");
    expect(bashWord("a@b%c+d=e:f,g./-h_1")).toBe("a@b%c+d=e:f,g./-h_1");
    expect(bashWord("é")).toBe("'é'");
    expect(bashWord("~")).toBe("'~'");
  });

  it("Scala and Julia strings escape everything outside printable ASCII", () => {
    expect(renderValue("scala", "é\x01😀\u2028")).toBe('"\\u00e9\\u0001\\ud83d\\ude00\\u2028"');
    expect(renderValue("scala", "\\u0041")).toBe('"\\\\u0041"');
    expect(renderValue("julia", "é\x01😀$x")).toBe('"\\u00e9\\x01\\U0001f600\\$x"');
    expect(renderValue("R", "é\x01😀")).toBe('"\\u00e9\\x01\\U0001f600"');
  });
});
