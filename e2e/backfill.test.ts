/** End-to-end tests of `updraft backfill` through the real bin/updraft. */
import { afterAll, describe, expect, it } from "vitest";
import { cliSandbox } from "./cli-helpers.js";

const { file, updraft, cleanup } = cliSandbox("updraft-backfill-");
afterAll(cleanup);

interface RunJson {
  state: string;
  trigger: string;
  logicalDate: string;
  params: Record<string, unknown>;
  tasks: Record<string, { state: string; outputs: Record<string, unknown> }>;
}

const DAILY = file(
  "daily.yaml",
  `
name: daily-report
schedule: "0 6 * * *"
timezone: Europe/Paris
maxActiveRuns: 2
params:
  region: { type: string, default: eu }
tasks:
  stamp:
    type: shell
    params: { ds: "{{ run.ds }}", at: "{{ run.logical_date }}" }
    command: 'echo "day=$UPDRAFT_PARAM_DS $UPDRAFT_PARAM_REGION" >> "$UPDRAFT_OUTPUTS"; echo "at=$UPDRAFT_PARAM_AT" >> "$UPDRAFT_OUTPUTS"'
    outputs: [day, at]
`,
);

describe("updraft backfill", () => {
  it("runs one run per interval with its logical date, then skips what already succeeded", () => {
    const r = updraft([
      "backfill",
      DAILY,
      "--from",
      "2024-03-30",
      "--to",
      "2024-04-01",
      "-p",
      "region",
      "us",
      "--json",
    ]);
    expect(r.stderr).toContain("3 run(s)");
    expect(r.code).toBe(0);
    const runs = JSON.parse(r.stdout) as RunJson[];
    // 06:00 in Paris: 05:00 UTC before the DST change of March 31, 04:00 UTC after.
    expect(runs.map((x) => x.logicalDate)).toEqual([
      "2024-03-30T05:00:00.000Z",
      "2024-03-31T04:00:00.000Z",
      "2024-04-01T04:00:00.000Z",
    ]);
    expect(runs.map((x) => x.tasks["stamp"]?.outputs["day"])).toEqual([
      "2024-03-30 us",
      "2024-03-31 us",
      "2024-04-01 us",
    ]);
    expect(runs.map((x) => x.tasks["stamp"]?.outputs["at"])).toEqual(
      runs.map((x) => x.logicalDate),
    );
    expect(new Set(runs.map((x) => x.trigger))).toEqual(new Set(["backfill"]));

    const again = updraft([
      "backfill",
      DAILY,
      "--from",
      "2024-03-29",
      "--to",
      "2024-04-01",
      "--json",
    ]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("1 run(s), 3 skipped (already succeeded");
    expect((JSON.parse(again.stdout) as RunJson[]).map((x) => x.logicalDate)).toEqual([
      "2024-03-29T05:00:00.000Z",
    ]);

    const dry = updraft([
      "backfill",
      DAILY,
      "--from",
      "2024-03-29",
      "--to",
      "2024-04-02",
      "--rerun",
      "--dry-run",
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain("5 run(s)");
    expect(dry.stderr).toContain("would run 2024-04-02T04:00:00.000Z");
  });

  it("exits 1 when a run fails and names it", () => {
    const failing = file(
      "failing.yaml",
      `
name: flaky-days
schedule: "@daily"
tasks:
  check:
    type: shell
    params: { ds: "{{ run.ds }}" }
    command: 'test "$UPDRAFT_PARAM_DS" != "2024-01-02"'
`,
    );
    const r = updraft(["backfill", failing, "--from", "2024-01-01", "--to", "2024-01-03"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("2 succeeded, 1 not");
    expect(r.stderr).toMatch(/2024-01-02T00:00:00.000Z failed/);
  });

  it("refuses unscheduled workflows, bad dates and reversed or huge ranges with a sentence", () => {
    const plain = file("plain.yaml", "name: plain\ntasks:\n  a: { type: empty }\n");
    const cases: [string[], RegExp][] = [
      [["backfill", plain, "--from", "2024-01-01", "--to", "2024-01-02"], /has no schedule/],
      [["backfill", DAILY, "--from", "2024-02-30", "--to", "2024-03-01"], /--from takes a date/],
      [["backfill", DAILY, "--from", "2024-01-01", "--to", "last week"], /--to takes a date/],
      [
        ["backfill", DAILY, "--from", "2024-02-01", "--to", "2024-01-01"],
        /ends .* before it starts/,
      ],
      [["backfill", DAILY, "--from", "1990-01-01", "--to", "2024-01-01"], /more than 10000 runs/],
      [["backfill", DAILY, "--to", "2024-01-01"], /--from/],
    ];
    for (const [args, message] of cases) {
      const r = updraft(args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
