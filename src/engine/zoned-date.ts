/**
 * Dates typed by users for ranges (`--from 2024-01-01`): a calendar date means that day
 * in the workflow's time zone; a date-time must say its offset, so nothing depends on the
 * machine's own time zone.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses `YYYY-MM-DD` (midnight in `timezone`; with `endOfDay`, the last millisecond of
 * that day, so a range's last date covers the whole day) or an ISO date-time with Z or
 * an offset.
 */
export function parseRangeDate(
  text: string,
  timezone: string,
  what: string,
  endOfDay = false,
): Date {
  const t = text.trim();
  const m = DATE.exec(t);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const utc = Date.UTC(y, mo - 1, d);
    const check = new Date(utc);
    if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) throw bad(text, what);
    if (!endOfDay) return new Date(zonedToUtc(utc, timezone));
    return new Date(zonedToUtc(utc + 86_400_000, timezone) - 1);
  }
  if (DATE_TIME.test(t)) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return new Date(ms);
  }
  throw bad(text, what);
}

function bad(text: string, what: string): UpdraftError {
  return new UpdraftError(
    ErrorCodes.USAGE,
    `${what} takes a date (YYYY-MM-DD, midnight in the workflow's time zone) or a date-time with its offset (2024-01-01T06:00:00Z); got "${text.slice(0, 100)}"`,
  );
}

// The UTC instant at which the wall clock in `timezone` shows `wallMs` (read as UTC fields).
function zonedToUtc(wallMs: number, timezone: string): number {
  let t = wallMs - offsetAt(wallMs, timezone);
  // A second pass settles instants near a DST change.
  t = wallMs - offsetAt(t, timezone);
  return t;
}

// Wall-clock time minus UTC at the instant `t`, in milliseconds.
function offsetAt(t: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  return wall - Math.floor(t / 1000) * 1000;
}
