import { afterEach, describe, expect, it } from "vitest";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import { createRunnerRegistry } from "./registry.js";
import { cleanupTestDirs, makeTestContext, TEST_PYTHON } from "./test-context.js";

afterEach(cleanupTestDirs);

describe("runner registry", () => {
  const registry = createRunnerRegistry({ python: TEST_PYTHON, killGraceMs: 100 });

  it("has the built-in runners", () => {
    for (const type of ["shell", "python", "empty", "condition"] as const) {
      expect(registry.get(type)?.type).toBe(type);
    }
    expect(registry.get("notebook")).toBeUndefined();
  });

  it("runs empty tasks at once, without outputs", async () => {
    const ctx = await makeTestContext({ type: "empty" });
    await expect(registry.get("empty")?.run(ctx)).resolves.toEqual({ outputs: {} });
    expect(ctx.pids).toEqual([]);
  });

  it("does not start an empty task that is already cancelled", async () => {
    const ctx = await makeTestContext({ type: "empty" });
    ctx.controller.abort(new TaskError(ErrorCodes.CANCELLED, "run cancelled"));
    await expect(registry.get("empty")?.run(ctx)).rejects.toThrow("run cancelled");
  });

  it("refuses a task of another type", async () => {
    const ctx = await makeTestContext({ type: "empty" });
    await expect(registry.get("shell")?.run(ctx)).rejects.toThrow(/bug in Updraft/);
  });
});

describe("runner registry close", () => {
  it("stops the python fork servers and can be called when idle", async () => {
    const registry = createRunnerRegistry({ python: TEST_PYTHON });
    const ctx = await makeTestContext({ type: "python", code: "print('hi')" });
    await expect(registry.get("python")?.run(ctx)).resolves.toEqual({ outputs: {}, exitCode: 0 });
    expect(ctx.log.text()).toBe("hi\n");
    await registry.close?.();
  });
});
