/**
 * The schedule editor's read-out: the cron expression in words and its next run times
 * in the workflow's time zone. Parses cron exactly as the server's scheduler does
 * (src/engine/schedule.ts: croner, 5 fields, day-of-month OR day-of-week like Vixie
 * cron and Airflow's croniter, the same presets), and validates with the server's checks.
 */
import { Cron } from "croner";
import cronstrue from "cronstrue";
import { checkSchedule, checkTimezone } from "../../../src/spec/validate.js";

/** Airflow's preset names as 5-field cron (the same table as the server's scheduler). */
export const PRESETS: Readonly<Record<string, string>> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@yearly": "0 0 1 1 *",
};

/** One upcoming run time. */
export interface RunTime {
  /** The instant, ISO 8601 in UTC. */
  iso: string;
  /** The wall-clock time in the workflow's time zone, e.g. `Tue 2026-12-01 02:00`. */
  local: string;
}

/** What the schedule editor shows. */
export type ScheduleInfo =
  | { ok: true; words: string; timezone: string; next: RunTime[] }
  | { ok: false; field: "schedule" | "timezone"; message: string };

function formatLocal(date: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    weekday: "short",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(date);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("weekday")} ${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

/**
 * Describes `schedule` in `timezone` (default UTC): the cron in words and the next
 * `count` run times after `from`. A bad schedule or time zone gives the server's message.
 */
export function describeSchedule(
  schedule: string,
  timezone: string | undefined,
  from: Date,
  count = 5,
): ScheduleInfo {
  const tz = timezone === undefined || timezone.trim() === "" ? "UTC" : timezone;
  const tzProblem = tz === "UTC" ? undefined : checkTimezone(tz);
  if (tzProblem !== undefined) return { ok: false, field: "timezone", message: tzProblem };
  const problem = checkSchedule(schedule);
  if (problem !== undefined) return { ok: false, field: "schedule", message: problem };
  const pattern = PRESETS[schedule.trim()] ?? schedule.trim();
  let words: string;
  try {
    words = cronstrue.toString(pattern, {
      use24HourTimeFormat: true,
      throwExceptionOnParseError: true,
    });
  } catch {
    words = pattern;
  }
  const cron = new Cron(pattern, { timezone: tz, mode: "5-part", domAndDow: false, paused: true });
  const next = cron
    .nextRuns(count, from)
    .map((d) => ({ iso: d.toISOString(), local: formatLocal(d, tz) }));
  return { ok: true, words: `${words} (${tz})`, timezone: tz, next };
}
