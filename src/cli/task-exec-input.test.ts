import { describe, expect, it } from "vitest";
import { parseTaskExecInput } from "./task-exec-input.js";

function input(task: Record<string, unknown>): unknown {
  return {
    workflow: "wf",
    runId: "run-1",
    taskId: "a",
    attempt: 1,
    task: { type: "shell", command: "true", ...task },
    params: {},
    baseDir: ".",
  };
}

describe("parseTaskExecInput and connections", () => {
  it("refuses a task naming connections, saying where they can be used", () => {
    expect(() => parseTaskExecInput(input({ connections: ["warehouse"] }))).toThrow(
      /input\.task\.connections: connections are granted only by Updraft's engine .*Airflow connection/,
    );
    expect(() => parseTaskExecInput(input({ connections: "warehouse" }))).toThrow(
      /input\.task\.connections/,
    );
  });

  it("accepts an empty list (an exported task that names none)", () => {
    expect(parseTaskExecInput(input({ connections: [] })).task.type).toBe("shell");
  });
});
