/**
 * Schedules in `updraft serve`: new workflows start paused, unpausing schedules them,
 * runs are created at the end of each interval with its logical date, and the pause
 * state and the last scheduled run survive a restart. Time is driven by a manual clock
 * given to the scheduler only; the runs themselves execute for real.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/engine/manual-clock.js";
import type { RunView } from "../src/engine/run-view.js";
import { fetchJson, startTestService, tempCatalog, type TestService } from "./server-helpers.js";

const { tmp, catalog } = tempCatalog("updraft-schedules-");
writeFileSync(
  join(catalog, "minutely.yaml"),
  `
name: minutely
schedule: "* * * * *"
catchup: true
params:
  label: { type: string, default: tick }
tasks:
  stamp:
    type: shell
    params: { at: "{{ run.logical_date }}" }
    command: 'echo "at=$UPDRAFT_PARAM_AT $UPDRAFT_PARAM_LABEL" >> "$UPDRAFT_OUTPUTS"'
    outputs: [at]
`,
);
writeFileSync(join(catalog, "manual.yaml"), "name: manual\ntasks:\n  a: { type: empty }\n");
const services: TestService[] = [];
afterAll(async () => {
  for (const s of services) await s.stop();
  rmSync(tmp, { recursive: true, force: true });
});

// Starts a little after a whole minute, so interval ends are easy to reason about.
const T0 = Math.ceil(Date.now() / 60_000) * 60_000 + 5_000;

async function start(clock: ManualClock): Promise<TestService> {
  const s = await startTestService(tmp, { examples: catalog, schedulerClock: clock });
  services.push(s);
  return s;
}

function api<T>(s: TestService, path: string, method = "GET"): Promise<T> {
  return fetchJson<T>(`${s.url}${path}`, method, undefined, s.token);
}

interface Summary {
  name: string;
  paused: boolean;
  nextRun: string | null;
}

async function scheduledRuns(s: TestService): Promise<RunView[]> {
  const { runs } = await api<{ runs: RunView[] }>(s, "/api/v1/runs?workflow=minutely");
  return runs.filter((r) => r.trigger === "schedule");
}

async function settle(s: TestService): Promise<RunView[]> {
  for (let i = 0; i < 200; i++) {
    const runs = await scheduledRuns(s);
    if (runs.every((r) => r.state === "succeeded")) return runs;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("scheduled runs did not finish");
}

describe("schedules in updraft serve", () => {
  it("starts paused, fires when unpaused, and resumes after a restart per catchup", async () => {
    const clock = new ManualClock(T0);
    let s = await start(clock);
    const list = await api<{ workflows: Summary[] }>(s, "/api/v1/workflows");
    expect(list.workflows.map((w) => [w.name, w.paused, w.nextRun])).toEqual([
      ["manual", true, null],
      ["minutely", true, null],
    ]);
    await clock.advance(120_000);
    expect(await scheduledRuns(s)).toEqual([]); // paused: nothing

    const unpaused = await api<Summary>(s, "/api/v1/workflows/minutely/unpause", "POST");
    expect(unpaused.paused).toBe(false);
    expect(unpaused.nextRun).toBe(new Date(T0 + 120_000 + 55_000).toISOString());
    // Catch-up since the workflow was first stored: the two whole minutes that passed.
    let runs = await settle(s);
    const minute = (ms: number) => new Date(ms).toISOString();
    const base = T0 - 5_000;
    // The workflow was stored at real time, which lies just before `base`, or just after
    // it when the service started across a minute boundary: catch-up starts at the first
    // whole minute at or after that moment.
    const v1 = await api<{ createdAt: string }>(s, "/api/v1/workflows/minutely/versions/1");
    const first = Math.ceil(Date.parse(v1.createdAt) / 60_000) * 60_000;
    const minutesFrom = (start: number, end: number) =>
      Array.from({ length: (end - start) / 60_000 }, (_, i) => minute(start + i * 60_000));
    const caughtUp = minutesFrom(first, base + 120_000);
    expect(caughtUp.length).toBeGreaterThanOrEqual(1);
    expect(runs.map((r) => r.logicalDate).sort()).toEqual(caughtUp);
    expect(runs[0]?.tasks["stamp"]?.outputs["at"]).toMatch(/^\S+ tick$/);

    await clock.advance(60_000);
    runs = await settle(s);
    expect(runs).toHaveLength(caughtUp.length + 1);

    // Paused state is stored: a restart keeps it.
    await api<Summary>(s, "/api/v1/workflows/minutely/pause", "POST");
    await clock.advance(60_000);
    expect(await scheduledRuns(s)).toHaveLength(caughtUp.length + 1);
    await s.stop();
    s = await start(clock);
    expect((await api<Summary>(s, "/api/v1/workflows/minutely")).paused).toBe(true);

    // Unpaused after 3 more minutes: catchup creates each missed minute once, no repeats.
    await clock.advance(180_000);
    await api<Summary>(s, "/api/v1/workflows/minutely/unpause", "POST");
    runs = await settle(s);
    const dates = runs.map((r) => r.logicalDate).sort();
    expect(new Set(dates).size).toBe(dates.length);
    expect(dates).toEqual(minutesFrom(first, base + 7 * 60_000));
  });

  it("answers 404 for pausing an unknown workflow", async () => {
    const s = services.at(-1)!;
    const res = await fetch(`${s.url}/api/v1/workflows/nope/pause`, {
      headers: s.auth,
      method: "POST",
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("E_NOT_FOUND");
  });
});
