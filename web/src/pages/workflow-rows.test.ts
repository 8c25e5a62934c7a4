import { expect, test } from "vitest";
import { ScheduleWords, copyName, formatUtc, newNameProblem } from "./workflow-rows.js";

test("schedules in words, presets included; none is manual; nonsense is shown as written", () => {
  const words = new ScheduleWords();
  expect(words.words("0 2 * * *")).toBe("At 02:00");
  expect(words.words("@daily")).toBe("At 00:00");
  expect(words.words("*/15 * * * 1-5")).toMatch(/Every 15 minutes, Monday through Friday/);
  expect(words.words(null)).toBe("Manual only");
  expect(words.words("not a cron <b>")).toBe("not a cron <b>");
});

test("dates in UTC, bad dates empty; names of copies and new workflows", () => {
  expect(formatUtc("2026-12-01T02:00:00.000Z")).toBe("2026-12-01 02:00 UTC");
  expect(formatUtc("yesterday")).toBe("");
  expect(formatUtc(null)).toBe("");
  const taken = new Set(["etl", "etl-copy"]);
  expect(copyName("etl", (n) => taken.has(n))).toBe("etl-copy-2");
  expect(copyName("x", (n) => taken.has(n))).toBe("x-copy");
  expect(newNameProblem("etl", (n) => taken.has(n))).toMatch(/exists/);
  expect(newNameProblem("Bad Name", () => false)).toMatch(/lower-case/);
  expect(newNameProblem("", () => false)).toBe("enter a name");
  expect(newNameProblem("fresh_one", () => false)).toBeUndefined();
});
