/**
 * A workflow's schedule as Airflow reads it: cron (or a preset) in a time zone, cut into
 * data intervals. The run for the interval [start, end) has `logical_date = start` and is
 * due at `end`, so a daily run for Monday fires at Tuesday 00:00.
 */
import { Cron } from "croner";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { checkSchedule, checkTimezone } from "../spec/validate.js";

/** Airflow's preset names, as 5-field cron expressions. */
const PRESETS: Readonly<Record<string, string>> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@yearly": "0 0 1 1 *",
};

/** Most intervals one call enumerates; a wider range is refused with a message. */
export const MAX_INTERVALS = 100_000;

/**
 * Parsed cron patterns shared by the schedules of one scheduler, keyed by pattern and
 * time zone: croner keeps a 10,000-entry year table per pattern (about 80 KB), and
 * thousands of workflows usually share a few dozen patterns.
 */
export type CronCache = Map<string, Cron>;

/** One data interval of a schedule. */
export interface ScheduleInterval {
  /** The run's logical date (the interval's start). */
  start: Date;
  /** When the run is due (the interval's end, the next cron time). */
  end: Date;
}

/** A parsed schedule in its time zone. */
export class Schedule {
  private readonly cron: Cron;

  /**
   * Parses a workflow's `schedule` and `timezone` (default UTC); throws E_VALIDATION when
   * bad. Schedules given the same `cache` share parsed patterns.
   */
  constructor(
    readonly expression: string,
    readonly timezone: string = "UTC",
    cache?: CronCache,
  ) {
    // UTC needs no check; the validator's checks run in full only to explain a failure.
    const tzProblem = timezone === "UTC" ? undefined : checkTimezone(timezone);
    if (tzProblem) throw new UpdraftError(ErrorCodes.VALIDATION, tzProblem);
    const pattern = PRESETS[expression.trim()] ?? expression.trim();
    const key = `${timezone}\u0000${pattern}`;
    const cached = cache?.get(key);
    if (cached) {
      this.cron = cached;
      return;
    }
    try {
      if (pattern.startsWith("@") || pattern.split(/\s+/).length !== 5) throw new Error("shape");
      // Vixie cron (and Airflow's croniter) OR day-of-month with day-of-week when both are set.
      this.cron = new Cron(pattern, { timezone, mode: "5-part", domAndDow: false, paused: true });
      cache?.set(key, this.cron);
    } catch (err) {
      const problem = checkSchedule(expression) ?? `schedule "${expression}" is not usable`;
      throw new UpdraftError(ErrorCodes.VALIDATION, problem, { cause: err });
    }
  }

  /** The first cron time strictly after `after`, or null when there is none. */
  next(after: Date): Date | null {
    return this.cron.nextRun(after);
  }

  /** The last cron time at or before `at`, or null when there is none. */
  previous(at: Date): Date | null {
    // previousRuns is exclusive of the reference; step one millisecond past it.
    const [prev] = this.cron.previousRuns(1, new Date(at.getTime() + 1));
    return prev ?? null;
  }

  /** The interval whose start is the cron time at or before `at`. */
  intervalAt(at: Date): ScheduleInterval | null {
    const start = this.previous(at);
    const end = start ? this.next(start) : null;
    return start && end ? { start, end } : null;
  }

  /** The latest interval that has ended by `now` (the one a scheduler would run last). */
  latestComplete(now: Date): ScheduleInterval | null {
    const end = this.previous(now);
    if (!end) return null;
    const start = this.previous(new Date(end.getTime() - 1));
    return start ? { start, end } : null;
  }

  /**
   * The newest `max` intervals that start at or after `from` and have ended by `now`,
   * oldest first: the runs a scheduler missed. Walks back from `now`, so a far `from`
   * costs no more than `max` steps.
   */
  completeSince(from: Date, now: Date, max: number): ScheduleInterval[] {
    if (max <= 0) return [];
    const times = this.cron.previousRuns(max + 1, new Date(now.getTime() + 1));
    const out: ScheduleInterval[] = [];
    for (let i = 0; i + 1 < times.length; i++) {
      const start = times[i + 1]!;
      if (start.getTime() < from.getTime()) break;
      out.push({ start, end: times[i]! });
    }
    return out.reverse();
  }

  /**
   * Intervals whose start lies in [from, to], oldest first: what `backfill` runs.
   * Refuses more than `limit` intervals rather than creating an unbounded number of runs.
   */
  intervalsBetween(from: Date, to: Date, limit = MAX_INTERVALS): ScheduleInterval[] {
    const out: ScheduleInterval[] = [];
    let start = this.next(new Date(from.getTime() - 1));
    while (start && start.getTime() <= to.getTime()) {
      const end = this.next(start);
      if (!end) break;
      if (out.length >= limit) {
        throw new UpdraftError(
          ErrorCodes.VALIDATION,
          `the range ${from.toISOString()} .. ${to.toISOString()} holds more than ${limit} runs of "${this.expression}"; narrow it`,
        );
      }
      out.push({ start, end });
      start = end;
    }
    return out;
  }
}
