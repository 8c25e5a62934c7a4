import { describe, expect, test } from "vitest";
import {
  fetchSseOpener,
  followLogOver,
  parseLiveEvent,
  parseLogEvent,
  watchEventsOver,
  type LiveEvent,
  type LogStreamEvent,
} from "./live.js";
import { ApiError } from "./types.js";

const sse = (event: string, data: unknown) => ({
  event,
  data: JSON.stringify(data),
  id: undefined,
});

describe("parsing", () => {
  test("reads run and task events as the server sends them", () => {
    expect(
      parseLiveEvent(
        sse("task", {
          kind: "task",
          runId: "r",
          workflow: "w",
          taskId: "t",
          state: "failed",
          attempt: 2,
          at: "T",
          error: { code: "E", message: "m" },
        }),
      ),
    ).toEqual({
      kind: "task",
      runId: "r",
      workflow: "w",
      taskId: "t",
      state: "failed",
      attempt: 2,
      at: "T",
      error: { code: "E", message: "m" },
    });
    expect(
      parseLiveEvent(sse("run", { runId: "r", workflow: "w", state: "running", at: "T" })),
    ).toEqual({
      kind: "run",
      runId: "r",
      workflow: "w",
      state: "running",
      at: "T",
    });
  });

  test("drops malformed events: bad JSON, unknown states, missing ids, wrong types", () => {
    for (const e of [
      { event: "task", data: "{not json", id: undefined },
      sse("task", [1, 2]),
      sse("task", { runId: "r", workflow: "w", state: "exploded", taskId: "t" }),
      sse("task", { runId: "r", workflow: "w", state: "running" }),
      sse("run", { runId: 5, workflow: "w", state: "running" }),
      sse("other", { runId: "r", workflow: "w", state: "running" }),
    ]) {
      expect(parseLiveEvent(e)).toBeUndefined();
    }
    // A bad attempt or error is defaulted, not trusted.
    expect(
      parseLiveEvent(
        sse("task", {
          runId: "r",
          workflow: "w",
          state: "running",
          taskId: "t",
          attempt: -1,
          error: "x",
        }),
      ),
    ).toMatchObject({ attempt: 0, error: null, at: "" });
  });

  test("reads log events and drops malformed ones", () => {
    expect(parseLogEvent(sse("attempt", { attempt: 2 }))).toEqual({ kind: "attempt", attempt: 2 });
    expect(parseLogEvent(sse("log", { attempt: 1, text: "<b>hi</b>" }))).toEqual({
      kind: "log",
      attempt: 1,
      text: "<b>hi</b>",
    });
    expect(parseLogEvent(sse("end", { state: "succeeded", attempt: 1 }))).toEqual({
      kind: "end",
      state: "succeeded",
      attempt: 1,
    });
    expect(parseLogEvent(sse("error", {}))).toEqual({
      kind: "error",
      message: "the log stream failed",
    });
    expect(parseLogEvent(sse("log", { text: 7 }))).toBeUndefined();
    expect(parseLogEvent(sse("unknown", {}))).toBeUndefined();
  });
});

function stream(text: string): Response {
  return new Response(text, { headers: { "content-type": "text/event-stream" } });
}

describe("fetchSseOpener", () => {
  test("sends the bearer token, Last-Event-ID and accept; reports 401s and throws ApiErrors", async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    let answer: Response = stream(": hi\n\n");
    const open = fetchSseOpener(
      (url, init) => {
        seen.push({ url, headers: init?.headers as Record<string, string> });
        return Promise.resolve(answer);
      },
      "/api/v1",
      () => "tok",
      (m) => unauthorized.push(m),
    );
    const unauthorized: string[] = [];
    await open("/events", "42", new AbortController().signal);
    expect(seen[0]).toEqual({
      url: "/api/v1/events",
      headers: { accept: "text/event-stream", authorization: "Bearer tok", "last-event-id": "42" },
    });
    answer = new Response(
      JSON.stringify({ error: { code: "E_UNAUTHENTICATED", message: "sign in again" } }),
      { status: 401 },
    );
    const err = await open("/events", undefined, new AbortController().signal).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: "E_UNAUTHENTICATED", message: "sign in again" });
    expect(unauthorized).toEqual(["sign in again"]);
    answer = new Response("<html>proxy error</html>", { status: 502, statusText: "Bad Gateway" });
    await expect(open("/events", undefined, new AbortController().signal)).rejects.toMatchObject({
      status: 502,
      code: "E_HTTP",
    });
  });
});

describe("watching", () => {
  test("events are filtered in the URL and parsed; a stream that ends is reopened", async () => {
    const ac = new AbortController();
    const paths: string[] = [];
    const got: LiveEvent[] = [];
    const opens: boolean[] = [];
    await watchEventsOver(
      (path) => {
        paths.push(path);
        const body =
          paths.length === 1
            ? 'event: run\ndata: {"runId":"r","workflow":"w","state":"running","at":"T"}\n\n'
            : 'event: run\ndata: {"runId":"r","workflow":"w","state":"succeeded","at":"T"}\n\n';
        return Promise.resolve(stream(body));
      },
      { run: "r", workflow: "w" },
      {
        onEvent: (e) => {
          got.push(e);
          if (got.length === 2) ac.abort();
        },
        onOpen: (again) => opens.push(again),
      },
      ac.signal,
    );
    expect(paths[0]).toBe("/events?run=r&workflow=w");
    expect(got.map((e) => e.state)).toEqual(["running", "succeeded"]);
    expect(opens).toEqual([false, true]);
  }, 10_000);

  test("a followed log stops after its end event and is not reopened", async () => {
    let opens = 0;
    const got: LogStreamEvent[] = [];
    await followLogOver(
      (path) => {
        opens++;
        expect(path).toBe("/runs/r%201/tasks/t/log?follow=1");
        return Promise.resolve(
          stream(
            'event: attempt\ndata: {"attempt":1}\n\nevent: log\ndata: {"attempt":1,"text":"a\\n"}\n\nevent: end\ndata: {"state":"succeeded","attempt":1}\n\n',
          ),
        );
      },
      "r 1",
      "t",
      { onEvent: (e) => got.push(e) },
      new AbortController().signal,
    );
    expect(opens).toBe(1);
    expect(got.map((e) => e.kind)).toEqual(["attempt", "log", "end"]);
  });
});
