import { describe, expect, it } from "vitest";
import type { UpdraftError } from "../spec/errors.js";
import { ManualClock } from "./manual-clock.js";
import type { ScheduleInterval } from "./schedule.js";
import { Scheduler, type ScheduledWorkflow } from "./scheduler.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A scheduler whose fires are recorded as the store would keep them. */
function setup(startIso: string, opts: { failFires?: number } = {}) {
  const clock = new ManualClock(Date.parse(startIso));
  const fired: { name: string; logical: string; at: string }[] = [];
  const errors: { name: string; err: UpdraftError }[] = [];
  let failures = opts.failFires ?? 0;
  const last = new Map<string, string>();
  const scheduler = new Scheduler({
    clock,
    lastScheduled: (name) => Promise.resolve(last.get(name)),
    fire: (name: string, i: ScheduleInterval) => {
      if (failures > 0) {
        failures--;
        return Promise.reject(new Error("store is down"));
      }
      fired.push({ name, logical: i.start.toISOString(), at: new Date(clock.now()).toISOString() });
      last.set(name, i.start.toISOString());
      return Promise.resolve();
    },
    onError: (name, err) => errors.push({ name, err }),
  });
  return { clock, fired, errors, last, scheduler };
}

const daily = (fields: Partial<ScheduledWorkflow> = {}): ScheduledWorkflow => ({
  name: "etl",
  schedule: "@daily",
  catchup: false,
  since: "2024-01-01T12:00:00.000Z",
  ...fields,
});

describe("Scheduler", () => {
  it("fires each interval at its end with the interval's start as logical date", async () => {
    const { clock, fired, scheduler } = setup("2024-01-01T12:00:00Z");
    scheduler.start();
    await scheduler.set(daily());
    expect(fired).toEqual([]);
    expect(scheduler.nextDue("etl")?.toISOString()).toBe("2024-01-02T00:00:00.000Z");
    await clock.advance(3 * DAY);
    expect(fired).toEqual([
      { name: "etl", logical: "2024-01-01T00:00:00.000Z", at: "2024-01-02T00:00:00.000Z" },
      { name: "etl", logical: "2024-01-02T00:00:00.000Z", at: "2024-01-03T00:00:00.000Z" },
      { name: "etl", logical: "2024-01-03T00:00:00.000Z", at: "2024-01-04T00:00:00.000Z" },
    ]);
    await scheduler.stop();
  });

  it("with catchup, creates every missed run oldest first; without, only the latest", async () => {
    const a = setup("2024-01-06T12:00:00Z");
    await a.scheduler.set(daily({ catchup: true }));
    expect(a.fired.map((f) => f.logical.slice(0, 10))).toEqual([
      "2024-01-02",
      "2024-01-03",
      "2024-01-04",
      "2024-01-05",
    ]);
    const b = setup("2024-01-06T12:00:00Z");
    await b.scheduler.set(daily({ catchup: false }));
    expect(b.fired.map((f) => f.logical.slice(0, 10))).toEqual(["2024-01-05"]);
  });

  it("resumes after a restart from the last stored run, never firing an interval twice", async () => {
    const first = setup("2024-01-01T12:00:00Z");
    first.scheduler.start();
    await first.scheduler.set(daily({ catchup: true }));
    await first.clock.advance(2 * DAY); // fires Jan 1 and Jan 2
    await first.scheduler.stop();
    expect(first.fired).toHaveLength(2);

    // The server was down for two days; a new scheduler reads the store's last run.
    const second = setup("2024-01-05T06:00:00Z");
    for (const [k, v] of first.last) second.last.set(k, v);
    second.scheduler.start();
    await second.scheduler.set(daily({ catchup: true }));
    expect(second.fired.map((f) => f.logical.slice(0, 10))).toEqual(["2024-01-03", "2024-01-04"]);
    await second.clock.advance(DAY);
    expect(second.fired.map((f) => f.logical.slice(0, 10))).toEqual([
      "2024-01-03",
      "2024-01-04",
      "2024-01-05",
    ]);
    await second.scheduler.stop();
  });

  it("stops firing a removed workflow and follows a replaced schedule", async () => {
    const { clock, fired, scheduler } = setup("2024-01-01T00:30:00Z");
    scheduler.start();
    await scheduler.set(daily({ name: "a", schedule: "@hourly" }));
    await scheduler.set(daily({ name: "b", schedule: "@hourly" }));
    await clock.advance(HOUR);
    scheduler.remove("a");
    await scheduler.set(daily({ name: "b", schedule: "0 */2 * * *" }));
    await clock.advance(4 * HOUR);
    expect(fired.map((f) => `${f.name}@${f.at.slice(11, 16)}`)).toEqual([
      "a@01:00",
      "b@01:00",
      "b@02:00",
      "b@04:00",
    ]);
    expect(scheduler.names()).toEqual(["b"]);
    await scheduler.stop();
  });

  it("reports a failed fire and goes on with the next interval", async () => {
    const { clock, fired, errors, scheduler } = setup("2024-01-01T00:30:00Z", { failFires: 1 });
    scheduler.start();
    await scheduler.set(daily({ schedule: "@hourly" }));
    await clock.advance(2 * HOUR);
    expect(errors.map((e) => `${e.name}: ${e.err.message}`)).toEqual(["etl: store is down"]);
    expect(fired.map((f) => f.logical.slice(11, 16))).toEqual(["01:00"]);
    await scheduler.stop();
  });

  it("keeps one timer for 2,000 staggered workflows and fires each in due order", async () => {
    const { clock, fired, scheduler } = setup("2024-01-01T00:00:30Z");
    scheduler.start();
    for (let i = 0; i < 2_000; i++) {
      await scheduler.set(daily({ name: `wf${i}`, schedule: `${i % 60} ${i % 24} * * *` }));
    }
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(DAY);
    expect(fired).toHaveLength(2_000);
    const times = fired.map((f) => Date.parse(f.at));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(clock.pendingTimers).toBe(1);
    await scheduler.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it("fires at wall-clock times of the workflow's time zone", async () => {
    const { clock, fired, scheduler } = setup("2024-03-30T00:00:00Z");
    scheduler.start();
    await scheduler.set(
      daily({ schedule: "30 9 * * *", timezone: "Europe/Paris", since: "2024-03-30T00:00:00Z" }),
    );
    await clock.advance(2 * DAY);
    expect(fired.map((f) => f.at)).toEqual([
      "2024-03-30T08:30:00.000Z",
      "2024-03-31T07:30:00.000Z",
    ]);
    await scheduler.stop();
  });

  it("refuses a bad schedule with the validator's message", async () => {
    const { scheduler } = setup("2024-01-01T00:00:00Z");
    await expect(scheduler.set(daily({ schedule: "* * *" }))).rejects.toThrow(/has 3 fields/);
  });
});
