/**
 * `scale`: 1,000 and 10,000 workflows of 10 tasks on staggered cron schedules, stored in
 * SQLite and handed to the real scheduler on the real clock. Measures the time to load
 * and schedule them and the scheduler's CPU over an idle window (fires that fall in the
 * window create their runs in the store, as in the server). The 10-minute
 * average is shortened to UPDRAFT_BENCH_IDLE_S seconds (default 20). Then the same sizes
 * through the real service over HTTP (bench/scale-server.ts).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../src/engine/clock.js";
import { Scheduler } from "../src/engine/scheduler.js";
import { workflowToDocument } from "../src/spec/document.js";
import { SqliteStore } from "../src/store/sqlite-store.js";
import { r3, workflowOf } from "./harness.js";
import { scaleServer } from "./scale-server.js";

async function scaleAt(n: number, idleS: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "updraft-bench-scale-"));
  const store = SqliteStore.open(join(dir, "updraft.db"));
  try {
    const t0 = performance.now();
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      const tasks: Parameters<typeof workflowOf>[1] = {};
      for (let k = 0; k < 10; k++)
        tasks[`t${k}`] = { type: "empty", needs: k ? [`t${k - 1}`] : [] };
      // Staggered: every minute of the day holds about n / 1440 workflows.
      const wf = {
        ...workflowOf(`wf-${i}`, tasks),
        schedule: `${i % 60} ${Math.floor(i / 60) % 24} * * *`,
      };
      await store.saveWorkflow(wf.name, workflowToDocument(wf));
      names.push(wf.name);
    }
    const storedMs = performance.now() - t0;

    let fired = 0;
    const scheduler = new Scheduler({
      clock: systemClock,
      lastScheduled: async (name) =>
        (await store.listRuns({ workflow: name, limit: 1 }))[0]?.logicalDate,
      fire: async (name, interval) => {
        fired++;
        const id = randomUUID();
        const now = new Date().toISOString();
        await store.createRun(
          {
            id,
            workflow: name,
            version: 1,
            state: "queued",
            params: {},
            logicalDate: interval.start.toISOString(),
            trigger: "schedule",
            createdAt: now,
            startedAt: null,
            endedAt: null,
          },
          [],
        );
      },
      onError: (name, err) => process.stderr.write(`scale: ${name}: ${err.message}\n`),
    });
    const since = new Date().toISOString();
    const t1 = performance.now();
    scheduler.start();
    for (let i = 0; i < n; i++) {
      await scheduler.set({
        name: names[i]!,
        schedule: `${i % 60} ${Math.floor(i / 60) % 24} * * *`,
        catchup: false,
        since,
      });
    }
    const scheduledMs = performance.now() - t1;

    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, idleS * 1000));
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - w0;
    await scheduler.stop();
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return {
      workflows: n,
      store_ms: r3(storedMs),
      schedule_ms: r3(scheduledMs),
      schedule_per_workflow_ms: r3(scheduledMs / n),
      idle_window_s: r3(wallMs / 1000),
      idle_cpu_pct_of_core: r3((100 * cpuMs) / wallMs),
      fires_in_window: fired,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the benchmark and returns its figures. */
export async function scale(): Promise<Record<string, unknown>> {
  const idleS = Number(process.env["UPDRAFT_BENCH_IDLE_S"] ?? 20);
  const scheduler = [await scaleAt(1000, idleS), await scaleAt(10_000, idleS)];
  const server = [await scaleServer(1000, idleS), await scaleServer(10_000, idleS)];
  return {
    bench: "scale",
    scheduler,
    server,
    goals: {
      idle_cpu_pct: 2,
      rss_mb: 300,
      list_p99_ms: 50,
      cron_skew_p99_ms: 1000,
      edit_live_ms: 2000,
    },
  };
}
