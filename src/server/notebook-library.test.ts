import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseNotebook, serializeNotebook } from "../notebook/nbformat.js";
import { code, markdown, notebookOf } from "../notebook/test-notebooks.js";
import { UpdraftError } from "../spec/errors.js";
import { HttpError } from "./http-errors.js";
import { NotebookLibrary } from "./notebook-library.js";

const PY = JSON.stringify(
  notebookOf("python3", [
    markdown("# prep"),
    code('alpha = 0.5  # learning rate\nname: str = "x"\n', ["parameters"]),
    code("print(alpha)"),
  ]),
);
const R = JSON.stringify(
  notebookOf("ir", [code("n_rows <- 10L  # how many\nlabel <- 'a'\nflag <- TRUE", ["parameters"])]),
);

let tmp: string;
let root: string;
let outside: string;
let lib: NotebookLibrary;

beforeEach(async () => {
  tmp = mkdtempSync(join(tmpdir(), "updraft-nblib-"));
  root = join(tmp, "library");
  outside = join(tmp, "outside");
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.ipynb"), PY);
  lib = new NotebookLibrary(root);
  await lib.open();
});

afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<UpdraftError | HttpError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof UpdraftError || err instanceof HttpError) return err;
    throw err;
  }
  throw new Error("the promise resolved");
}

