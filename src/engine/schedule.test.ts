import { describe, expect, it } from "vitest";
import { Schedule } from "./schedule.js";

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

describe("Schedule", () => {
  it("cuts a daily schedule into Airflow data intervals", () => {
    const s = new Schedule("@daily");
    const now = new Date("2024-03-10T13:45:00Z");
    expect(iso(s.next(now))).toBe("2024-03-11T00:00:00.000Z");
    expect(iso(s.previous(now))).toBe("2024-03-10T00:00:00.000Z");
    // At exactly a cron time, previous() is that time.
    expect(iso(s.previous(new Date("2024-03-10T00:00:00Z")))).toBe("2024-03-10T00:00:00.000Z");
    const last = s.latestComplete(now);
    expect(iso(last?.start)).toBe("2024-03-09T00:00:00.000Z");
    expect(iso(last?.end)).toBe("2024-03-10T00:00:00.000Z");
  });

  it("enumerates backfill intervals with both ends inclusive", () => {
    const s = new Schedule("0 2 * * *");
    const got = s.intervalsBetween(
      new Date("2024-01-01T00:00:00Z"),
      new Date("2024-01-03T02:00:00Z"),
    );
    expect(got.map((i) => iso(i.start))).toEqual([
      "2024-01-01T02:00:00.000Z",
      "2024-01-02T02:00:00.000Z",
      "2024-01-03T02:00:00.000Z",
    ]);
    expect(iso(got[2]?.end)).toBe("2024-01-04T02:00:00.000Z");
    expect(
      s.intervalsBetween(new Date("2024-01-05T00:00:00Z"), new Date("2024-01-01T00:00:00Z")),
    ).toEqual([]);
  });

  it("keeps wall-clock times in the workflow's time zone across a DST change", () => {
    const s = new Schedule("30 9 * * *", "Europe/Paris");
    const got = s.intervalsBetween(
      new Date("2024-03-30T00:00:00Z"),
      new Date("2024-04-01T00:00:00Z"),
    );
    // 09:30 Paris is 08:30 UTC before the change (CET) and 07:30 UTC after (CEST).
    expect(got.map((i) => iso(i.start))).toEqual([
      "2024-03-30T08:30:00.000Z",
      "2024-03-31T07:30:00.000Z",
    ]);
  });

  it("ORs day-of-month and day-of-week as cron and Airflow do", () => {
    const s = new Schedule("0 0 1 * 1"); // the 1st of the month, or any Monday
    const got = s.intervalsBetween(
      new Date("2024-04-01T00:00:00Z"),
      new Date("2024-04-15T00:00:00Z"),
    );
    expect(got.map((i) => i.start.toISOString().slice(0, 10))).toEqual([
      "2024-04-01",
      "2024-04-08",
      "2024-04-15",
    ]);
  });

  it("maps every preset", () => {
    const at = new Date("2024-05-15T10:20:00Z");
    expect(iso(new Schedule("@hourly").next(at))).toBe("2024-05-15T11:00:00.000Z");
    expect(iso(new Schedule("@weekly").next(at))).toBe("2024-05-19T00:00:00.000Z");
    expect(iso(new Schedule("@monthly").next(at))).toBe("2024-06-01T00:00:00.000Z");
    expect(iso(new Schedule("@yearly").next(at))).toBe("2025-01-01T00:00:00.000Z");
  });

  it("refuses bad schedules and time zones with the validator's sentence", () => {
    expect(() => new Schedule("every day")).toThrow(/has 2 fields/);
    expect(() => new Schedule("61 * * * *")).toThrow(/not a valid cron expression/);
    expect(() => new Schedule("@daily", "Mars/Olympus")).toThrow(/unknown time zone/);
  });

  it("shares parsed patterns through a cache without mixing time zones", () => {
    const cache = new Map();
    const a = new Schedule("30 9 * * *", "UTC", cache);
    const b = new Schedule("30 9 * * *", "UTC", cache);
    const paris = new Schedule("30 9 * * *", "Europe/Paris", cache);
    expect(cache.size).toBe(2);
    const at = new Date("2024-06-01T00:00:00Z");
    expect(iso(a.next(at))).toBe("2024-06-01T09:30:00.000Z");
    expect(iso(b.next(at))).toBe("2024-06-01T09:30:00.000Z");
    expect(iso(paris.next(at))).toBe("2024-06-01T07:30:00.000Z");
    expect(() => new Schedule("99 * * * *", "UTC", cache)).toThrow(/not a valid cron/);
    expect(cache.size).toBe(2);
  });

  it("refuses a range with more runs than the limit instead of creating them all", () => {
    const s = new Schedule("* * * * *");
    expect(() =>
      s.intervalsBetween(new Date("2020-01-01T00:00:00Z"), new Date("2024-01-01T00:00:00Z"), 1000),
    ).toThrow(/more than 1000 runs/);
  });
});
