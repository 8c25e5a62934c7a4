/** `throughput`: fan-outs of 2,000 `empty` tasks and of 2,000 `shell: "true"` tasks. */
import { r3, runOnce, workflowOf } from "./harness.js";

async function fanOut(type: "empty" | "shell", n: number): Promise<Record<string, unknown>> {
  const tasks: Parameters<typeof workflowOf>[1] = {};
  for (let i = 0; i < n; i++) {
    tasks[`t${i}`] = type === "shell" ? { type: "shell", command: "true" } : { type: "empty" };
  }
  const { wallMs, state } = await runOnce(workflowOf(`bench-${type}`, tasks));
  return { state, tasks: n, run_ms: r3(wallMs), tasks_per_s: Math.round((n / wallMs) * 1000) };
}

/** Runs the benchmark and returns its figures. */
export async function throughput(): Promise<Record<string, unknown>> {
  const empty = await fanOut("empty", 2000);
  const shell = await fanOut("shell", 2000);
  return { bench: "throughput", empty, shell, goal_empty_per_s: 1000, goal_shell_per_s: 200 };
}
