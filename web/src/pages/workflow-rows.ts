/**
 * What the workflows table shows of a summary, framework-free: the schedule in words
 * (cached per expression, a page of 1,000 rows holds few distinct ones), when a run is
 * due, and the name a duplicate gets.
 */
import cronstrue from "cronstrue";
import { WORKFLOW_NAME_RE } from "../../../src/spec/names.js";
import { PRESETS } from "../core/schedule.js";

/** Turns schedules into words, remembering each expression it has seen. */
export class ScheduleWords {
  private readonly cache = new Map<string, string>();

  /** The schedule in words ("manual" without one); an unreadable one as written. */
  words(schedule: string | null | undefined): string {
    if (schedule === null || schedule === undefined || schedule.trim() === "") return "Manual only";
    const hit = this.cache.get(schedule);
    if (hit !== undefined) return hit;
    const pattern = PRESETS[schedule.trim()] ?? schedule.trim();
    let words: string;
    try {
      words = cronstrue.toString(pattern, {
        use24HourTimeFormat: true,
        throwExceptionOnParseError: true,
      });
    } catch {
      words = schedule;
    }
    // Bounded: a hostile list of distinct schedules cannot grow it without end.
    if (this.cache.size > 5000) this.cache.clear();
    this.cache.set(schedule, words);
    return words;
  }
}

/** A date as `2026-12-01 02:00 UTC`, or "" when missing or unreadable. */
export function formatUtc(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Why `name` cannot be the name of a new workflow, or undefined when it can. */
export function newNameProblem(name: string, taken: (name: string) => boolean): string | undefined {
  if (name === "") return "enter a name";
  if (!WORKFLOW_NAME_RE.test(name))
    return "a name is lower-case letters, digits, - and _, starting with a letter (at most 63)";
  if (taken(name)) return `a workflow named ${name} exists`;
  return undefined;
}

/** The first free name `NAME-copy`, `NAME-copy-2`, … for a duplicate. */
export function copyName(name: string, taken: (name: string) => boolean): string {
  const base = `${name}-copy`.slice(0, 60);
  if (!taken(base)) return base;
  for (let i = 2; i < 1000; i++) {
    const candidate = `${base}-${i}`;
    if (!taken(candidate)) return candidate;
  }
  return base;
}
