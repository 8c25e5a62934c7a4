import { describe, expect, it } from "vitest";
import { parseRangeDate } from "./zoned-date.js";

describe("parseRangeDate", () => {
  it("reads a calendar date as midnight in the workflow's time zone", () => {
    expect(parseRangeDate("2024-01-15", "UTC", "--from").toISOString()).toBe(
      "2024-01-15T00:00:00.000Z",
    );
    expect(parseRangeDate("2024-01-15", "Europe/Paris", "--from").toISOString()).toBe(
      "2024-01-14T23:00:00.000Z",
    );
    expect(parseRangeDate("2024-07-15", "America/New_York", "--from").toISOString()).toBe(
      "2024-07-15T04:00:00.000Z",
    );
    // The day of a DST change in Paris (clocks go forward at 02:00).
    expect(parseRangeDate("2024-03-31", "Europe/Paris", "--from").toISOString()).toBe(
      "2024-03-30T23:00:00.000Z",
    );
  });

  it("reads a range's last calendar date as the end of that day", () => {
    expect(parseRangeDate("2024-01-15", "UTC", "--to", true).toISOString()).toBe(
      "2024-01-15T23:59:59.999Z",
    );
    expect(parseRangeDate("2024-03-30", "Europe/Paris", "--to", true).toISOString()).toBe(
      "2024-03-30T22:59:59.999Z",
    );
    expect(parseRangeDate("2024-01-15T06:00:00Z", "UTC", "--to", true).toISOString()).toBe(
      "2024-01-15T06:00:00.000Z",
    );
  });

  it("takes date-times with an offset as the instant they name", () => {
    expect(parseRangeDate("2024-01-15T06:30:00+02:00", "UTC", "--to").toISOString()).toBe(
      "2024-01-15T04:30:00.000Z",
    );
    expect(parseRangeDate("2024-01-15T06:30Z", "Asia/Tokyo", "--to").toISOString()).toBe(
      "2024-01-15T06:30:00.000Z",
    );
  });

  it("refuses impossible, offset-less and hostile text with a sentence", () => {
    for (const bad of [
      "2024-02-30",
      "2024-13-01",
      "2024-01-15T06:30:00",
      "yesterday",
      "",
      "2024-01-01; rm -rf /",
      "9".repeat(10_000),
    ]) {
      expect(() => parseRangeDate(bad, "UTC", "--from")).toThrow(/--from takes a date/);
    }
  });
});
