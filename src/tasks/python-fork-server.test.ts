import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import type { ProcessExit } from "./process.js";
import { readProcStat } from "../proc/process-tree.js";
import { PythonForkServer } from "./python-fork-server.js";
import { runProcess } from "./process.js";
import {
  cleanupTestDirs,
  isGone,
  makeTempDir,
  MemoryLog,
  TEST_PYTHON,
  waitFor,
} from "./test-context.js";

afterEach(cleanupTestDirs);

const ENV = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", LANG: "C.UTF-8", HOME: "/tmp" };
let server: PythonForkServer;
const servers: PythonForkServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function getServer(): Promise<PythonForkServer> {
  if (server === undefined || !server.usable) {
    server = await PythonForkServer.start(TEST_PYTHON, ENV);
    servers.push(server);
  }
  return server;
}

/** The promise of a task the server took. */
function started<T>(running: Promise<T> | undefined): Promise<T> {
  if (running === undefined) throw new Error("the fork server did not take the task");
  return running;
}

interface Outcome {
  exit: ProcessExit;
  log: string;
  pid: number;
}

/** Runs `code` as a script file both ways, in the same directory with the same env. */
async function both(code: string, args: string[] = []): Promise<{ fork: Outcome; spawn: Outcome }> {
  const dir = await makeTempDir();
  const script = join(dir, "job.py");
  await writeFile(script, code);
  const env = { ...ENV, UPDRAFT_MARK: "x y" };
  const one = async (mode: "fork" | "spawn"): Promise<Outcome> => {
    const log = new MemoryLog();
    let pid = 0;
    const common = {
      cwd: dir,
      env,
      log,
      signal: new AbortController().signal,
      onProcess: (p: number) => (pid = p),
    };
    const s = await getServer();
    const exit =
      mode === "fork"
        ? await started(s.run({ ...common, script, args }))
        : await runProcess({ ...common, command: TEST_PYTHON, args: ["-u", script, ...args] });
    return { exit, log: log.text(), pid };
  };
  return { fork: await one("fork"), spawn: await one("spawn") };
}

describe("python fork server behaves like a fresh interpreter", () => {
  it("has the same argv, cwd, env, sys.path[0], __main__, session and stdin", async () => {
    const { fork, spawn } = await both(
      [
        "import os, sys, signal",
        "print(sys.argv)",
        "print(os.getcwd())",
        "print(sys.path[0])",
        "print(__name__, __file__, sys.modules['__main__'].__dict__ is globals())",
        "print(type(__loader__).__name__, __spec__, __cached__, __builtins__.__name__)",
        "print(sorted(k for k in os.environ if k != '_'))",
        "print(os.environ['UPDRAFT_MARK'])",
        "print(os.getsid(0) == os.getpid(), os.getpgid(0) == os.getpid())",
        "print(repr(sys.stdin.read()))",
        "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)",
        "print(signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGPIPE))",
        "print(sys.stdout.write_through, sys.stdout.encoding, sys.orig_argv[1:])",
        "import subprocess; print(subprocess.run(['sh', '-c', 'echo $UPDRAFT_MARK'], capture_output=True, text=True).stdout.strip())",
      ].join("\n"),
      ["a b", "--c=1"],
    );
    expect(fork.log).toBe(spawn.log);
    expect(fork.exit).toEqual({ exitCode: 0, signal: null });
    expect(fork.log).toContain("'a b', '--c=1']");
  });

  it("really forks: the task's parent is the server, not this process", async () => {
    const { fork, spawn } = await both("import os; print(os.getppid())");
    expect(spawn.log).toBe(`${process.pid}\n`);
    expect(fork.log).not.toBe(spawn.log);
    expect(Number(fork.log)).toBe(readProcStat(fork.pid)?.ppid ?? Number(fork.log));
  });

  it("prints the same traceback and exits 1 on an exception", async () => {
    const { fork, spawn } = await both(
      "def f():\n    raise ValueError('bad input 42')\n\nprint('before')\nf()\n",
    );
    expect(fork.exit).toEqual({ exitCode: 1, signal: null });
    expect(fork.log).toBe(spawn.log);
    expect(fork.log).toContain("Traceback (most recent call last):");
    expect(fork.log).not.toContain("<string>");
  });

  it("reports a syntax error as python does", async () => {
    const { fork, spawn } = await both("print('x'\n");
    expect(fork.exit).toEqual(spawn.exit);
    expect(fork.log).toBe(spawn.log);
    expect(fork.log).toContain("SyntaxError");
  });

  it.each([
    ["import sys; sys.exit(3)"],
    ["import sys; sys.exit('fatal: no data')"],
    ["import sys; sys.exit(None)"],
    ["import os; os._exit(7)"],
    ["raise KeyboardInterrupt"],
    ["import os, signal; os.kill(os.getpid(), signal.SIGKILL)"],
    ["import atexit; atexit.register(print, 'atexit ran'); print('main done')"],
    [
      "import threading, time\n" +
        "def late():\n    time.sleep(0.1)\n    print('thread done')\n" +
        "threading.Thread(target=late).start()\nprint('main done')\n",
    ],
    ["import sys\nsys.excepthook = lambda *a: print('custom hook', a[0].__name__)\n1/0\n"],
    ["# -*- coding: latin-1 -*-\nprint('caf\\xe9')\n"],
  ])("matches on %j", async (code) => {
    const { fork, spawn } = await both(code);
    expect(fork.exit).toEqual(spawn.exit);
    expect(fork.log).toBe(spawn.log);
  });

  it("gives every task its own random state", async () => {
    const code = "import random; print(random.random())";
    const a = await both(code);
    const b = await both(code);
    expect(a.fork.log).not.toBe(b.fork.log);
  });
});

