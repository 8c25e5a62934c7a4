import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TaskError } from "../spec/errors.js";
import { createRRunner } from "./r-runner.js";
import { createRMarkdownRunner } from "./rmarkdown-runner.js";
import { cleanupTestDirs, makeTempDir, makeTestContext } from "./test-context.js";

afterEach(cleanupTestDirs);

describe("r runner", () => {
  const runner = createRRunner();

  it("runs inline R code with params in and outputs out", async () => {
    const ctx = await makeTestContext(
      {
        type: "r",
        outputs: ["total", "label"],
        code: `p <- jsonlite::fromJSON(Sys.getenv("UPDRAFT_PARAMS"))
cat(sprintf("total=%d\\n", sum(p$values)), file = Sys.getenv("UPDRAFT_OUTPUTS"), append = TRUE)
cat(sprintf("label=%s\\n", Sys.getenv("UPDRAFT_PARAM_NAME")), file = Sys.getenv("UPDRAFT_OUTPUTS"), append = TRUE)
print("done")`,
      },
      { params: { values: [1, 2, 3], name: 'héllo "quoted"' } },
    );
    const result = await runner.run(ctx);
    expect(result.outputs).toEqual({ total: 6, label: 'héllo "quoted"' });
    expect(ctx.log.text()).toContain("done");
  });

  it("runs a script with args relative to the workflow directory", async () => {
    const base = await makeTempDir();
    await writeFile(
      join(base, "args.R"),
      `a <- commandArgs(trailingOnly = TRUE)
cat(sprintf("n=%d\\n", length(a)), file = Sys.getenv("UPDRAFT_OUTPUTS"), append = TRUE)`,
    );
    const ctx = await makeTestContext(
      { type: "r", script: "args.R", args: ["x", 2, "$(touch pwned)"], outputs: ["n"] },
      { baseDir: base },
    );
    expect((await runner.run(ctx)).outputs).toEqual({ n: 3 });
  });

  it("fails with the R error in the log", async () => {
    const ctx = await makeTestContext({ type: "r", code: 'stop("no data")' });
    const err = await runner.run(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect((err as TaskError).message).toMatch(/exited with code 1/);
    expect(ctx.log.text()).toContain("no data");
  });

  it("says how to fix a missing script", async () => {
    const ctx = await makeTestContext({ type: "r", script: "nope.R" });
    await expect(runner.run(ctx)).rejects.toThrow(/nope\.R not found/);
  });
});

describe("rmarkdown runner", () => {
  const runner = createRMarkdownRunner();

  it("renders with the declared params only and publishes the output file", async () => {
    const base = await makeTempDir();
    await writeFile(
      join(base, "report.Rmd"),
      `---
title: "Report"
output: html_document
params:
  accuracy: 0.5
---

Accuracy was \`r params$accuracy\`.
`,
    );
    const ctx = await makeTestContext(
      { type: "rmarkdown", file: "report.Rmd", outputs: ["output_file"] },
      { baseDir: base, params: { accuracy: 0.93, undeclared_workflow_param: "x" } },
    );
    const result = await runner.run(ctx);
    const file = result.outputs["output_file"];
    if (typeof file !== "string") throw new Error("output_file is not a path");
    expect(file).toMatch(/report\.html$/);
    expect(await readFile(file, "utf8")).toContain("Accuracy was 0.93");
  }, 60_000);
});
