/** `latency`: a chain of 200 empty tasks; gap between a task ending and the next starting. */
import { quantile, r3, runOnce, workflowOf } from "./harness.js";

/** Runs the benchmark and returns its figures. */
export async function latency(): Promise<Record<string, unknown>> {
  const n = 200;
  const tasks: Parameters<typeof workflowOf>[1] = {};
  for (let i = 0; i < n; i++)
    tasks[`t${i}`] = { type: "empty", needs: i === 0 ? [] : [`t${i - 1}`] };
  const { wallMs, events, state } = await runOnce(workflowOf("bench-latency", tasks));
  const ended = new Map<string, number>();
  const started = new Map<string, number>();
  for (const e of events) {
    if (e.kind !== "task") continue;
    if (e.state === "running") started.set(e.taskId, e.t);
    if (e.state === "succeeded") ended.set(e.taskId, e.t);
  }
  // gap: the previous task's end persisted -> this task's start persisted. hop: start to
  // start, an upper bound that also counts persisting the end (the work of an empty task is nil).
  const gaps: number[] = [];
  const hops: number[] = [];
  for (let i = 1; i < n; i++) {
    gaps.push(started.get(`t${i}`)! - ended.get(`t${i - 1}`)!);
    hops.push(started.get(`t${i}`)! - started.get(`t${i - 1}`)!);
  }
  return {
    bench: "latency",
    state,
    tasks: n,
    gap_p50_ms: r3(quantile(gaps, 0.5)),
    gap_p99_ms: r3(quantile(gaps, 0.99)),
    gap_max_ms: r3(Math.max(...gaps)),
    hop_p50_ms: r3(quantile(hops, 0.5)),
    hop_p99_ms: r3(quantile(hops, 0.99)),
    run_ms: r3(wallMs),
    airflow_hop_ms: 2500,
    speedup_vs_airflow_hop_p50: Math.round(2500 / quantile(hops, 0.5)),
  };
}
