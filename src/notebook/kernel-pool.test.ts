import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isGone } from "../proc/process-tree.js";
import type { KernelClient } from "./kernel-client.js";
import { envChanges, KernelPool, pythonSetup, rSetup, rString } from "./kernel-pool.js";

const pool = new KernelPool({
  discovery: { env: process.env, home: homedir() },
  size: 1,
  startupTimeoutMs: 20_000,
});
const handedOut: KernelClient[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(handedOut.map((k) => k.shutdown({ timeoutMs: 1000 })));
  await pool.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Pids of live processes whose environment holds `entry` (NAME=value). */
function processesWithEnv(entry: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      if (/\) Z /.test(stat)) continue;
      if (readFileSync(`/proc/${name}/environ`, "latin1").split("\0").includes(entry)) {
        pids.push(Number(name));
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

async function text(kernel: KernelClient, code: string): Promise<{ out: string; count: unknown }> {
  let out = "";
  const { reply } = await kernel.execute(code, {
    onIopub: (m) => {
      if (m.header.msg_type === "stream") out += String(m.content.text);
    },
  });
  return { out, count: reply.execution_count };
}

describe("kernel pool", () => {
  it("renders setup code with literals only", () => {
    const changes = { set: { A: 'x"; import os #\n' }, unset: ["B"] };
    expect(pythonSetup("/tmp/a'b", changes)).toBe(
      '__import__("os").chdir("/tmp/a\'b")\n__import__("os").environ.update({"A":"x\\"; import os #\\n"})\n__import__("os").environ.pop("B", None)',
    );
    expect(rString('a"b\\c\n\u0001')).toBe('"a\\"b\\\\c\\n\\u{0001}"');
    expect(rSetup("/w", changes)).toContain('Sys.setenv("A" = "x\\"; import os #\\n")');
    expect(envChanges({ A: "1", B: "2" }, { A: "1", C: "3" })).toEqual({
      set: { C: "3" },
      unset: ["B"],
    });
  });

  it("hands out distinct fresh python kernels with the task's cwd and env", async () => {
    pool.prestart("python3");
    const work = await realpath(await mkdtemp(join(tmpdir(), "updraft-pool-")));
    dirs.push(work);
    const env: NodeJS.ProcessEnv = { ...process.env, UPDRAFT_TEST_VALUE: 'it\'s "quoted"\n$HOME' };
    delete env.HOSTNAME;
    const t0 = Date.now();
    const first = await pool.acquire("python3", { cwd: work, env });
    handedOut.push(first);
    const second = await pool.acquire("python3", { cwd: tmpdir(), env: process.env });
    handedOut.push(second);
    expect(first.pid).not.toBe(second.pid);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const seen = await text(
      first,
      "import os; print(os.getcwd()); print(repr(os.environ['UPDRAFT_TEST_VALUE'])); print('HOSTNAME' in os.environ)",
    );
    expect(seen.out).toBe(`${work}\n'it\\'s "quoted"\\n$HOME'\nFalse\n`);
    // The setup cell is invisible: the first user cell is number 1.
    expect(seen.count).toBe(1);
    expect((await text(second, "import os; print('UPDRAFT_TEST_VALUE' in os.environ)")).out).toBe(
      "False\n",
    );
  });

  it("applies cwd and env to pooled R kernels", async () => {
    const work = await realpath(await mkdtemp(join(tmpdir(), "updraft-pool-r-")));
    dirs.push(work);
    const kernel = await pool.acquire("ir", {
      cwd: work,
      env: { ...process.env, UPDRAFT_R: 'a"b' },
    });
    handedOut.push(kernel);
    const seen = await text(kernel, "cat(getwd(), Sys.getenv('UPDRAFT_R'), sep = '\\n')");
    expect(seen.out.trimEnd()).toBe(`${work}\na"b`);
    expect(seen.count).toBe(1);
  });

  it("retires kernels in the background and waits for them on close", async () => {
    const local = new KernelPool({ discovery: { env: process.env, home: homedir() }, size: 0 });
    const kernel = await local.acquire("python3", { cwd: tmpdir(), env: process.env });
    local.retire(kernel);
    expect(kernel.isAlive).toBe(false); // no more cells: it is being shut down
    await local.close();
    expect(isGone(kernel.pid)).toBe(true);
  });

  it("gives up on a kernel still starting when the task is cancelled", async () => {
    const local = new KernelPool({ discovery: { env: process.env, home: homedir() }, size: 0 });
    const controller = new AbortController();
    // A marker in the kernel's environment finds its process without knowing its pid.
    const marker = `UPDRAFT_CANCELLED_START=${process.pid}-${Date.now()}`;
    const env = { ...process.env, UPDRAFT_CANCELLED_START: marker.split("=")[1] };
    const acquiring = local.acquire("ir", { cwd: tmpdir(), env, signal: controller.signal });
    controller.abort();
    await expect(acquiring).rejects.toMatchObject({ code: "E_CANCELLED" });
    await local.close(); // waits for the kernel that was starting to be shut down
    expect(processesWithEnv(marker)).toEqual([]);
  });

  it("closes warm kernels", async () => {
    const local = new KernelPool({ discovery: { env: process.env, home: homedir() }, size: 1 });
    const kernel = await local.acquire("python3", { cwd: tmpdir(), env: process.env });
    await new Promise((r) => setTimeout(r, 1500)); // the replacement starts meanwhile
    await local.close();
    await kernel.shutdown();
    expect(isGone(kernel.pid)).toBe(true);
    await expect(local.acquire("python3", { cwd: tmpdir(), env: process.env })).rejects.toThrow(
      /closed/,
    );
  });
});
