import { describe, expect, it } from "vitest";
import { buildConf, formatStatus } from "./airflow-run-commands.js";

describe("buildConf", () => {
  it("parses -p like papermill, keeps -r as text, and lets pairs override --conf", () => {
    const conf = buildConf('{"a": 1, "b": {"c": [true]}, "who": "Bob"}', [
      { name: "who", value: "Ada", raw: false },
      { name: "n", value: "3", raw: false },
      { name: "x", value: "0.5", raw: false },
      { name: "flag", value: "True", raw: false },
      { name: "none", value: "None", raw: false },
      { name: "v", value: "1.10", raw: true },
    ]);
    expect(conf).toEqual({
      a: 1,
      b: { c: [true] },
      who: "Ada",
      n: 3,
      x: 0.5,
      flag: true,
      none: null,
      v: "1.10",
    });
  });

  it("keeps a param called __proto__ as a plain key", () => {
    const conf = buildConf('{"__proto__": {"polluted": 1}}', [
      { name: "__proto__", value: "2", raw: false },
    ]);
    expect(Object.keys(conf)).toEqual(["__proto__"]);
    expect(JSON.stringify(conf)).toBe('{"__proto__":2}');
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("rejects --conf that is not a JSON object, and values JSON cannot carry", () => {
    for (const bad of ["", "{", "[1]", "null", "3", '"s"']) {
      expect(() => buildConf(bad, [])).toThrow(
        expect.objectContaining({ code: "E_USAGE" }) as Error,
      );
    }
    for (const v of ["nan", "inf", "-Infinity"]) {
      expect(() => buildConf(undefined, [{ name: "x", value: v, raw: false }])).toThrow(/use -r/);
    }
    expect(buildConf(undefined, [{ name: "x", value: "nan", raw: true }])).toEqual({ x: "nan" });
  });
});

describe("formatStatus", () => {
  const run = {
    dagId: "hello",
    runId: "r1",
    state: "running",
    logicalDate: "2025-01-01T00:00:00+00:00",
    startDate: null,
    endDate: null,
    conf: {},
  };

  it("aligns one line per task instance and counts the states", () => {
    const text = formatStatus(
      run,
      [
        { taskId: "a", state: "success", tryNumber: 1, startDate: "s", endDate: "e", mapIndex: -1 },
        {
          taskId: "long_task",
          state: null,
          tryNumber: 0,
          startDate: null,
          endDate: null,
          mapIndex: -1,
        },
        { taskId: "m", state: "running", tryNumber: 2, startDate: "s", endDate: null, mapIndex: 3 },
      ],
      "Airflow 2.9.3, API v1",
    );
    expect(text).toBe(
      [
        "run r1 of DAG hello: running (Airflow 2.9.3, API v1)",
        "  logical date 2025-01-01T00:00:00+00:00",
        "  a          success    try 1  s  e",
        "  long_task  no status",
        "  m[3]       running    try 2  s",
        "  1 success, 1 no status, 1 running",
        "",
      ].join("\n"),
    );
  });

  it("says when the scheduler has not created task instances yet", () => {
    expect(formatStatus(run, [], "x")).toContain("no task instances yet");
  });
});
