import { expect, test } from "vitest";
import { HttpApiClient, type TokenStore } from "./http-client.js";
import type { LiveEvent, LogStreamEvent } from "./live.js";

function memoryTokens(token: string | null): TokenStore {
  let t = token;
  return { get: () => t, set: (v) => (t = v) };
}

test("HttpApiClient streams events and a followed log with the bearer token over fetch", async () => {
  const calls: { url: string; auth: string | undefined }[] = [];
  const client = new HttpApiClient(memoryTokens("tok-1"), (url, init) => {
    calls.push({ url, auth: (init?.headers as Record<string, string>)["authorization"] });
    const body = url.includes("/log")
      ? 'event: attempt\ndata: {"attempt":1}\n\nevent: log\ndata: {"attempt":1,"text":"hi"}\n\nevent: end\ndata: {"state":"succeeded","attempt":1}\n\n'
      : ': connected\n\nevent: task\ndata: {"kind":"task","runId":"r","workflow":"w","taskId":"t","state":"running","attempt":1,"at":"T","error":null}\n\n';
    return Promise.resolve(new Response(body));
  });
  const ac = new AbortController();
  const events: LiveEvent[] = [];
  await client.watchEvents(
    { run: "r" },
    {
      onEvent: (e) => {
        events.push(e);
        ac.abort();
      },
    },
    ac.signal,
  );
  expect(events.map((e) => e.kind)).toEqual(["task"]);
  const log: LogStreamEvent[] = [];
  await client.followTaskLog(
    "r",
    "t",
    { onEvent: (e) => log.push(e) },
    new AbortController().signal,
  );
  expect(log.map((e) => e.kind)).toEqual(["attempt", "log", "end"]);
  expect(calls).toEqual([
    { url: "/api/v1/events?run=r", auth: "Bearer tok-1" },
    { url: "/api/v1/runs/r/tasks/t/log?follow=1", auth: "Bearer tok-1" },
  ]);
});

test("a 401 on a stream forgets the token, tells the listeners and is not retried", async () => {
  const tokens = memoryTokens("expired");
  let opens = 0;
  const client = new HttpApiClient(tokens, () => {
    opens++;
    return Promise.resolve(
      new Response(
        JSON.stringify({ error: { code: "E_UNAUTHENTICATED", message: "session expired" } }),
        {
          status: 401,
        },
      ),
    );
  });
  const heard: string[] = [];
  client.onUnauthorized((m) => heard.push(m));
  await expect(
    client.watchEvents({}, { onEvent: () => undefined }, new AbortController().signal),
  ).rejects.toMatchObject({ status: 401 });
  expect(opens).toBe(1);
  expect(tokens.get()).toBeNull();
  expect(heard).toEqual(["session expired"]);
});