describe("python fork server", () => {
  it("stops a task's tree on abort, SIGINT first", async () => {
    const s = await getServer();
    const dir = await makeTempDir();
    const script = join(dir, "job.py");
    await writeFile(
      script,
      [
        "import subprocess, time, signal",
        "signal.signal(signal.SIGINT, lambda *a: print('got INT', flush=True))",
        "signal.signal(signal.SIGTERM, lambda *a: print('got TERM', flush=True))",
        "p = subprocess.Popen(['sleep', '100'])",
        "print('child', p.pid, flush=True)",
        "while True: time.sleep(0.01)",
      ].join("\n"),
    );
    const log = new MemoryLog();
    const controller = new AbortController();
    let pid = 0;
    const running = s.run({
      script,
      args: [],
      cwd: dir,
      env: ENV,
      log,
      signal: controller.signal,
      onProcess: (p) => (pid = p),
      killGraceMs: 100,
    });
    await waitFor(() => log.text().includes("child "));
    const child = Number(/child (\d+)/.exec(log.text())?.[1]);
    const reason = new TaskError(ErrorCodes.TASK_TIMEOUT, "task timed out after 1s");
    const started = Date.now();
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(log.text()).toContain("got INT");
    expect(log.text()).toContain("got TERM");
    expect(isGone(pid)).toBe(true);
    expect(isGone(child)).toBe(true);
  });

  it("says so when the working directory is missing", async () => {
    const s = await getServer();
    const running = s.run({
      script: "/x.py",
      args: [],
      cwd: "/nonexistent/dir",
      env: ENV,
      log: new MemoryLog(),
      signal: new AbortController().signal,
    });
    await expect(running).rejects.toThrow("working directory /nonexistent/dir does not exist");
  });

  it("does not start with an interpreter that does not exist", async () => {
    await expect(PythonForkServer.start("/nonexistent/python3", ENV)).rejects.toThrow();
  });

  it("fails the running tasks when the server dies, and kills them", async () => {
    const s = await PythonForkServer.start(TEST_PYTHON, ENV);
    servers.push(s);
    const dir = await makeTempDir();
    const script = join(dir, "job.py");
    await writeFile(
      script,
      "import os, time\nprint('server', os.getppid(), flush=True)\ntime.sleep(100)\n",
    );
    const log = new MemoryLog();
    let pid = 0;
    const running = s.run({
      script,
      args: [],
      cwd: dir,
      env: ENV,
      log,
      signal: new AbortController().signal,
      onProcess: (p) => (pid = p),
    });
    await waitFor(() => log.text().includes("server "));
    const serverPid = Number(/server (\d+)/.exec(log.text())?.[1]);
    process.kill(serverPid, "SIGKILL");
    await expect(running).rejects.toThrow(
      /python fork server exited \(SIGKILL\) while the task ran/,
    );
    expect(isGone(pid)).toBe(true);
    expect(s.usable).toBe(false);
    expect(
      s.run({ script, args: [], cwd: dir, env: ENV, log, signal: new AbortController().signal }),
    ).toBeUndefined();
  });

  it("kills running tasks on close", async () => {
    const s = await PythonForkServer.start(TEST_PYTHON, ENV);
    const dir = await makeTempDir();
    const script = join(dir, "job.py");
    await writeFile(script, "import time\nprint('up', flush=True)\ntime.sleep(100)\n");
    const log = new MemoryLog();
    let pid = 0;
    const running = started(
      s.run({
        script,
        args: [],
        cwd: dir,
        env: ENV,
        log,
        signal: new AbortController().signal,
        onProcess: (p) => (pid = p),
      }),
    );
    await waitFor(() => log.text().includes("up"));
    const outcome = running.catch((e: unknown) => e);
    await s.close();
    expect(await outcome).toBeInstanceOf(TaskError);
    await waitFor(() => isGone(pid), 2000);
  });
});
