/**
 * The `scale` benchmark's server part: N workflows of 10 tasks on staggered hourly cron
 * schedules (minute i % 60), stored and unpaused, served by a real `updraft serve`
 * process (HTTP on 127.0.0.1, SQLite store). Measures start-up, the process's RSS, the
 * p99 latency of listing workflows (a page of 100 and the whole list), its CPU over an
 * idle window that spans a minute boundary (so about N/60 runs fire in it), the skew
 * between a scheduled run's due time and its start, and how soon an edit is live.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Schedule } from "../src/engine/schedule.js";
import { workflowToDocument } from "../src/spec/document.js";
import { SqliteStore } from "../src/store/sqlite-store.js";
import { quantile, r3, workflowOf } from "./harness.js";

const cronOf = (i: number) => `${i % 60} * * * *`;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

// CPU seconds (user + system) and RSS of a process, from /proc.
function procUsage(pid: number): { cpuS: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "latin1"));
  return { cpuS: ticks / 100, rssMb: rss ? Number(rss[1]) / 1024 : NaN };
}

async function startServer(
  dataDir: string,
): Promise<{ url: string; child: ChildProcess; auth: Record<string, string> }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, "bin", "updraft"), "serve", "--port", "0", "--data-dir", dataDir],
    {
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: process.env["HOME"] ?? "/root",
        UPDRAFT_PYTHON: process.env["UPDRAFT_PYTHON"] ?? "/usr/bin/python3",
        UPDRAFT_ADMIN_PASSWORD: BENCH_PASSWORD,
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let err = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
      const m = /Updraft serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m?.[1]) resolve(m[1]);
    });
    child.on("exit", () => reject(new Error(`updraft serve exited: ${err}`)));
  });
  // The bench is a client like any other: it logs in and sends the token.
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: BENCH_PASSWORD }),
  });
  const { token } = (await login.json()) as { token: string };
  return { url, child, auth: { authorization: `Bearer ${token}` } };
}

const BENCH_PASSWORD = "bench-admin-password";

function workflow(i: number) {
  const tasks: Parameters<typeof workflowOf>[1] = {};
  for (let k = 0; k < 10; k++) tasks[`t${k}`] = { type: "empty", needs: k ? [`t${k - 1}`] : [] };
  return { ...workflowOf(`wf-${i}`, tasks), schedule: cronOf(i) };
}

async function timeRequests(
  url: string,
  n: number,
  auth: Record<string, string>,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: auth });
    await res.arrayBuffer();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Measures one size; `idleS` is the idle window (the 10 minutes, shortened). */
export async function scaleServer(n: number, idleS: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "updraft-bench-scale-srv-"));
  const dataDir = join(dir, "data");
  try {
    // Stored and unpaused just now: nothing was missed, so the window shows only on-time fires.
    const seed = SqliteStore.open(join(dataDir, "updraft.db"));
    const at = new Date().toISOString();
    for (let i = 0; i < n; i++) {
      const wf = workflow(i);
      await seed.saveWorkflow(wf.name, workflowToDocument(wf));
      await seed.setPaused(wf.name, false, at);
    }
    await seed.close();

    const t0 = performance.now();
    const { url, child, auth } = await startServer(dataDir);
    const startMs = performance.now() - t0;
    try {
      const page = await timeRequests(`${url}/api/v1/workflows?limit=100`, 200, auth);
      const full = await timeRequests(`${url}/api/v1/workflows`, 20, auth);

      // Start the window 10 s before a minute boundary, so about n / 60 runs fire in it.
      const toBoundary = 60_000 - (Date.now() % 60_000);
      if (toBoundary > 10_000) await new Promise((r) => setTimeout(r, toBoundary - 10_000));
      const u0 = procUsage(child.pid!);
      const w0 = performance.now();
      const windowStart = Date.now();
      await new Promise((r) => setTimeout(r, idleS * 1000));
      const u1 = procUsage(child.pid!);
      const wallMs = performance.now() - w0;

      // Skew: a scheduled run is due at its interval's end (the cron time after its logical date).
      const { runs } = (await (
        await fetch(`${url}/api/v1/runs?limit=500`, { headers: auth })
      ).json()) as {
        runs: {
          workflow: string;
          trigger: string;
          logicalDate: string;
          createdAt?: string;
          startedAt: string | null;
        }[];
      };
      const skews: number[] = [];
      for (const r of runs) {
        if (r.trigger !== "schedule" || r.startedAt === null) continue;
        const i = Number(r.workflow.slice(3));
        const due = new Schedule(cronOf(i)).next(new Date(r.logicalDate));
        if (!due || due.getTime() < windowStart) continue; // a catch-up run, not an on-time fire
        skews.push(Date.parse(r.startedAt) - due.getTime());
      }

      // An edit is live when the next read shows it.
      const edited = { ...workflow(0), description: "edited" };
      const e0 = performance.now();
      await fetch(`${url}/api/v1/workflows/wf-0`, {
        method: "PUT",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ document: workflowToDocument(edited) }),
      });
      const after = (await (
        await fetch(`${url}/api/v1/workflows/wf-0`, { headers: auth })
      ).json()) as {
        version: number;
      };
      const liveMs = performance.now() - e0;

      return {
        workflows: n,
        start_s: r3(startMs / 1000),
        rss_mb: r3(u1.rssMb),
        list_page100_p50_ms: r3(quantile(page, 0.5)),
        list_page100_p99_ms: r3(quantile(page, 0.99)),
        list_all_p50_ms: r3(quantile(full, 0.5)),
        list_all_p99_ms: r3(quantile(full, 0.99)),
        idle_window_s: r3(wallMs / 1000),
        // Includes the runs that fired in the window (10 empty tasks each).
        window_cpu_pct_of_core: r3((100 * (u1.cpuS - u0.cpuS) * 1000) / wallMs),
        scheduled_fires_in_window: skews.length,
        cron_skew_p99_ms: skews.length ? r3(quantile(skews, 0.99)) : null,
        edit_live_ms: r3(liveMs),
        edited_version: after.version,
      };
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
