/**
 * Shared pieces of the benchmarks: a real engine on a real SQLite file in a temp dir, or on
 * the store `UPDRAFT_BENCH_DB` names (`postgres://...?schema=NAME`, `sqlite:PATH`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine, type EngineEvent } from "../src/engine/engine.js";
import type { Task, Workflow } from "../src/spec/types.js";
import { openStore } from "../src/store/open-store.js";
import { createRunnerRegistry } from "../src/tasks/registry.js";

/** A workflow built in code. */
export function workflowOf(
  name: string,
  tasks: Record<string, Partial<Task> & { type: Task["type"] }>,
): Workflow {
  const full: Record<string, Task> = {};
  for (const [id, t] of Object.entries(tasks)) {
    full[id] = { needs: [], params: {}, outputs: [], ...t } as Task;
  }
  return { name, catchup: false, params: {}, defaults: {}, tasks: full };
}

/** Runs a workflow once on a fresh engine and store; returns events with high-resolution times. */
export async function runOnce(
  workflow: Workflow,
  opts: { parallelism?: number } = {},
): Promise<{ wallMs: number; events: (EngineEvent & { t: number })[]; state: string }> {
  const dir = mkdtempSync(join(tmpdir(), "updraft-bench-"));
  const db = process.env["UPDRAFT_BENCH_DB"];
  const store = await openStore({ dataDir: dir, ...(db ? { db } : {}) });
  const runners = createRunnerRegistry({
    python: process.env["UPDRAFT_PYTHON"] ?? "/usr/bin/python3",
  });
  try {
    const engine = new Engine({
      store,
      runners,
      dataDir: dir,
      baseEnv: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" },
      limits: opts.parallelism ? { parallelism: opts.parallelism } : {},
    });
    const events: (EngineEvent & { t: number })[] = [];
    engine.subscribe((e) => events.push({ ...e, t: performance.now() }));
    const t0 = performance.now();
    const handle = await engine.startRun({ workflow, version: 1, params: {}, baseDir: dir });
    const run = await handle.finished;
    return { wallMs: performance.now() - t0, events, state: run.state };
  } finally {
    await runners.close?.();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The q-quantile (0..1) of numbers. */
export function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Rounds to 3 decimals for printing. */
export function r3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
