import { describe, expect, it } from "vitest";
import { effectiveTask } from "./effective-task.js";
import { ErrorCodes, type UpdraftError } from "./errors.js";
import { parseWorkflowText } from "./parse.js";

const wf = parseWorkflowText(`
name: eff
defaults:
  retries: 2
  retryDelay: 10s
  timeout: 30m
  when: all_done
  env: { A: a, B: b }
  resources: { cpu: 1, memory: 1Gi }
tasks:
  plain: { type: empty }
  own:
    type: shell
    command: "true"
    retries: 0
    timeout: 1m
    env: { B: mine, C: c }
    resources: { gpu: 1, memory: 8Gi }
`);

describe("effectiveTask", () => {
  it("applies defaults to a task that sets nothing", () => {
    expect(effectiveTask(wf, "plain")).toMatchObject({
      retries: 2,
      retryDelay: "10s",
      timeout: "30m",
      when: "all_done",
      env: { A: "a", B: "b" },
      resources: { cpu: 1, memory: "1Gi" },
    });
  });

  it("lets the task win, merging env and resources key by key", () => {
    expect(effectiveTask(wf, "own")).toMatchObject({
      retries: 0,
      retryDelay: "10s",
      timeout: "1m",
      env: { A: "a", B: "mine", C: "c" },
      resources: { cpu: 1, memory: "8Gi", gpu: 1 },
    });
  });

  it("returns a copy and leaves when unset without defaults", () => {
    const task = effectiveTask(wf, "own");
    task.env!["A"] = "changed";
    expect(wf.defaults.env?.["A"]).toBe("a");
    expect(wf.tasks["own"]?.env).toEqual({ B: "mine", C: "c" });
    const bare = parseWorkflowText("name: x\ntasks:\n  t: { type: empty }\n");
    expect(effectiveTask(bare, "t").when).toBeUndefined();
    expect(effectiveTask(bare, "t").env).toBeUndefined();
  });

  it("throws E_NOT_FOUND for an unknown or inherited task id", () => {
    for (const id of ["nope", "constructor"]) {
      try {
        effectiveTask(wf, id);
        expect.fail("should throw");
      } catch (err) {
        expect((err as UpdraftError).code).toBe(ErrorCodes.NOT_FOUND);
      }
    }
  });
});
