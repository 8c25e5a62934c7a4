/** runNotebook on the real R kernel (`ir`, Debian's r-cran-irkernel). */
import { afterAll, describe, expect, it } from "vitest";
import { ERROR_MARKER_TAG } from "./papermill-metadata.js";
import type { RunNotebookOptions } from "./run-notebook.js";
import {
  allHaveIds,
  code,
  freshKernels,
  notebookOf,
  runRecorded,
  streamText,
} from "./test-notebooks.js";
import type { CodeCell, Notebook } from "./types.js";

const kernels = freshKernels();
afterAll(() => kernels.close());

function run(nb: Notebook, extra: Partial<RunNotebookOptions> = {}) {
  return runRecorded(kernels, nb, extra);
}

const TRICKY = 'it\'s "quoted"\n\\ {{ x }} \u00e9';

describe("R notebooks", () => {
  it("injects typed parameters and reads outputs of every JSON type back", async () => {
    const input = notebookOf("ir", [
      code('i = 0\nf = 0.5\ns = ""\nt = FALSE\nnothing = 1\nl = list()\nd = list()', [
        "parameters",
      ]),
      code(
        "types <- lapply(list(i = i, f = f, s = s, t = t, l = l, d = d), function(v) class(v)[1])\n" +
          "types$nothing <- if (is.null(nothing)) 'NULL' else class(nothing)\n" +
          "n_int <- 7L\nvec <- c(1.5, 2.5)\nnamed <- list(a = 1L, b = 'x', c = TRUE)\nna <- NA\nnull <- NULL\n" +
          "first_l <- l[[2]]\nnested_ok <- d$nested$ok",
      ),
    ]);
    const r = await run(input, {
      params: {
        i: 42,
        f: 2.5,
        s: TRICKY,
        t: true,
        nothing: null,
        l: [1, "two", 3.5],
        d: { k: [1, 2], nested: { ok: false } },
      },
      outputs: [
        "types",
        "i",
        "f",
        "s",
        "t",
        "n_int",
        "vec",
        "named",
        "na",
        "null",
        "first_l",
        "nested_ok",
      ],
    });
    expect(r.failure).toBeNull();
    expect(r.language).toBe("R");
    // papermill renders integers as R numerics (`42`, not `42L`).
    expect(r.outputs["types"]).toEqual({
      i: "numeric",
      f: "numeric",
      s: "character",
      t: "logical",
      l: "list",
      d: "list",
      nothing: "NULL",
    });
    expect(r.outputs).toMatchObject({
      i: 42,
      f: 2.5,
      s: TRICKY,
      t: true,
      n_int: 7,
      vec: [1.5, 2.5],
      named: { a: 1, b: "x", c: true },
      na: null,
      null: null,
      first_l: "two",
      nested_ok: false,
    });
    expect(Object.hasOwn(r.outputs, "null")).toBe(true);
    expect(allHaveIds(r.notebook)).toBe(true);
    expect((r.notebook.cells[1] as CodeCell).source).toMatch(/^# Parameters\n/);
  });

  it("collects scraps published from R", async () => {
    const input = notebookOf("ir", [
      code(
        "IRdisplay::publish_mimebundle(list('application/scrapbook.scrap.json+json' = " +
          "list(name = 'rmse', data = 0.25, encoder = 'json', version = 1L)))",
      ),
    ]);
    const r = await run(input);
    expect(r.failure).toBeNull();
    expect(r.outputs).toEqual({ rmse: 0.25 });
  });

  it("fails with a clear message for missing and non-JSON outputs", async () => {
    const input = notebookOf("ir", [code("ok <- 1\nenv <- new.env()\nfn <- function(x) x")]);
    const err = await run(input, { outputs: ["ok", "absent", "env", "fn"] }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "E_TASK_FAILED" });
    const message = (err as Error).message;
    expect(message).toMatch(/`absent` is not defined after the last cell/);
    expect(message).toMatch(/`env` cannot be turned into JSON: environment/);
    expect(message).toMatch(/`fn` cannot be turned into JSON: function/);
  });

  it("stops at an error, continues past raises-exception, and times out a cell", async () => {
    const failing = await run(
      notebookOf("ir", [
        code("stop('expected')", ["raises-exception"]),
        code("cat('between\\n')"),
        code("stop('boom')"),
        code("cat('never\\n')"),
      ]),
    );
    expect(failing.failure?.evalue).toMatch(/boom/);
    expect(streamText(failing.notebook)).toBe("between\n");
    expect(failing.notebook.cells[0]?.metadata["tags"]).toEqual([ERROR_MARKER_TAG]);

    const slow = await run(
      notebookOf("ir", [code("cat('sleeping\\n'); Sys.sleep(60)"), code("cat('after\\n')")]),
      { cellTimeoutMs: 1000 },
    );
    expect(slow.failure?.cause?.code).toBe("E_TASK_TIMEOUT");
    expect(streamText(slow.notebook)).toBe("sleeping\n");
  });
});
