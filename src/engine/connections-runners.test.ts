import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { code, notebookOf } from "../notebook/test-notebooks.js";
import { serializeNotebook } from "../notebook/nbformat.js";
import { ConnectionVault } from "../secrets/connection-vault.js";
import { generateSecretKey } from "../secrets/key-rotation.js";
import { secretVariants } from "../secrets/secret-variants.js";
import { SqliteConnectionStore } from "../secrets/sqlite-connection-store.js";
import { parseWorkflowText } from "../spec/parse.js";
import { SqliteStore } from "../store/sqlite-store.js";
import type { RunWithTasks } from "../store/types.js";
import { createRunnerRegistry } from "../tasks/registry.js";
import { TEST_PYTHON } from "../tasks/test-context.js";
import { Engine } from "./engine.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** An engine with notebook support whose resolver is a real vault holding `api` (secret `token`). */
async function setup(token: string) {
  const dir = mkdtempSync(join(tmpdir(), "updraft-conn-runners-"));
  const store = SqliteStore.open(join(dir, "updraft.db"));
  const connections = SqliteConnectionStore.open(join(dir, "updraft.db"));
  const vault = new ConnectionVault(connections, generateSecretKey());
  await vault.save({
    name: "api",
    type: "http",
    fields: { url: "https://api.internal", token },
    secretFields: ["token"],
  });
  const env = { ...process.env, PATH: process.env["PATH"] ?? "/usr/bin:/bin" };
  const runners = createRunnerRegistry({
    python: TEST_PYTHON,
    killGraceMs: 200,
    kernels: { env, home: homedir() },
    kernelPoolSize: 0,
  });
  const engine = new Engine({ store, runners, dataDir: dir, baseEnv: env, connections: vault });
  cleanups.push(async () => {
    await engine.shutdown();
    await runners.close?.();
    await connections.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = async (yaml: string): Promise<RunWithTasks> => {
    const handle = await engine.startRun({
      workflow: parseWorkflowText(yaml),
      version: 1,
      params: {},
      baseDir: dir,
    });
    return handle.finished;
  };
  return { dir, store, run };
}

function expectNoSecret(text: string, secret: string): void {
  for (const variant of secretVariants(secret)) expect(text).not.toContain(variant);
}

describe("connections in notebook and job tasks", () => {
  it("masks a notebook's log, its executed .ipynb and its error", async () => {
    const token = `tok-${randomBytes(12).toString("base64url")}`;
    const { dir, store, run } = await setup(token);
    const nb = notebookOf("python3", [
      code(
        [
          "import os, sys, time",
          'tok = os.environ["UPDRAFT_CONN_API_TOKEN"]',
          'print("token:", tok)',
          "for i in range(0, len(tok), 4):",
          "    sys.stdout.write(tok[i:i + 4]); sys.stdout.flush(); time.sleep(0.02)",
          "print()",
        ].join("\n"),
      ),
      code('raise ValueError("rejected token " + tok)'),
    ]);
    writeFileSync(join(dir, "use.ipynb"), serializeNotebook(nb));
    const r = await run(`
name: conn-notebook
tasks:
  nb: { type: notebook, notebook: use.ipynb, connections: [api] }
`);
    const t = r.tasks[0]!;
    expect(t.state).toBe("failed");
    expect(t.error?.message).toMatch(/raised ValueError: rejected token \*\*\*/);
    expectNoSecret(JSON.stringify(t.error), token);
    const attempt = (await store.listAttempts(r.id, "nb"))[0]!;
    const log = readFileSync(join(dir, attempt.logPath!), "utf8");
    expect(log).toContain("token: ***\n");
    expectNoSecret(log, token);
    const executed = readFileSync(join(dir, "runs", r.id, "nb", "1", "output.ipynb"), "utf8");
    expect(JSON.parse(executed)).toBeTypeOf("object");
    expect(executed).toContain("token: ***");
    expect(executed).toContain("rejected token ***");
    expectNoSecret(executed, token);
  }, 60_000);

  it("masks the attempt log and each replica's own log of a local job", async () => {
    const token = `tok-${randomBytes(12).toString("base64url")}`;
    const { dir, store, run } = await setup(token);
    writeFileSync(
      join(dir, "job.py"),
      [
        "import os, sys, time",
        'tok = os.environ["UPDRAFT_CONN_API_TOKEN"]',
        'rank = os.environ["RANK"]',
        'print(f"rank {rank} token {tok}", flush=True)',
        "for i in range(0, len(tok), 5):",
        "    sys.stdout.write(tok[i:i + 5]); sys.stdout.flush(); time.sleep(0.02)",
        "print(flush=True)",
        'with open(os.environ["UPDRAFT_OUTPUTS"], "a") as f: f.write(f"seen={tok}\\n")',
      ].join("\n"),
    );
    const r = await run(`
name: conn-job
tasks:
  train: { type: torch, script: job.py, replicas: 2, connections: [api], outputs: [seen] }
`);
    expect(r.tasks[0]?.state).toBe("succeeded");
    const attemptDir = join(dir, "runs", r.id, "train", "1");
    const log = readFileSync(
      join(dir, (await store.listAttempts(r.id, "train"))[0]!.logPath!),
      "utf8",
    );
    expect(log).toContain("[rank0] rank 0 token ***\n");
    expect(log).toContain("[rank1] rank 1 token ***\n");
    expectNoSecret(log, token);
    for (const rank of ["rank0", "rank1"]) {
      const own = readFileSync(join(attemptDir, "replicas", `${rank}.log`), "utf8");
      expect(own).toContain(`rank ${rank.slice(4)} token ***\n***\n`);
      expectNoSecret(own, token);
    }
    // The chief writes the task's outputs file, every other replica its own.
    for (const file of ["outputs.txt", "replicas/rank1.outputs.txt"]) {
      const outputs = readFileSync(join(attemptDir, file), "utf8");
      expect(outputs).toBe("seen=***\n");
    }
    expect(r.tasks[0]?.outputs).toEqual({ seen: "***" });
  }, 60_000);
});
