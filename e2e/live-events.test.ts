/** Server-sent events of `updraft serve`: state changes and followed task logs, read by a real client. */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../src/engine/run-view.js";
import { startTestService, tempCatalog, type TestService } from "./server-helpers.js";

const { tmp, catalog } = tempCatalog("updraft-live-");
let service: TestService;

beforeAll(async () => {
  writeFileSync(
    join(catalog, "chatty.yaml"),
    `
name: chatty
tasks:
  talk:
    type: shell
    retries: 1
    retryDelay: 200ms
    command: |
      if [ "$UPDRAFT_ATTEMPT" = 1 ]; then echo "first try"; exit 3; fi
      for i in 1 2 3; do echo "line $i ü"; sleep 0.2; done
  after:
    type: empty
    needs: [talk]
`,
  );
  service = await startTestService(tmp, { examples: catalog });
});

afterAll(async () => {
  await service.stop();
  rmSync(tmp, { recursive: true, force: true });
});

interface Sse {
  event: string;
  data: Record<string, unknown>;
}

/** Reads server-sent events until `until` says stop (or the stream ends). */
async function readEvents(
  path: string,
  until: (e: Sse, all: Sse[]) => boolean,
  onOpen?: () => Promise<void>,
): Promise<{ status: number; type: string | null; events: Sse[] }> {
  const ac = new AbortController();
  const res = await fetch(`${service.url}${path}`, { headers: service.auth, signal: ac.signal });
  const events: Sse[] = [];
  if (!res.ok || !res.body)
    return { status: res.status, type: res.headers.get("content-type"), events };
  await onOpen?.();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let cut: number;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === undefined || data === undefined) continue; // a comment
        const e = { event, data: JSON.parse(data) as Record<string, unknown> };
        events.push(e);
        if (until(e, events))
          return { status: res.status, type: res.headers.get("content-type"), events };
      }
    }
  } finally {
    ac.abort();
  }
  return { status: res.status, type: res.headers.get("content-type"), events };
}

async function trigger(): Promise<RunView> {
  const res = await fetch(`${service.url}/api/v1/workflows/chatty/runs`, {
    headers: service.auth,
    method: "POST",
  });
  return (await res.json()) as RunView;
}

describe("GET /api/v1/events", () => {
  it("streams every state change of a run, in order, filtered by run", async () => {
    let runId = "";
    const got = await readEvents(
      "/api/v1/events?workflow=chatty",
      (e) => e.event === "run" && e.data["runId"] === runId && e.data["state"] === "succeeded",
      async () => {
        runId = (await trigger()).id;
      },
    );
    expect(got.type).toBe("text/event-stream; charset=utf-8");
    const mine = got.events.filter((e) => e.data["runId"] === runId);
    expect(mine.filter((e) => e.event === "run").map((e) => e.data["state"])).toEqual([
      "queued",
      "running",
      "succeeded",
    ]);
    const talk = mine.filter((e) => e.event === "task" && e.data["taskId"] === "talk");
    expect(talk.map((e) => `${String(e.data["state"])}#${String(e.data["attempt"])}`)).toEqual([
      "running#1",
      "retrying#1",
      "running#2",
      "succeeded#2",
    ]);
    expect(talk[1]?.data["error"]).toMatchObject({ code: "E_TASK_FAILED" });
    expect(mine.every((e) => e.data["workflow"] === "chatty")).toBe(true);
    expect(typeof mine[0]?.data["at"]).toBe("string");
  });

  it("refuses malformed filters with a 400", async () => {
    for (const q of ["workflow=Bad%20Name", "run=..%2Fetc", `run=${"x".repeat(300)}`]) {
      const res = await fetch(`${service.url}/api/v1/events?${q}`, { headers: service.auth });
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("E_VALIDATION");
    }
  });
});

describe("GET /api/v1/runs/{id}/tasks/{task}/log?follow=1", () => {
  it("follows the log across the retry until the task ends", async () => {
    const run = await trigger();
    // The first attempt may not have started yet: wait until it has a log to follow.
    let status = 404;
    for (let i = 0; i < 100 && status === 404; i++) {
      status = (
        await fetch(`${service.url}/api/v1/runs/${run.id}/tasks/talk/log`, {
          headers: service.auth,
        })
      ).status;
      if (status === 404) await new Promise((r) => setTimeout(r, 20));
    }
    const got = await readEvents(
      `/api/v1/runs/${run.id}/tasks/talk/log?follow=1`,
      (e) => e.event === "end",
    );
    const text = (n: number) =>
      got.events
        .filter((e) => e.event === "log" && e.data["attempt"] === n)
        .map((e) => String(e.data["text"]))
        .join("");
    expect(text(1)).toContain("first try");
    expect(text(2)).toContain("line 1 ü\nline 2 ü\nline 3 ü\n");
    expect(got.events.filter((e) => e.event === "attempt").map((e) => e.data["attempt"])).toEqual([
      1, 2,
    ]);
    expect(got.events.at(-1)?.data).toEqual({ state: "succeeded", attempt: 2 });

    // A finished task: the whole log, then the end, at once.
    const again = await readEvents(
      `/api/v1/runs/${run.id}/tasks/talk/log?follow=1`,
      (e) => e.event === "end",
    );
    expect(again.events.map((e) => e.event)).toEqual(["attempt", "log", "end"]);
  });

  it("answers 404 and 400 as JSON before any stream starts", async () => {
    const missing = await fetch(`${service.url}/api/v1/runs/nope/tasks/talk/log?follow=1`, {
      headers: service.auth,
    });
    expect(missing.status).toBe(404);
    const bad = await fetch(`${service.url}/api/v1/runs/a%20b/tasks/talk/log?follow=1`, {
      headers: service.auth,
    });
    expect(bad.status).toBe(400);
  });
});
