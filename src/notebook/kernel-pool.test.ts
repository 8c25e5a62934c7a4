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
