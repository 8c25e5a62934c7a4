/** POST /api/v1/workflows/{name}/backfill: the runs of a past range over HTTP, as `updraft backfill` makes them. */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../src/engine/run-view.js";
import { startTestService, tempCatalog, type TestService } from "./server-helpers.js";

const { tmp, catalog } = tempCatalog("updraft-backfill-api-", {
  "daily.yaml": [
    "name: daily",
    'schedule: "0 6 * * *"',
    "timezone: Europe/Paris",
    "params:",
    "  region: { type: string, default: eu }",
    "tasks:",
    "  stamp:",
    "    type: shell",
    '    params: { ds: "{{ run.ds }}" }',
    `    command: 'echo "day=$UPDRAFT_PARAM_DS $UPDRAFT_PARAM_REGION" >> "$UPDRAFT_OUTPUTS"'`,
    "    outputs: [day]",
    "",
  ].join("\n"),
  "plain.yaml": "name: plain\ntasks:\n  a: { type: empty }\n",
});
let service: TestService;
beforeAll(async () => {
  service = await startTestService(tmp, { examples: catalog });
});
afterAll(async () => {
  await service.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function post(path: string, body: unknown) {
  const res = await fetch(`${service.url}${path}`, {
    method: "POST",
    headers: { ...service.auth, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("backfill over the API", () => {
  it("creates one run per interval with its logical date, then skips the succeeded ones", async () => {
    const dry = await post("/api/v1/workflows/daily/backfill", {
      from: "2024-03-30",
      to: "2024-04-01",
      dryRun: true,
    });
    expect(dry.status).toBe(200);
    expect(dry.body["planned"]).toEqual([
      "2024-03-30T05:00:00.000Z",
      "2024-03-31T04:00:00.000Z",
      "2024-04-01T04:00:00.000Z",
    ]);
    const made = await post("/api/v1/workflows/daily/backfill", {
      from: "2024-03-30",
      to: "2024-04-01",
      params: { region: "us" },
    });
    expect(made.status).toBe(201);
    const runs = made.body["runs"] as RunView[];
    expect(runs.map((r) => r.trigger)).toEqual(["backfill", "backfill", "backfill"]);
    let done: RunView[] = [];
    for (let i = 0; i < 200; i++) {
      done = await Promise.all(
        runs.map(
          async (r) =>
            (await (
              await fetch(`${service.url}/api/v1/runs/${r.id}`, { headers: service.auth })
            ).json()) as RunView,
        ),
      );
      if (done.every((r) => r.state === "succeeded")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(done.map((r) => r.tasks["stamp"]?.outputs["day"])).toEqual([
      "2024-03-30 us",
      "2024-03-31 us",
      "2024-04-01 us",
    ]);
    const again = await post("/api/v1/workflows/daily/backfill", {
      from: "2024-03-30",
      to: "2024-04-01",
    });
    expect(again.status).toBe(201);
    expect(again.body["runs"]).toEqual([]);
    expect((again.body["skipped"] as string[]).length).toBe(3);
  });

  it("answers bad requests with a 4xx and a sentence", async () => {
    const cases: [string, unknown, number, RegExp][] = [
      [
        "/api/v1/workflows/plain/backfill",
        { from: "2024-01-01", to: "2024-01-02" },
        400,
        /no schedule/,
      ],
      [
        "/api/v1/workflows/nope/backfill",
        { from: "2024-01-01", to: "2024-01-02" },
        404,
        /no workflow/,
      ],
      [
        "/api/v1/workflows/daily/backfill",
        { from: "2024-02-30", to: "2024-03-01" },
        400,
        /from takes a date/,
      ],
      [
        "/api/v1/workflows/daily/backfill",
        { from: "2024-02-01", to: "2024-01-01" },
        400,
        /before it starts/,
      ],
      [
        "/api/v1/workflows/daily/backfill",
        { from: "1900-01-01", to: "2024-01-01" },
        400,
        /more than 10000 runs/,
      ],
      ["/api/v1/workflows/daily/backfill", { to: "2024-01-01" }, 400, /required/],
      [
        "/api/v1/workflows/daily/backfill",
        { from: "2024-01-01", to: "2024-01-02", x: 1 },
        400,
        /unknown field/,
      ],
      [
        "/api/v1/workflows/daily/backfill",
        { from: "2024-01-01", to: "2024-01-02", rerun: "yes" },
        400,
        /true or false/,
      ],
      [
        "/api/v1/workflows/daily/backfill",
        { from: "2024-01-01", to: "2024-01-02", params: { zzz: 1 } },
        400,
        /zzz/,
      ],
      ["/api/v1/workflows/daily/backfill", ["from"], 400, /must be/],
    ];
    for (const [path, body, status, message] of cases) {
      const r = await post(path, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect((r.body["error"] as { message: string }).message).toMatch(message);
    }
  });
});
