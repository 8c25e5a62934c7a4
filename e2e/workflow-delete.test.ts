/** DELETE /api/v1/workflows/{name}: gone from the server and its schedule, history kept, name reusable. */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { startTestService, tempCatalog, type TestService } from "./server-helpers.js";

const { tmp, catalog } = tempCatalog("updraft-wf-delete-", {
  "daily.yaml": 'name: daily\nschedule: "@daily"\ntasks:\n  a: { type: empty }\n',
});
const services: TestService[] = [];
afterAll(async () => {
  for (const s of services) await s.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function start(): Promise<TestService> {
  const s = await startTestService(tmp, { examples: catalog });
  services.push(s);
  return s;
}

async function send(s: TestService, method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { ...s.auth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const names = async (s: TestService) =>
  ((await send(s, "GET", "/api/v1/workflows")).body["workflows"] as { name: string }[]).map(
    (w) => w.name,
  );

describe("deleting a workflow", () => {
  it("removes it and its schedule, survives a restart, and lets the name be reused", async () => {
    let s = await start();
    expect(await names(s)).toEqual(["daily"]);
    const unpaused = await send(s, "POST", "/api/v1/workflows/daily/unpause");
    expect(unpaused.body["nextRun"]).not.toBeNull();
    const run = await send(s, "POST", "/api/v1/workflows/daily/runs", {});
    expect(run.status).toBe(201);

    const del = await send(s, "DELETE", "/api/v1/workflows/daily");
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ name: "daily" });
    expect(await names(s)).toEqual([]);
    expect((await send(s, "GET", "/api/v1/workflows/daily")).status).toBe(404);
    expect((await send(s, "DELETE", "/api/v1/workflows/daily")).status).toBe(404);
    expect((await send(s, "POST", "/api/v1/workflows/daily/runs", {})).status).toBe(404);
    // Its runs and versions stay readable.
    expect((await send(s, "GET", `/api/v1/runs/${String(run.body["id"])}`)).status).toBe(200);
    expect((await send(s, "GET", "/api/v1/workflows/daily/versions")).status).toBe(200);

    // The file under --examples does not bring it back.
    await s.stop();
    s = await start();
    expect(await names(s)).toEqual([]);
    expect(services.at(-1)?.stderr()).toContain('workflow "daily" was deleted through the API');

    // Creating it again continues its history.
    const again = await send(s, "POST", "/api/v1/workflows", {
      document: { name: "daily", tasks: { a: { type: "empty" }, b: { type: "empty" } } },
    });
    expect(again.status).toBe(201);
    expect(again.body["version"]).toBe(2);
    expect(await names(s)).toEqual(["daily"]);
    await s.stop();
    s = await start();
    expect(await names(s)).toEqual(["daily"]);
    expect((await send(s, "DELETE", "/api/v1/workflows/Not%20A%20Name")).status).toBe(400);
  });
});
