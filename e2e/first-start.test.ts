/**
 * The first-run experience: the server `make start` runs (bin/updraft serve --examples
 * examples) on a clean data directory prints the generated admin password once, serves
 * the web app, lists every example (paused), and runs ml-pipeline to success over the
 * API with the values it should produce. A second start keeps the account and prints no
 * password.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunView } from "../src/engine/run-view.js";
import { ROOT } from "./cli-helpers.js";
import { PYTHON, fetchJson, loginToken, spawnServe, type SpawnedServer } from "./server-helpers.js";

const data = mkdtempSync(join(tmpdir(), "updraft-first-start-"));
const work = join(data, "work");
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(data, { recursive: true, force: true });
});

// As the Makefile's `start` target runs it, on port 0; no UPDRAFT_ADMIN_PASSWORD.
async function makeStartServer(): Promise<SpawnedServer> {
  const env: NodeJS.ProcessEnv = { ...process.env, UPDRAFT_PYTHON: PYTHON };
  delete env["UPDRAFT_ADMIN_PASSWORD"];
  const server = await spawnServe(
    ["--port", "0", "--data-dir", join(data, "d"), "--examples", "examples"],
    { cwd: ROOT, env },
  );
  children.push(server.child);
  return server;
}

function exampleNames(): string[] {
  const names: string[] = [];
  for (const dir of readdirSync(join(ROOT, "examples")))
    for (const f of readdirSync(join(ROOT, "examples", dir))) {
      const m = /\.ya?ml$/.test(f)
        ? /^name:\s*(\S+)/m.exec(readFileSync(join(ROOT, "examples", dir, f), "utf8"))
        : null;
      if (m?.[1]) names.push(m[1]);
    }
  return names.sort();
}

async function stop(child: ChildProcess): Promise<void> {
  await new Promise<void>((r) => {
    child.once("exit", () => r());
    child.kill("SIGTERM");
  });
}

describe("make start on a clean data directory", () => {
  it("creates admin, loads the examples and runs ml-pipeline to the values it should produce", async () => {
    const first = await makeStartServer();
    const m = /Created the first user: admin, password (\S+)/.exec(first.stderr());
    expect(m, first.stderr()).not.toBeNull();
    const password = m?.[1] ?? "";
    expect(password.length).toBeGreaterThanOrEqual(32);
    const token = await loginToken(first.url, "admin", password);

    // The page a browser opens first is the web app (built by make setup).
    const home = await fetch(first.url);
    expect(home.status).toBe(200);
    expect(await home.text()).toMatch(/<div id="root">/);

    const list = await fetchJson<{ workflows: { name: string; paused: boolean }[] }>(
      `${first.url}/api/v1/workflows`,
      "GET",
      undefined,
      token,
    );
    expect(list.workflows.map((w) => w.name)).toEqual(exampleNames());
    expect(list.workflows.every((w) => w.paused)).toBe(true);

    let run = await fetchJson<RunView>(
      `${first.url}/api/v1/workflows/ml-pipeline/runs`,
      "POST",
      { params: { work_root: work } },
      token,
    );
    while (!["succeeded", "failed", "cancelled"].includes(run.state)) {
      await new Promise((r) => setTimeout(r, 250));
      run = await fetchJson<RunView>(`${first.url}/api/v1/runs/${run.id}`, "GET", undefined, token);
    }
    expect(run.state, JSON.stringify(run.tasks)).toBe("succeeded");
    const out = (task: string) => run.tasks[task]?.outputs ?? {};
    expect(Number(out("prepare")["n_train"]) + Number(out("prepare")["n_test"])).toBe(569);
    const accA = Number(out("train_logreg")["accuracy"]);
    const accB = Number(out("train_forest")["accuracy"]);
    expect(Math.min(accA, accB)).toBeGreaterThan(0.85);
    expect(out("evaluate")["best_accuracy"]).toBe(Math.max(accA, accB));
    if (accA !== accB)
      expect(out("evaluate")["best_model"]).toBe(accA > accB ? "logreg" : "forest");
    expect(out("good_enough")).toEqual({ result: true });
    expect(run.tasks["report"]?.state).toBe("succeeded");
    const nb = await fetch(`${first.url}/api/v1/runs/${run.id}/tasks/evaluate/notebook`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(nb.status).toBe(200);
    await stop(first.child);

    // The second start: same account, no new password printed, the run is still there.
    const second = await makeStartServer();
    expect(second.stderr()).not.toContain("Created the first user");
    const again = await loginToken(second.url, "admin", password);
    const kept = await fetchJson<RunView>(
      `${second.url}/api/v1/runs/${run.id}`,
      "GET",
      undefined,
      again,
    );
    expect(kept.state).toBe("succeeded");
    await stop(second.child);
  }, 240_000);
});
