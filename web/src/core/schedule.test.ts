import { expect, test } from "vitest";
import { describeSchedule } from "./schedule.js";

const from = new Date("2026-12-01T08:00:00Z");

test("a daily cron in words and its next five runs in UTC", () => {
  const info = describeSchedule("0 2 * * *", undefined, from);
  if (!info.ok) throw new Error(info.message);
  expect(info.words).toBe("At 02:00 (UTC)");
  expect(info.next.map((r) => r.iso)).toEqual([
    "2026-12-02T02:00:00.000Z",
    "2026-12-03T02:00:00.000Z",
    "2026-12-04T02:00:00.000Z",
    "2026-12-05T02:00:00.000Z",
    "2026-12-06T02:00:00.000Z",
  ]);
  expect(info.next[0]!.local).toBe("Wed 2026-12-02 02:00");
});

test("the time zone moves the instants and is shown on local times", () => {
  const info = describeSchedule("30 9 * * 1-5", "America/New_York", from);
  if (!info.ok) throw new Error(info.message);
  expect(info.words).toMatch(/09:30.*Monday through Friday.*America\/New_York/);
  // 09:30 in New York in December is 14:30 UTC.
  expect(info.next[0]).toEqual({ iso: "2026-12-01T14:30:00.000Z", local: "Tue 2026-12-01 09:30" });
  expect(info.next).toHaveLength(5);
});

test("presets and day-of-month OR day-of-week, as the server's scheduler reads them", () => {
  const weekly = describeSchedule("@weekly", "UTC", from);
  expect(weekly.ok && weekly.next[0]!.iso).toBe("2026-12-06T00:00:00.000Z");
  // The 15th or any Friday (Vixie cron): Fri Dec 4, Fri Dec 11, Tue Dec 15, Fri Dec 18.
  const either = describeSchedule("0 0 15 * 5", "UTC", from);
  expect(either.ok && either.next.slice(0, 4).map((r) => r.iso.slice(0, 10))).toEqual([
    "2026-12-04",
    "2026-12-11",
    "2026-12-15",
    "2026-12-18",
  ]);
});

test("a bad schedule or time zone gives the server's message on the right field", () => {
  expect(describeSchedule("0 2 * *", "UTC", from)).toMatchObject({
    ok: false,
    field: "schedule",
    message: expect.stringMatching(/4 fields/) as unknown,
  });
  expect(describeSchedule("@fortnightly", "UTC", from)).toMatchObject({
    ok: false,
    field: "schedule",
  });
  expect(describeSchedule("61 * * * *", "UTC", from)).toMatchObject({
    ok: false,
    field: "schedule",
  });
  expect(describeSchedule("0 * * * *", "Mars/Olympus", from)).toMatchObject({
    ok: false,
    field: "timezone",
  });
});
