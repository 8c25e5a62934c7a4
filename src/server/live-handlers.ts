/**
 * Live endpoints over server-sent events: the stream of run and task state changes, and
 * a task's log followed as it grows (across retries) until the task ends.
 */
import { open } from "node:fs/promises";
import { resolve } from "node:path";
import type { Engine, EngineEvent } from "../engine/engine.js";
import { isTerminal } from "../engine/states.js";
import { relativeLogPath } from "../store/artifacts.js";
import type { Store } from "../store/types.js";
import { badRequest } from "./http-errors.js";
import type { Reply } from "./reply.js";
import type { SseStream } from "./sse.js";
import { checkRunId, findTaskLog } from "./task-log.js";

/** How often a followed log is checked for new bytes. */
const LOG_POLL_MS = 250;
/** Largest piece of log sent in one event. */
const LOG_CHUNK_BYTES = 64 * 1024;

/**
 * `GET /api/v1/events[?run=ID][&workflow=NAME]`: every persisted state change as an
 * event named `run` or `task`, optionally only those of one run or one workflow.
 */
export function eventStream(engine: Engine, query: URLSearchParams): Reply {
  const run = query.get("run") ?? undefined;
  const workflow = query.get("workflow") ?? undefined;
  if (run !== undefined) checkRunId(run);
  if (workflow !== undefined && !/^[a-z][a-z0-9_-]{0,62}$/.test(workflow)) {
    throw badRequest(`not a valid workflow name: ${JSON.stringify(workflow.slice(0, 80))}`);
  }
  return {
    kind: "events",
    status: 200,
    attach: (stream) => {
      const unsubscribe = engine.subscribe((e: EngineEvent) => {
        if (run !== undefined && e.runId !== run) return;
        if (workflow !== undefined && e.workflow !== workflow) return;
        stream.send(e.kind, { ...e, at: new Date(e.at).toISOString() });
      });
      stream.onClose(unsubscribe);
    },
  };
}

/**
 * `GET .../tasks/{task}/log?follow=1`: `log` events with the text of the latest attempt
 * as it is written (`attempt` when a retry starts a new log), then `end` with the task's
 * final state.
 */
export async function followTaskLog(
  store: Store,
  dataDir: string,
  runId: string,
  taskId: string,
): Promise<Reply> {
  await findTaskLog(store, dataDir, runId, taskId); // 400/404 before the stream starts
  return {
    kind: "events",
    status: 200,
    attach: (stream) => void new LogFollower(store, dataDir, runId, taskId, stream).run(),
  };
}

class LogFollower {
  private attempt = 0;
  private offset = 0;
  private decoder = new TextDecoder("utf-8");

  constructor(
    private readonly store: Store,
    private readonly dataDir: string,
    private readonly runId: string,
    private readonly taskId: string,
    private readonly stream: SseStream,
  ) {}

  async run(): Promise<void> {
    try {
      while (!this.stream.isClosed) {
        const run = await this.store.getRun(this.runId);
        const task = run?.tasks.find((t) => t.taskId === this.taskId);
        const latest = (await this.store.listAttempts(this.runId, this.taskId)).at(-1);
        if (latest && latest.attempt !== this.attempt) {
          if (this.attempt !== 0) await this.pump(this.attempt);
          this.attempt = latest.attempt;
          this.offset = 0;
          this.decoder = new TextDecoder("utf-8");
          this.stream.send("attempt", { attempt: this.attempt });
        }
        const done = task === undefined || isTerminal(task.state);
        if (this.attempt !== 0) await this.pump(this.attempt);
        if (done) {
          this.stream.send("end", { state: task?.state ?? "unknown", attempt: this.attempt });
          this.stream.close();
          return;
        }
        await new Promise((r) => setTimeout(r, LOG_POLL_MS));
      }
    } catch (err) {
      this.stream.send("error", { message: err instanceof Error ? err.message : String(err) });
      this.stream.close();
    }
  }

  // Sends whatever the attempt's log holds past what was sent.
  private async pump(attempt: number): Promise<void> {
    const path = this.logPath(attempt);
    const file = await open(path, "r").catch(() => undefined);
    if (!file) return;
    try {
      const buf = Buffer.alloc(LOG_CHUNK_BYTES);
      for (;;) {
        const { bytesRead } = await file.read(buf, 0, buf.length, this.offset);
        if (bytesRead === 0) return;
        this.offset += bytesRead;
        // stream: true keeps a character split across reads for the next one.
        const text = this.decoder.decode(buf.subarray(0, bytesRead), { stream: true });
        if (text !== "") this.stream.send("log", { attempt, text });
        if (this.stream.isClosed) return;
      }
    } finally {
      await file.close();
    }
  }

  private logPath(attempt: number): string {
    // Ids were checked by findTaskLog; relativeLogPath checks each segment again.
    return resolve(this.dataDir, relativeLogPath(this.runId, this.taskId, attempt));
  }
}
