import { join, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { UpdraftError } from "../spec/errors.js";
import { LOG_FILE, attemptDir, relativeLogPath } from "./artifacts.js";

describe("attemptDir", () => {
  it("places an attempt under runs/<run>/<task>/<attempt>", () => {
    expect(attemptDir("/data", "r1", "train", 2)).toBe(join("/data", "runs", "r1", "train", "2"));
  });

  it("keeps ids with dots, spaces, quotes and emoji as one segment", () => {
    const dir = attemptDir("/data", "run.2024-01-01", "tr 'a\" in…🚀", 1);
    expect(dir).toBe(join("/data", "runs", "run.2024-01-01", "tr 'a\" in…🚀", "1"));
    expect(resolve(dir).startsWith(resolve("/data") + sep)).toBe(true);
  });

  it.each([
    ["..", "t"],
    [".", "t"],
    ["", "t"],
    ["r", ".."],
    ["r", "a/b"],
    ["r", "../../etc"],
    ["r", "/abs"],
    ["r", "a\\b"],
    ["r", "a\0b"],
    ["a/../../b", "t"],
  ])("refuses run id %j / task id %j", (runId, taskId) => {
    const call = () => attemptDir("/data", runId, taskId, 1);
    expect(call).toThrow(UpdraftError);
    expect(call).toThrow(expect.objectContaining({ code: "E_STORE" }) as Error);
    expect(call).toThrow(/cannot name an artifact directory/);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses attempt %s", (attempt) => {
    expect(() => attemptDir("/data", "r", "t", attempt)).toThrow(/not a non-negative integer/);
  });
});

describe("relativeLogPath", () => {
  it("is runs/<run>/<task>/<attempt>/log.txt with forward slashes", () => {
    expect(relativeLogPath("r1", "train", 3)).toBe("runs/r1/train/3/log.txt");
    expect(LOG_FILE).toBe("log.txt");
  });

  it("lies inside attemptDir", () => {
    expect(join("/data", relativeLogPath("r", "t", 1))).toBe(
      join(attemptDir("/data", "r", "t", 1), LOG_FILE),
    );
  });

  it("refuses escaping ids", () => {
    expect(() => relativeLogPath("r", "..", 1)).toThrow(UpdraftError);
  });
});
