/** `chain40`: 40 python tasks in a chain, each computing fibo(10) (public orchestrator benchmark shape). */
import { r3, runOnce, workflowOf } from "./harness.js";

const CODE = `
def fibo(n):
    return n if n < 2 else fibo(n - 1) + fibo(n - 2)
print(fibo(10))
`;

/** Runs the benchmark and returns its figures. */
export async function chain40(): Promise<Record<string, unknown>> {
  const tasks: Parameters<typeof workflowOf>[1] = {};
  for (let i = 0; i < 40; i++) {
    tasks[`t${i}`] = { type: "python", code: CODE, args: [], needs: i === 0 ? [] : [`t${i - 1}`] };
  }
  const { wallMs, state } = await runOnce(workflowOf("bench-chain40", tasks));
  return {
    bench: "chain40",
    state,
    run_s: r3(wallMs / 1000),
    per_task_ms: r3(wallMs / 40),
    goal_s: 0.6,
    published: { airflow_s: 116, prefect_s: 4.9, windmill_s: 4.4, hatchet_s: 1.2 },
    speedup_vs_airflow: Math.round(116 / (wallMs / 1000)),
  };
}
