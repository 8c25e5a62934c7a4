import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import {
  checkDeclaredOutputs,
  collectOutputs,
  MAX_OUTPUTS_BYTES,
  paramEnvName,
  parseOutputs,
  prepareContract,
} from "./contract.js";
import { cleanupTestDirs, makeTempDir, makeTestContext } from "./test-context.js";

afterEach(cleanupTestDirs);

function failure(fn: () => unknown): TaskError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TaskError);
    expect((err as TaskError).code).toBe(ErrorCodes.TASK_FAILED);
    return err as TaskError;
  }
  throw new Error("expected a TaskError");
}

describe("parseOutputs", () => {
  it("parses name=value lines, JSON when it parses and text otherwise", () => {
    expect(
      parseOutputs(
        [
          "n=150",
          "f=0.25",
          "ok=true",
          "none=null",
          "list=[1, 2]",
          'obj={"a": {"b": 1}}',
          'quoted="150"',
          "word=hello world",
          "zeros=007",
          "empty=",
          "eq=a=b",
          "huge=1e999",
        ].join("\n"),
      ),
    ).toEqual({
      n: 150,
      f: 0.25,
      ok: true,
      none: null,
      list: [1, 2],
      obj: { a: { b: 1 } },
      quoted: "150",
      word: "hello world",
      zeros: "007",
      empty: "",
      eq: "a=b",
      huge: "1e999",
    });
  });

  it("merges JSON-object lines, ignores blank lines, lets later values win", () => {
    const text = '{"a": 1, "b": [2]}\n\n  \r\nb=3\r\n{"c": {"d": null}}\na=x\n';
    expect(parseOutputs(text)).toEqual({ a: "x", b: 3, c: { d: null } });
  });

  it("keeps __proto__ as a plain key", () => {
    const out = parseOutputs('{"__proto__": {"polluted": true}}');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it("ignores a leading byte-order mark", () => {
    expect(parseOutputs("\uFEFFx=1")).toEqual({ x: 1 });
  });

  it("names the line of a malformed entry", () => {
    expect(failure(() => parseOutputs("a=1\n\njust text")).message).toBe(
      'line 3 of $UPDRAFT_OUTPUTS is not `name=value` or a JSON object: "just text"',
    );
    expect(failure(() => parseOutputs('a=1\n{"b": ')).message).toContain(
      "line 2 of $UPDRAFT_OUTPUTS starts with `{` but is not valid JSON",
    );
    expect(failure(() => parseOutputs("x = 1")).message).toContain(
      'line 1 of $UPDRAFT_OUTPUTS publishes output "x ", which is not a valid name',
    );
    expect(failure(() => parseOutputs("1abc=1")).message).toContain("not a valid name");
    expect(failure(() => parseOutputs('{"bad-name": 1}')).message).toContain(
      'publishes output "bad-name"',
    );
  });
});

describe("checkDeclaredOutputs", () => {
  it("passes when all declared outputs are present, undeclared ones allowed", () => {
    expect(() => checkDeclaredOutputs(["a"], { a: null, extra: 1 })).not.toThrow();
  });
  it("names the missing outputs", () => {
    expect(failure(() => checkDeclaredOutputs(["x"], {})).message).toBe(
      "task did not publish output `x`; write `x=...` to $UPDRAFT_OUTPUTS",
    );
    expect(failure(() => checkDeclaredOutputs(["x", "y", "z"], { y: 1 })).message).toBe(
      "task did not publish outputs `x`, `z`; write `x=...` to $UPDRAFT_OUTPUTS",
    );
  });
});

describe("collectOutputs", () => {
  it("treats a missing outputs file as empty", async () => {
    const dir = await makeTempDir();
    await expect(collectOutputs(join(dir, "nope"), [])).resolves.toEqual({});
  });

  it("refuses an outputs file over the size limit", async () => {
    const dir = await makeTempDir();
    const path = join(dir, "outputs.txt");
    await writeFile(path, Buffer.alloc(MAX_OUTPUTS_BYTES + 10, "a"));
    await expect(collectOutputs(path, [])).rejects.toThrow(
      /wrote 16\.0 MiB to \$UPDRAFT_OUTPUTS, over the 16\.0 MiB limit/,
    );
  });
});

describe("prepareContract", () => {
  it("writes params.json, an empty outputs file and the contract variables", async () => {
    const ctx = await makeTestContext(
      { type: "shell", command: "true" },
      { params: { alpha: "text", n: 3, flags: [true, null], "my-name": { a: 1 } } },
    );
    ctx.env = { PATH: "/bin", UPDRAFT_PARAM_STALE: "from an enclosing task" };
    const c = await prepareContract(ctx);
    expect(JSON.parse(await readFile(c.paramsPath, "utf8"))).toEqual(ctx.params);
    expect((await stat(c.outputsPath)).size).toBe(0);
    expect(c.env).toEqual({
      PATH: "/bin",
      UPDRAFT_PARAM_ALPHA: "text",
      UPDRAFT_PARAM_N: "3",
      UPDRAFT_PARAM_FLAGS: "[true,null]",
      UPDRAFT_PARAM_MY_NAME: '{"a":1}',
      UPDRAFT_PARAMS: c.paramsPath,
      UPDRAFT_OUTPUTS: c.outputsPath,
      UPDRAFT_RUN_ID: "run-1",
      UPDRAFT_TASK_ID: "t1",
      UPDRAFT_ATTEMPT: "1",
      UPDRAFT_WORKFLOW: "wf",
    });
    expect(paramEnvName("train_path")).toBe("UPDRAFT_PARAM_TRAIN_PATH");
  });

  it("leaves values that cannot be environment variables to the JSON file, with a note", async () => {
    const big = "x".repeat(200_000);
    const ctx = await makeTestContext(
      { type: "shell", command: "true" },
      { params: { big, nul: "a\0b", ok: "fine" } },
    );
    const c = await prepareContract(ctx);
    expect(c.env["UPDRAFT_PARAM_BIG"]).toBeUndefined();
    expect(c.env["UPDRAFT_PARAM_NUL"]).toBeUndefined();
    expect(c.env["UPDRAFT_PARAM_OK"]).toBe("fine");
    expect(ctx.log.text()).toContain("param `big` is not passed as $UPDRAFT_PARAM_BIG");
    expect(JSON.parse(await readFile(c.paramsPath, "utf8"))).toEqual({
      big,
      nul: "a\0b",
      ok: "fine",
    });
  });
});
