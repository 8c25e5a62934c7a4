import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskError, UpdraftError } from "../spec/errors.js";
import { isGone } from "../proc/process-tree.js";
import { waitFor } from "../proc/wait-for.js";
import { KernelClient } from "./kernel-client.js";
import { getKernelSpec, readKernelSpec, type KernelSpec } from "./kernelspec.js";
import type { JupyterMessage } from "./wire.js";

const discovery = { env: process.env, home: homedir() };
const startOpts = { cwd: tmpdir(), env: process.env, startupTimeoutMs: 20_000 };
const dirs: string[] = [];
const started: KernelClient[] = [];

async function start(
  spec: KernelSpec,
  opts: Partial<typeof startOpts> & { onWarning?: (w: string) => void } = {},
): Promise<KernelClient> {
  const client = await KernelClient.start(spec, { ...startOpts, ...opts });
  started.push(client);
  return client;
}

/** Runs `code`, returning the reply and the iopub messages other than status/execute_input. */
async function run(
  client: KernelClient,
  code: string,
  extra: { timeoutMs?: number; signal?: AbortSignal; stopOnError?: boolean } = {},
) {
  const outputs: JupyterMessage[] = [];
  const { reply } = await client.execute(code, {
    ...extra,
    onIopub: (m) => {
      if (m.header.msg_type !== "status" && m.header.msg_type !== "execute_input") outputs.push(m);
    },
  });
  return { reply, outputs };
}

/** A kernelspec in a temp dir with the given argv. */
async function tempSpec(name: string, argv: string[], language = "fake"): Promise<KernelSpec> {
  const root = await mkdtemp(join(tmpdir(), "updraft-kclient-"));
  dirs.push(root);
  const dir = join(root, name);
  await mkdir(dir);
  await writeFile(join(dir, "kernel.json"), JSON.stringify({ argv, display_name: name, language }));
  const spec = readKernelSpec(dir, name);
  if (typeof spec === "string") throw new Error(spec);
  return spec;
}

afterAll(async () => {
  await Promise.all(started.map((c) => c.shutdown({ timeoutMs: 1000 })));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("python kernel", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await start(getKernelSpec("python3", discovery));
  });

  it("reports kernel_info and executes with results, streams, displays and errors", async () => {
    expect(kernel.kernelInfo.language_info?.name).toBe("python");
    expect(kernel.isAlive).toBe(true);

    const sum = await run(kernel, "1+1");
    expect(sum.reply).toMatchObject({ status: "ok", execution_count: 1 });
    expect(sum.outputs.map((m) => [m.header.msg_type, m.content.data])).toEqual([
      ["execute_result", { "text/plain": "2" }],
    ]);

    const printed = await run(kernel, "print('hello')");
    expect(printed.reply.execution_count).toBe(2);
    expect(printed.outputs.map((m) => m.content)).toEqual([{ name: "stdout", text: "hello\n" }]);

    const shown = await run(
      kernel,
      "from IPython.display import display, HTML\ndisplay(HTML('<b>x</b>'))",
    );
    expect(shown.outputs[0]?.header.msg_type).toBe("display_data");
    expect(shown.outputs[0]?.content.data).toMatchObject({ "text/html": "<b>x</b>" });

    // Without stop_on_error: else ipykernel may abort the request that follows at once.
    const failed = await run(kernel, "raise ValueError('bad value')", { stopOnError: false });
    expect(failed.reply).toMatchObject({
      status: "error",
      ename: "ValueError",
      evalue: "bad value",
      execution_count: 4,
    });
    expect(failed.outputs[0]?.header.msg_type).toBe("error");
    expect(failed.outputs[0]?.content.traceback).toEqual(
      expect.arrayContaining([expect.stringContaining("ValueError")]),
    );

    const expr = await kernel.execute("x = 21", {
      onIopub: () => undefined,
      userExpressions: { y: "x * 2" },
      silent: true,
    });
    expect(expr.reply.user_expressions?.y).toMatchObject({
      status: "ok",
      data: { "text/plain": "42" },
    });
  });

  it("interrupts a cell on timeout and stays usable", async () => {
    const t0 = Date.now();
    const outputs: string[] = [];
    const error = await kernel
      .execute("import time\nprint('before', flush=True)\ntime.sleep(30)", {
        timeoutMs: 500,
        onIopub: (m) =>
          outputs.push(
            m.header.msg_type === "error" ? `error:${String(m.content.ename)}` : m.header.msg_type,
          ),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).code).toBe("E_TASK_TIMEOUT");
    expect((error as TaskError).message).toMatch(/timed out after 0.5 s/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(outputs).toContain("stream");
    expect(outputs).toContain("error:KeyboardInterrupt");
    expect((await run(kernel, "'still here'")).reply.status).toBe("ok");
  });

  it("interrupts on abort and rejects with the abort reason", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const error = await run(kernel, "import time; time.sleep(30)", {
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "E_CANCELLED" });
    const reason = new TaskError("E_TASK_TIMEOUT", "task timed out after 1 s");
    const c2 = new AbortController();
    c2.abort(reason);
    await expect(run(kernel, "1")).resolves.toBeDefined();
    await expect(run(kernel, "1", { signal: c2.signal })).rejects.toBe(reason);
  });
});

