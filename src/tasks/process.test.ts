import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import { exitFailure, runProcess, type RunProcessOptions } from "./process.js";
import { cleanupTestDirs, isGone, makeTempDir, MemoryLog, waitFor } from "./test-context.js";

afterEach(cleanupTestDirs);

const GRACE = 150;

async function run(script: string, extra: Partial<RunProcessOptions> = {}) {
  const dir = await makeTempDir();
  const log = new MemoryLog();
  const controller = new AbortController();
  const pids: number[] = [];
  const promise = runProcess({
    command: "/bin/sh",
    args: ["-c", script],
    cwd: dir,
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" },
    log,
    signal: controller.signal,
    onProcess: (pid) => pids.push(pid),
    killGraceMs: GRACE,
    ...extra,
  });
  return { dir, log, controller, pids, promise };
}

/** Pids printed by the script as `label <pid>` lines. */
function pidOf(log: MemoryLog, label: string): number | undefined {
  const m = new RegExp(`${label} (\\d+)`).exec(log.text());
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

describe("runProcess", () => {
  it("streams stdout and stderr to the log and reports exit code 0", async () => {
    const { log, promise, pids } = await run("echo out; echo err >&2; echo more");
    await expect(promise).resolves.toEqual({ exitCode: 0, signal: null });
    expect(log.text()).toContain("out\n");
    expect(log.text()).toContain("err\n");
    expect(log.text()).toContain("more\n");
    expect(pids).toHaveLength(1);
  });

  it("reports a non-zero exit code without throwing", async () => {
    const { promise } = await run("exit 3");
    await expect(promise).resolves.toEqual({ exitCode: 3, signal: null });
  });

  it("reports death by signal", async () => {
    const { promise } = await run("kill -SEGV $$");
    await expect(promise).resolves.toEqual({ exitCode: null, signal: "SIGSEGV" });
  });

  it("runs in its own process group, with stdin closed, in cwd", async () => {
    const { log, promise, pids, dir } = await run(
      "ps_pgid=$(cut -d' ' -f5 /proc/$$/stat); echo pgid $ps_pgid; pwd; cat; echo stdin-done",
    );
    await promise;
    expect(pidOf(log, "pgid")).toBe(pids[0]);
    expect(log.text()).toContain(`${dir}\n`);
    expect(log.text()).toContain("stdin-done");
  });

  it("turns a missing command into a TaskError with the configured message", async () => {
    const { promise } = await run("", {
      command: "/nonexistent/python",
      args: [],
      notFoundMessage: "python interpreter /nonexistent/python not found; set UPDRAFT_PYTHON",
    });
    const err = await promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect((err as TaskError).code).toBe(ErrorCodes.TASK_FAILED);
    expect((err as TaskError).message).toBe(
      "python interpreter /nonexistent/python not found; set UPDRAFT_PYTHON",
    );
  });

  it("says so when the working directory is missing", async () => {
    const { promise } = await run("true", { cwd: "/nonexistent/dir" });
    await expect(promise).rejects.toThrow("working directory /nonexistent/dir does not exist");
  });

  it("rejects at once when already aborted, without starting anything", async () => {
    const controller = new AbortController();
    controller.abort(new TaskError(ErrorCodes.TASK_TIMEOUT, "task timed out after 1s"));
    const pids: number[] = [];
    await expect(
      runProcess({
        command: "/bin/true",
        args: [],
        cwd: "/",
        env: {},
        log: new MemoryLog(),
        signal: controller.signal,
        onProcess: (p) => pids.push(p),
      }),
    ).rejects.toMatchObject({ code: ErrorCodes.TASK_TIMEOUT });
    expect(pids).toEqual([]);
  });

  it("kills what the task left running in the background when it exits", async () => {
    const { log, promise } = await run("sleep 100 & echo bg $!");
    const started = Date.now();
    await expect(promise).resolves.toEqual({ exitCode: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(900);
    const bg = pidOf(log, "bg");
    expect(bg).toBeDefined();
    await waitFor(() => isGone(bg ?? 0), 2000);
  });

  it("does not hang on an escaped process that keeps the output open, and kills it", async () => {
    const { log, promise } = await run(
      "setsid sh -c 'echo escaped $$; exec sleep 100' & sleep 0.2",
    );
    await expect(promise).resolves.toEqual({ exitCode: 0, signal: null });
    const escaped = pidOf(log, "escaped");
    expect(escaped).toBeDefined();
    await waitFor(() => isGone(escaped ?? 0), 2000);
  });
});

describe("runProcess abort", () => {
  it("stops a plain process with SIGINT and rejects with the abort reason", async () => {
    const { controller, promise, pids } = await run("exec sleep 100");
    await waitFor(() => pids.length === 1);
    const reason = new TaskError(ErrorCodes.CANCELLED, "run cancelled by admin");
    const started = Date.now();
    controller.abort(reason);
    await expect(promise).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(GRACE);
    expect(isGone(pids[0] ?? 0)).toBe(true);
  });

  it("wraps a non-TaskError abort reason into E_CANCELLED", async () => {
    const { controller, promise, pids } = await run("exec sleep 100");
    await waitFor(() => pids.length === 1);
    controller.abort();
    await expect(promise).rejects.toMatchObject({ code: ErrorCodes.CANCELLED });
  });

  it("escalates to SIGKILL for a shell that traps SIGINT and SIGTERM, and kills its children", async () => {
    const { controller, promise, log } = await run(
      `trap 'echo got INT' INT; trap 'echo got TERM' TERM
       sleep 100 & echo grandchild $!
       echo ready
       while :; do sleep 0.02; done`,
    );
    await waitFor(() => log.text().includes("ready"));
    const grandchild = pidOf(log, "grandchild");
    expect(grandchild).toBeDefined();
    const started = Date.now();
    controller.abort(new TaskError(ErrorCodes.TASK_TIMEOUT, "task timed out after 1s"));
    await expect(promise).rejects.toMatchObject({ code: ErrorCodes.TASK_TIMEOUT });
    const elapsed = Date.now() - started;
    // SIGINT, GRACE, SIGTERM, GRACE, SIGKILL.
    expect(elapsed).toBeGreaterThanOrEqual(2 * GRACE - 20);
    expect(elapsed).toBeLessThan(2 * GRACE + 2000);
    expect(log.text()).toContain("got INT");
    expect(log.text()).toContain("got TERM");
    expect(isGone(grandchild ?? 0)).toBe(true);
  });

  it("kills a descendant that called setsid to run away", async () => {
    const { controller, promise, log, dir } = await run(
      `setsid sh -c 'echo $$ > runaway.pid; exec sleep 100' >/dev/null 2>&1 &
       while [ ! -s runaway.pid ]; do sleep 0.01; done
       echo ready
       wait`,
    );
    await waitFor(() => log.text().includes("ready"));
    const runaway = Number(await readFile(join(dir, "runaway.pid"), "utf8"));
    expect(runaway).toBeGreaterThan(0);
    expect(isGone(runaway)).toBe(false);
    controller.abort();
    await expect(promise).rejects.toMatchObject({ code: ErrorCodes.CANCELLED });
    expect(isGone(runaway)).toBe(true);
  });

  it("kills an escaped process whose parent already exited if it holds the output", async () => {
    const { controller, promise, log } = await run(
      `(setsid sh -c 'echo orphan $$; exec sleep 100' &)
       echo ready
       exec sleep 100`,
    );
    await waitFor(() => log.text().includes("ready") && log.text().includes("orphan"));
    const orphan = pidOf(log, "orphan");
    controller.abort();
    await expect(promise).rejects.toMatchObject({ code: ErrorCodes.CANCELLED });
    await waitFor(() => isGone(orphan ?? 0), 2000);
  });
});

describe("exitFailure", () => {
  it("describes exit codes and signals", () => {
    expect(exitFailure("command", { exitCode: 0, signal: null })).toBeUndefined();
    expect(exitFailure("command", { exitCode: 3, signal: null })?.message).toBe(
      "command exited with code 3; see the log",
    );
    expect(exitFailure("command", { exitCode: 127, signal: null })?.message).toContain(
      "(command not found)",
    );
    expect(exitFailure("command", { exitCode: null, signal: "SIGTERM" })?.message).toBe(
      "command was killed by signal SIGTERM; see the log",
    );
  });
});