/** Every file under the library, dot-files included, relative. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe("notebook library", () => {
  it("saves atomically in nbformat's format and reads, lists and inspects it", async () => {
    const saved = await lib.save("team/prep.ipynb", PY);
    expect(saved.created).toBe(true);
    expect(saved.entry).toMatchObject({
      path: "team/prep.ipynb",
      kernel: "python3",
      language: "python",
      params: 2,
      error: null,
    });
    const onDisk = readFileSync(join(root, "team", "prep.ipynb"), "utf8");
    expect(onDisk).toBe(serializeNotebook(parseNotebook(PY)));
    expect(saved.entry.size).toBe(Buffer.byteLength(onDisk));
    expect(filesUnder(root)).toEqual(["team/prep.ipynb"]); // no temporary file left
    const read = await lib.read("team/prep.ipynb");
    expect(read.text).toBe(onDisk);
    expect(read.notebook.cells).toHaveLength(3);
    expect(await lib.params("team/prep.ipynb")).toEqual([
      { name: "alpha", inferredType: "float", default: "0.5", help: "learning rate" },
      { name: "name", inferredType: "str", default: '"x"', help: "" },
    ]);
  });

  it("inspects the parameters of an R notebook", async () => {
    await lib.save("model.ipynb", R);
    expect(await lib.params("model.ipynb")).toEqual([
      { name: "n_rows", inferredType: "integer", default: "10L", help: "how many" },
      { name: "label", inferredType: "character", default: "'a'", help: "" },
      { name: "flag", inferredType: "logical", default: "TRUE", help: "" },
    ]);
  });

  it("lists recursively, sorted, skipping dot-names, other files and links", async () => {
    await lib.save("b.ipynb", R);
    await lib.save("a/z.ipynb", PY);
    await lib.save("a/b/c.ipynb", PY);
    mkdirSync(join(root, ".ipynb_checkpoints"));
    writeFileSync(join(root, ".ipynb_checkpoints", "b-checkpoint.ipynb"), PY);
    writeFileSync(join(root, "notes.txt"), "hello");
    writeFileSync(join(root, "broken.ipynb"), "{ not json");
    symlinkSync(join(outside, "secret.ipynb"), join(root, "secret.ipynb"));
    symlinkSync(outside, join(root, "out"));
    const { notebooks, truncated } = await lib.list();
    expect(truncated).toBe(false);
    expect(notebooks.map((n) => n.path)).toEqual([
      "a/b/c.ipynb",
      "a/z.ipynb",
      "b.ipynb",
      "broken.ipynb",
    ]);
    const broken = notebooks.find((n) => n.path === "broken.ipynb");
    expect(broken).toMatchObject({ kernel: null, language: null, params: null });
    expect(broken?.error).toMatch(/not valid JSON/);
    expect(notebooks.find((n) => n.path === "b.ipynb")).toMatchObject({
      kernel: "ir",
      language: "R",
      params: 3,
    });
    expect(Number.isNaN(Date.parse(notebooks[0]?.modified ?? ""))).toBe(false);
  });

  it("lists a changed file anew and forgets a deleted one", async () => {
    await lib.save("n.ipynb", PY);
    expect((await lib.list()).notebooks[0]?.params).toBe(2);
    // Written behind the library's back, with a different size: the listing must notice.
    writeFileSync(join(root, "n.ipynb"), R);
    expect((await lib.list()).notebooks[0]).toMatchObject({ kernel: "ir", params: 3 });
    rmSync(join(root, "n.ipynb"));
    expect((await lib.list()).notebooks).toEqual([]);
  });

  it("refuses to overwrite unless asked, and replaces when asked", async () => {
    await lib.save("n.ipynb", PY);
    const before = readFileSync(join(root, "n.ipynb"), "utf8");
    const err = await rejection(lib.save("n.ipynb", R));
    expect(err.code).toBe("E_CONFLICT");
    expect(err.message).toMatch(/overwrite/);
    expect(readFileSync(join(root, "n.ipynb"), "utf8")).toBe(before);
    const again = await lib.save("n.ipynb", R, { overwrite: true });
    expect(again.created).toBe(false);
    expect(again.entry.kernel).toBe("ir");
    expect(filesUnder(root)).toEqual(["n.ipynb"]);
    // overwrite on a new name creates it.
    expect((await lib.save("m.ipynb", R, { overwrite: true })).created).toBe(true);
  });

  it("lets exactly one of two racing saves create a notebook", async () => {
    const results = await Promise.allSettled([lib.save("r.ipynb", PY), lib.save("r.ipynb", R)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failed = results.find((r) => r.status === "rejected");
    expect((failed?.reason as UpdraftError).code).toBe("E_CONFLICT");
    expect(filesUnder(root)).toEqual(["r.ipynb"]);
  });

  it("refuses a folder where the notebook goes and a file where a folder goes", async () => {
    mkdirSync(join(root, "dir.ipynb"));
    expect((await rejection(lib.save("dir.ipynb", PY, { overwrite: true }))).code).toBe(
      "E_CONFLICT",
    );
    await lib.save("f.ipynb", PY);
    expect((await rejection(lib.save("f.ipynb/x.ipynb", PY))).code).toBe("E_CONFLICT");
    expect((await rejection(lib.read("dir.ipynb"))).code).toBe("E_NOT_FOUND");
    expect((await rejection(lib.read("f.ipynb/x.ipynb"))).code).toBe("E_NOT_FOUND");
    expect(filesUnder(root)).toEqual(["f.ipynb"]);
  });

  it("never writes content that is not a notebook", async () => {
    const cases = [
      "{ not json",
      "[]",
      '{"a": 1}',
      '{"nbformat": 3, "worksheets": []}',
      '{"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [{"cell_type": "bogus"}]}',
      `${"[".repeat(5000)}${"]".repeat(5000)}`,
      "",
    ];
    for (const text of cases) {
      const err = await rejection(lib.save("bad.ipynb", text));
      expect(err).toBeInstanceOf(HttpError);
      expect((err as HttpError).status).toBe(400);
      expect(err.code).toBe("E_NOTEBOOK");
    }
    expect(filesUnder(root)).toEqual([]);
  });

  it("refuses a notebook over the size limit with a 413", async () => {
    const small = new NotebookLibrary(root, 500);
    const err = await rejection(small.save("big.ipynb", PY.replace("# prep", "#".repeat(600))));
    expect((err as HttpError).status).toBe(413);
    expect(filesUnder(root)).toEqual([]);
  });

  it("answers 422 for a stored file that is not a notebook", async () => {
    writeFileSync(join(root, "bad.ipynb"), '{"nbformat": 4}');
    const err = await rejection(lib.read("bad.ipynb"));
    expect((err as HttpError).status).toBe(422);
    expect(err.code).toBe("E_NOTEBOOK");
    expect((await rejection(lib.params("bad.ipynb"))).code).toBe("E_NOTEBOOK");
  });

  it("refuses bad paths before touching the disk", async () => {
    for (const path of [
      "../outside/secret.ipynb",
      "a/../../outside/secret.ipynb",
      `${outside}/secret.ipynb`,
      "x\u0000.ipynb",
      `${"x".repeat(300)}.ipynb`,
      `${"d/".repeat(40)}x.ipynb`,
      "secret.txt",
    ]) {
      expect((await rejection(lib.read(path))).code).toBe("E_VALIDATION");
      expect((await rejection(lib.save(path, PY))).code).toBe("E_VALIDATION");
    }
    expect(filesUnder(root)).toEqual([]);
    expect(readdirSync(outside)).toEqual(["secret.ipynb"]);
  });

  it("treats encoded traversal as a literal folder name inside the library", async () => {
    await lib.save("%2e%2e/x.ipynb", PY);
    expect(existsSync(join(root, "%2e%2e", "x.ipynb"))).toBe(true);
    expect(readdirSync(outside)).toEqual(["secret.ipynb"]);
  });

  it("refuses a notebook link leading out and any linked folder", async () => {
    symlinkSync(join(outside, "secret.ipynb"), join(root, "secret.ipynb"));
    symlinkSync(outside, join(root, "out"));
    expect((await rejection(lib.read("secret.ipynb"))).message).toMatch(/out of the library/);
    expect((await rejection(lib.params("secret.ipynb"))).code).toBe("E_VALIDATION");
    expect((await rejection(lib.read("out/secret.ipynb"))).message).toMatch(/symbolic link/);
    const save = await rejection(lib.save("out/new.ipynb", PY));
    expect(save.code).toBe("E_VALIDATION");
    expect(readdirSync(outside)).toEqual(["secret.ipynb"]);
    // A link to a folder inside the library is refused too: folders are never followed.
    mkdirSync(join(root, "real"));
    symlinkSync(join(root, "real"), join(root, "alias"));
    expect((await rejection(lib.save("alias/n.ipynb", PY))).code).toBe("E_VALIDATION");
  });

  it("follows a notebook link that stays inside and reports a dangling one as missing", async () => {
    await lib.save("real.ipynb", PY);
    symlinkSync(join(root, "real.ipynb"), join(root, "alias.ipynb"));
    expect((await lib.read("alias.ipynb")).notebook.cells).toHaveLength(3);
    symlinkSync(join(root, "gone.ipynb"), join(root, "dangling.ipynb"));
    expect((await rejection(lib.read("dangling.ipynb"))).code).toBe("E_NOT_FOUND");
    expect((await rejection(lib.read("nothing/here.ipynb"))).code).toBe("E_NOT_FOUND");
  });

  it("works when the library directory itself is reached through a link", async () => {
    const linked = join(tmp, "linked-library");
    symlinkSync(root, linked);
    const viaLink = new NotebookLibrary(linked);
    await viaLink.open();
    await viaLink.save("n.ipynb", PY);
    expect((await viaLink.read("n.ipynb")).path).toBe("n.ipynb");
    expect((await lib.list()).notebooks.map((n) => n.path)).toEqual(["n.ipynb"]);
  });
});
