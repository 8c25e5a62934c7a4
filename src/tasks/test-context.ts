/**
 * Test helpers (imported only by tests): a TaskContext backed by real temp directories
 * and a log that collects into memory, and checks that a process is gone.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { TaskError } from "../spec/errors.js";
import type { JsonValue, Task } from "../spec/types.js";
import { isGone } from "../proc/process-tree.js";
import { waitFor } from "../proc/wait-for.js";

export { isGone, waitFor };
import type { LogSink, TaskContext } from "./types.js";

/** Python for tests: `$UPDRAFT_PYTHON`, else Debian's python3 (the one on PATH may be bare). */
export const TEST_PYTHON = process.env["UPDRAFT_PYTHON"] ?? "/usr/bin/python3";

/** A log that keeps everything written to it. */
export class MemoryLog implements LogSink {
  private readonly chunks: Buffer[] = [];
  /** Appends a chunk. */
  write(chunk: string | Uint8Array): void {
    this.chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  /** Everything written so far, as UTF-8 text. */
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/** A TaskContext plus what a test needs to drive and inspect it. */
export interface TestContext extends TaskContext {
  log: MemoryLog;
  controller: AbortController;
  /** Pids reported through onProcess. */
  pids: number[];
}

/** A task given by its type-specific fields; the common fields get empty defaults. */
export type TestTask = Partial<Task> & { type: Task["type"]; [field: string]: unknown };

const dirs: string[] = [];

/** Creates a fresh temp directory, removed by {@link cleanupTestDirs}. */
export async function makeTempDir(prefix = "updraft-tasks-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Removes every directory made by this module (call in afterEach). */
export async function cleanupTestDirs(): Promise<void> {
  const all = dirs.splice(0);
  await Promise.all(all.map((d) => rm(d, { recursive: true, force: true })));
}

/** Builds a context for one attempt of `task` in a fresh temp directory. */
export async function makeTestContext(
  task: TestTask,
  opts: { params?: { [k: string]: JsonValue }; baseDir?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<TestContext> {
  const root = await makeTempDir();
  const params = opts.params ?? task.params ?? {};
  const full = { needs: [], outputs: [], args: [], ...task, params } as unknown as Task;
  const controller = new AbortController();
  const pids: number[] = [];
  return {
    runId: "run-1",
    taskId: "t1",
    attempt: 1,
    workflow: "wf",
    task: full,
    params,
    baseDir: opts.baseDir ?? root,
    attemptDir: join(root, "runs", "run-1", "t1", "1"),
    env: opts.env ?? {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: process.env["HOME"] ?? "/tmp",
      LANG: "C.UTF-8",
    },
    log: new MemoryLog(),
    signal: controller.signal,
    controller,
    pids,
    onProcess: (pid) => pids.push(pid),
  };
}

/** The TaskError a promise rejects with; the test fails if it resolves or rejects otherwise. */
export async function failureOf(p: Promise<unknown>): Promise<TaskError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TaskError);
  return err as TaskError;
}