describe("kernel lifecycle", () => {
  it("fails fast with E_KERNEL when the kernel dies mid-cell, and shutdown leaves nothing", async () => {
    const kernel = await start(getKernelSpec("python3", discovery));
    const pid = kernel.pid;
    const t0 = Date.now();
    const error = await run(
      kernel,
      "import os, subprocess\nsubprocess.Popen(['sleep', '60'])\nprint('dying', flush=True)\nos.kill(os.getpid(), 9)",
      {
        timeoutMs: 20_000,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpdraftError);
    expect((error as UpdraftError).code).toBe("E_KERNEL");
    expect((error as UpdraftError).message).toMatch(
      /the kernel died while running this cell \(signal SIGKILL\)/,
    );
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(kernel.isAlive).toBe(false);
    await expect(run(kernel, "1")).rejects.toThrow(/is not running/);
    await kernel.shutdown();
    expect(isGone(pid)).toBe(true);
  });

  it("shuts down cleanly, killing what the kernel started", async () => {
    const kernel = await start(getKernelSpec("python3", discovery));
    const { outputs } = await run(
      kernel,
      "import subprocess\np = subprocess.Popen(['sleep', '60'])\nprint(p.pid)",
    );
    const child = Number(outputs[0]?.content.text);
    expect(isGone(child)).toBe(false);
    await kernel.shutdown({ timeoutMs: 2000 });
    expect(isGone(kernel.pid)).toBe(true);
    await waitFor(() => isGone(child), 2000);
    expect(kernel.isAlive).toBe(false);
  });

  it("runs an R kernel", async () => {
    const kernel = await start(getKernelSpec("ir", discovery));
    expect(kernel.kernelInfo.language_info?.name).toBe("R");
    const { reply, outputs } = await run(kernel, "x <- 40 + 2\ncat('x is', x, '\\n')\nx");
    expect(reply).toMatchObject({ status: "ok", execution_count: 1 });
    expect(outputs[0]?.content).toEqual({ name: "stdout", text: "x is 42 \n" });
    expect(outputs[1]?.content.data).toMatchObject({ "text/plain": "[1] 42" });
    const failed = await run(kernel, "stop('boom')");
    expect(failed.reply.status).toBe("error");
    await kernel.shutdown();
    expect(isGone(kernel.pid)).toBe(true);
  });

  it("reports a kernel that never becomes ready and leaves nothing running", async () => {
    const spec = await tempSpec("sleepy", ["sleep", "61.25"]);
    const t0 = Date.now();
    const error = await KernelClient.start(spec, { ...startOpts, startupTimeoutMs: 800 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "E_KERNEL" });
    expect((error as Error).message).toMatch(/kernel 'sleepy' did not become ready within 0.8 s/);
    expect(Date.now() - t0).toBeLessThan(5000);
    const { execFileSync } = await import("node:child_process");
    const leftovers = execFileSync("ps", ["-eo", "pid,stat,args"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => /sleep 61\.25$/.test(l) && !/ Z/.test(l));
    expect(leftovers).toEqual([]);
  });

  it("reports a missing executable and a kernel that exits at start", async () => {
    const missing = await tempSpec("missing", ["/nonexistent/python9", "-f", "{connection_file}"]);
    await expect(KernelClient.start(missing, startOpts)).rejects.toThrow(
      /executable `\/nonexistent\/python9` not found \(kernelspec .*missing\/kernel.json\)/,
    );
    const crashing = await tempSpec("crash", [
      "/usr/bin/python3",
      "-c",
      "import sys; sys.stderr.write('no such module: foo\\n'); sys.exit(3)",
    ]);
    await expect(KernelClient.start(crashing, startOpts)).rejects.toThrow(
      /kernel 'crash' exited during startup \(exit code 3\); its last output:\nno such module: foo/,
    );
  });
});

/** A kernel that speaks the protocol but also sends hostile frames on iopub. */
const FAKE_KERNEL = String.raw`
import hashlib, hmac, json, sys, uuid, zmq
cfg = json.load(open(sys.argv[1]))
key = cfg["key"].encode()
ctx = zmq.Context()
def bind(kind, port):
    s = ctx.socket(kind); s.bind("tcp://%s:%d" % (cfg["ip"], port)); return s
shell, control = bind(zmq.ROUTER, cfg["shell_port"]), bind(zmq.ROUTER, cfg["control_port"])
iopub, hb = bind(zmq.PUB, cfg["iopub_port"]), bind(zmq.REP, cfg["hb_port"])
stdin = bind(zmq.ROUTER, cfg["stdin_port"])
def sign(parts):
    h = hmac.new(key, digestmod=hashlib.sha256)
    for p in parts: h.update(p)
    return h.hexdigest().encode()
def frames(kind, content, parent, raw=None):
    header = {"msg_id": uuid.uuid4().hex, "session": "fake", "username": "f", "date": "2024-01-01T00:00:00Z", "msg_type": kind, "version": "5.3"}
    parts = raw or [json.dumps(x).encode() for x in (header, parent, {}, content)]
    return parts
def send(sock, ids, kind, content, parent, forge=False, raw=None):
    parts = frames(kind, content, parent, raw)
    sock.send_multipart(ids + [b"<IDS|MSG>", b"0" * 64 if forge else sign(parts)] + parts)
poller = zmq.Poller()
for s in (shell, control, hb): poller.register(s, zmq.POLLIN)
while True:
    for sock, _ in poller.poll():
        if sock is hb:
            hb.send(hb.recv()); continue
        msg = sock.recv_multipart()
        i = msg.index(b"<IDS|MSG>")
        ids, header = msg[:i], json.loads(msg[i + 2])
        kind = header["msg_type"]
        if kind == "shutdown_request":
            send(sock, ids, "shutdown_reply", {"status": "ok", "restart": False}, header); sys.exit(0)
        send(iopub, [], "status", {"execution_state": "busy"}, header)
        if kind == "execute_request":
            iopub.send_multipart([b"garbage"])
            iopub.send_multipart([b"<IDS|MSG>", b"sig"])
            send(iopub, [], "stream", {"name": "stdout", "text": "forged\n"}, header, forge=True)
            bad = [json.dumps({"msg_id": "x", "msg_type": "stream"}).encode(), json.dumps(header).encode(), b"{}", b"{not json"]
            iopub.send_multipart([b"<IDS|MSG>", sign(bad)] + bad)
            iopub.send_multipart([b"<IDS|MSG>", b"0" * 64, b"{" * (20 * 1024 * 1024), b"{}", b"{}", b"{}"])
            send(iopub, [], "stream", {"name": "stdout", "text": "genuine\n"}, header)
            send(sock, ids, "execute_reply", {"status": "ok", "execution_count": 1}, header)
        else:
            send(sock, ids, kind.replace("_request", "_reply"), {"status": "ok", "protocol_version": "5.3", "language_info": {"name": "fake"}}, header)
        send(iopub, [], "status", {"execution_state": "idle"}, header)
`;

describe("protocol robustness", () => {
  it("drops and reports messages with bad signatures, bad JSON, no delimiter or absurd size", async () => {
    const root = await mkdtemp(join(tmpdir(), "updraft-fake-"));
    dirs.push(root);
    const script = join(root, "fake_kernel.py");
    await writeFile(script, FAKE_KERNEL);
    const spec = await tempSpec("fake", ["/usr/bin/python3", script, "{connection_file}"]);
    const warnings: string[] = [];
    const kernel = await start(spec, { onWarning: (w) => warnings.push(w) });
    expect(kernel.kernelInfo.language_info?.name).toBe("fake");
    const { reply, outputs } = await run(kernel, "anything");
    expect(reply.status).toBe("ok");
    expect(outputs.map((m) => m.content.text)).toEqual(["genuine\n"]);
    expect(warnings.join("\n")).toMatch(/no <IDS\|MSG> delimiter/);
    expect(warnings.join("\n")).toMatch(/expected 5 frames/);
    expect(warnings.join("\n")).toMatch(/bad message signature/);
    expect(warnings.join("\n")).toMatch(/not valid JSON/);
    await kernel.shutdown();
    expect(isGone(kernel.pid)).toBe(true);
  });
});
