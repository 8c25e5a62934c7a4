import { describe, expect, it } from "vitest";
import { UpdraftError } from "../spec/errors.js";
import {
  MAX_LIBRARY_DEPTH,
  MAX_LIBRARY_PATH_CHARS,
  MAX_LIBRARY_SEGMENT_BYTES,
  checkLibraryPath,
} from "./notebook-library-path.js";

function refusal(path: unknown): string {
  try {
    checkLibraryPath(path);
  } catch (err) {
    expect(err).toBeInstanceOf(UpdraftError);
    expect((err as UpdraftError).code).toBe("E_VALIDATION");
    return (err as UpdraftError).message;
  }
  throw new Error(`${JSON.stringify(path)} was accepted`);
}

describe("library paths", () => {
  it("accepts relative .ipynb paths and returns their segments", () => {
    expect(checkLibraryPath("a.ipynb")).toEqual(["a.ipynb"]);
    expect(checkLibraryPath("team/prep data/é-1.ipynb")).toEqual([
      "team",
      "prep data",
      "é-1.ipynb",
    ]);
    // Percent signs are plain characters here: the HTTP layer has decoded the path already.
    expect(checkLibraryPath("%2e%2e/x.ipynb")).toEqual(["%2e%2e", "x.ipynb"]);
    const deep = [...Array<string>(MAX_LIBRARY_DEPTH - 1).fill("d"), "n.ipynb"].join("/");
    expect(checkLibraryPath(deep)).toHaveLength(MAX_LIBRARY_DEPTH);
    const wide = `${"x".repeat(MAX_LIBRARY_SEGMENT_BYTES - 6)}.ipynb`;
    expect(checkLibraryPath(wide)).toEqual([wide]);
  });

  it("refuses traversal, absolute paths and empty or dot segments", () => {
    expect(refusal("../x.ipynb")).toMatch(/\.\./);
    expect(refusal("a/../../x.ipynb")).toMatch(/\.\./);
    expect(refusal("a/./x.ipynb")).toMatch(/\./);
    expect(refusal("..")).toMatch(/\.\./);
    expect(refusal("/etc/x.ipynb")).toMatch(/relative/);
    expect(refusal("//x.ipynb")).toMatch(/relative/);
    expect(refusal("a//x.ipynb")).toMatch(/empty segment/);
    expect(refusal("a/x.ipynb/")).toMatch(/empty segment/);
    expect(refusal(".hidden.ipynb")).toMatch(/start with \./);
    expect(refusal("a/.ipynb_checkpoints/x.ipynb")).toMatch(/start with \./);
    expect(refusal("..\\x.ipynb")).toMatch(/backslash/);
    expect(refusal("C:\\x.ipynb")).toMatch(/backslash/);
  });

  it("refuses control characters, non-strings and other files", () => {
    expect(refusal("a\u0000.ipynb")).toMatch(/control/);
    expect(refusal("a\n.ipynb")).toMatch(/control/);
    expect(refusal("a\u007f.ipynb")).toMatch(/control/);
    expect(refusal("a\u0085.ipynb")).toMatch(/control/);
    expect(refusal("")).toMatch(/empty/);
    expect(refusal(42)).toMatch(/string/);
    expect(refusal(null)).toMatch(/string/);
    expect(refusal(["a.ipynb"])).toMatch(/string/);
    expect(refusal("notes.txt")).toMatch(/\.ipynb/);
    expect(refusal("a.ipynb/params")).toMatch(/\.ipynb/);
    expect(refusal("folder/.ipynb")).toMatch(/start with \./);
    expect(refusal("x.IPYNB")).toMatch(/\.ipynb/);
  });

  it("refuses huge names and deep paths", () => {
    expect(refusal(`${"x".repeat(MAX_LIBRARY_SEGMENT_BYTES)}.ipynb`)).toMatch(/bytes/);
    // 128 two-byte characters: short in characters, too long in bytes.
    expect(refusal(`${"é".repeat(128)}.ipynb`)).toMatch(/bytes/);
    expect(refusal(`${"d/".repeat(MAX_LIBRARY_PATH_CHARS)}x.ipynb`)).toMatch(/longer/);
    expect(refusal(`${"d/".repeat(MAX_LIBRARY_DEPTH)}x.ipynb`)).toMatch(/deeper/);
  });

  it("keeps a hostile path out of the details at full length", () => {
    let details: unknown;
    try {
      checkLibraryPath(`${"a".repeat(5000)}.txt`);
    } catch (err) {
      details = (err as UpdraftError).details;
    }
    expect((details as { path: string }).path).toBe("a".repeat(200));
  });
});
