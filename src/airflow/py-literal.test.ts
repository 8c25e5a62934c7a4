import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { HOSTILE_STRINGS } from "./hostile-corpus.js";
import { pyLiteral, pyNumber, pyString, uniqueVariable } from "./py-literal.js";

// Python reads each literal back; JSON (ensure_ascii) carries the values home intact.
function readBack(literals: string[]): unknown[] {
  const script =
    "import ast, json, sys\n" +
    "print(json.dumps([ast.literal_eval(l) for l in sys.stdin.read().split('\\n') if l]))";
  const out = execFileSync("/usr/bin/python3", ["-c", script], {
    input: literals.join("\n"),
    encoding: "utf8",
  });
  return JSON.parse(out) as unknown[];
}

describe("pyString", () => {
  it("round-trips every hostile string through Python's parser", () => {
    const literals = HOSTILE_STRINGS.map(pyString);
    const raw = ["\n", "\r", "\u0000", "\u2028", "\u2029", "\u0085", "\u202e"];
    for (const l of literals) for (const c of raw) expect(l.includes(c)).toBe(false);
    expect(readBack(literals)).toEqual(HOSTILE_STRINGS);
  });

  it("quotes like black", () => {
    expect(pyString("plain")).toBe('"plain"');
    expect(pyString('say "hi"')).toBe(`'say "hi"'`);
    expect(pyString(`it's "x"`)).toBe(`'it\\'s "x"'`);
    expect(pyString("it's")).toBe(`"it's"`);
  });
});

describe("pyLiteral", () => {
  it("writes JSON values, NaN and the infinities as Python", () => {
    expect(pyLiteral({ a: [1, -2.5, true, false, null], "b\n": {} })).toBe(
      '{"a": [1, -2.5, True, False, None], "b\\n": {}}',
    );
    expect(pyNumber(NaN)).toBe('float("nan")');
    expect(pyNumber(-Infinity)).toBe('-float("inf")');
    expect(readBack([pyLiteral([1e21, 5e-7, -0, 2 ** 53])])).toEqual([[1e21, 5e-7, 0, 2 ** 53]]);
  });
});

describe("uniqueVariable", () => {
  it("derives distinct identifiers", () => {
    const taken = new Set<string>();
    expect(["a-b", "a_b", "a-b", "Param"].map((id) => uniqueVariable(id, taken))).toEqual([
      "t_a_b",
      "t_a_b_2",
      "t_a_b_3",
      "t_Param",
    ]);
  });
});
