/**
 * Crash safety of `updraft serve`: the real server process is killed with SIGKILL while
 * a task runs and while a run waits behind it, then started again on the same data
 * directory. Nothing is lost, the orphaned task process is stopped before the attempt
 * is retried (never two at once), and the runs finish.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunView } from "../src/engine/run-view.js";
import { isGone, waitFor } from "../src/tasks/test-context.js";
import {
  fetchJson,
  loginToken,
  PYTHON,
  spawnServe,
  TEST_ADMIN_PASSWORD,
  type SpawnedServer,
} from "./server-helpers.js";

const work = mkdtempSync(join(tmpdir(), "updraft-crash-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

const catalog = join(work, "workflows");
mkdirSync(catalog);
writeFileSync(
  join(catalog, "crashy.yaml"),
  `
name: crashy
maxActiveRuns: 1
tasks:
  long:
    type: shell
    retries: 1
    retryDelay: 1ms
    # While the file "hang" exists, a first attempt records its pid and hangs; attempt 2
    # checks that attempt 1's process is gone (no overlap) and finishes.
    command: |
      if [ "$UPDRAFT_ATTEMPT" = 1 ] && [ -f hang ]; then echo $$ > "pid-$UPDRAFT_RUN_ID"; exec sleep 300; fi
      # A zombie (state Z, not yet reaped by init) is dead: only a live process overlaps.
      state=""
      if [ -f "pid-$UPDRAFT_RUN_ID" ]; then state=$(cut -d' ' -f3 "/proc/$(cat "pid-$UPDRAFT_RUN_ID")/stat" 2>/dev/null || true); fi
      if [ -n "$state" ] && [ "$state" != Z ]; then echo "overlap=$state" >> "$UPDRAFT_OUTPUTS"; fi
      echo "n=7" >> "$UPDRAFT_OUTPUTS"
    outputs: [n]
  after:
    type: shell
    needs: [long]
    params: { n: "{{ tasks.long.outputs.n }}" }
    command: 'echo "double=$((UPDRAFT_PARAM_N * 2))" >> "$UPDRAFT_OUTPUTS"'
    outputs: [double]
`,
);
writeFileSync(join(catalog, "hang"), "");
writeFileSync(
  join(catalog, "steps.yaml"),
  `
name: steps
tasks:
${[0, 1, 2, 3, 4, 5]
  .map(
    (i) => `  s${i}:
    type: shell
    retries: 3
    retryDelay: 300ms
    ${i > 0 ? `needs: [s${i - 1}]\n    params: { prev: "{{ tasks.s${i - 1}.outputs.v }}" }` : ""}
    command: 'echo "$UPDRAFT_TASK_ID $UPDRAFT_ATTEMPT" >> starts.log; sleep 0.25; echo "v=$(( \${UPDRAFT_PARAM_PREV:-0} + 1 ))" >> "$UPDRAFT_OUTPUTS"'
    outputs: [v]`,
  )
  .join("\n")}
`,
);
const data = join(work, "data");

async function startServer(): Promise<SpawnedServer> {
  const server = await spawnServe(["--port", "0", "--data-dir", data, "--examples", catalog], {
    cwd: catalog,
    env: { ...process.env, UPDRAFT_PYTHON: PYTHON, UPDRAFT_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD },
  });
  children.push(server.child);
  // Sessions live in the database: one login serves this server and its successors.
  token ??= await loginToken(server.url);
  return server;
}

let token: string | undefined;
const api = <T>(url: string, method = "GET", body?: unknown): Promise<T> =>
  fetchJson<T>(url, method, body, token);

describe("kill -9 of updraft serve", () => {
  it("resumes every run, stops the orphan first, and retries the interrupted attempt", async () => {
    const first = await startServer();
    const a = await api<RunView>(`${first.url}/api/v1/workflows/crashy/runs`, "POST", {});
    const b = await api<RunView>(`${first.url}/api/v1/workflows/crashy/runs`, "POST", {});
    const pidFile = join(catalog, `pid-${a.id}`);
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "", 20_000);
    const orphan = Number(readFileSync(pidFile, "utf8").trim());
    // Let the attempt's pid reach the store (written in the same event-loop turn batch).
    await new Promise((r) => setTimeout(r, 300));
    const before = await api<RunView>(`${first.url}/api/v1/runs/${b.id}`);
    expect(before.state).toBe("queued"); // waiting behind maxActiveRuns: 1

    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    // The task runs in its own session: it outlived the server.
    expect(isGone(orphan)).toBe(false);
    rmSync(join(catalog, "hang"));

    const second = await startServer();
    expect(second.stderr()).toContain("resuming 2 interrupted run(s)");
    let ra: RunView | undefined;
    let rb: RunView | undefined;
    await waitFor(() => {
      void api<RunView>(`${second.url}/api/v1/runs/${a.id}`).then((r) => (ra = r));
      void api<RunView>(`${second.url}/api/v1/runs/${b.id}`).then((r) => (rb = r));
      return ra?.state === "succeeded" && rb?.state === "succeeded";
    }, 30_000).catch((err: unknown) => {
      throw new Error(`${String(err)}: ${JSON.stringify({ ra, rb }, null, 1)}`);
    });
    expect(isGone(orphan)).toBe(true);
    expect(ra?.tasks["long"]).toMatchObject({ state: "succeeded", attempts: 2 });
    expect(ra?.tasks["long"]?.outputs).toEqual({ n: 7 }); // no "overlap" output
    expect(ra?.tasks["after"]?.outputs).toEqual({ double: 14 });
    // The second run was still queued when the server died: it simply runs now.
    expect(rb?.tasks["long"]).toMatchObject({ state: "succeeded", attempts: 1, outputs: { n: 7 } });
    second.child.kill("SIGTERM");
    await new Promise((r) => second.child.once("exit", r));
  }, 90_000);

  it("finishes a run killed at several points, never running an attempt twice", async () => {
    let server = await startServer();
    const run = await api<RunView>(`${server.url}/api/v1/workflows/steps/runs`, "POST", {});
    // Kill at different moments: mid-task, between tasks, during a retry wait.
    for (const delay of [120, 400, 700, 350]) {
      await new Promise((r) => setTimeout(r, delay));
      server.child.kill("SIGKILL");
      await new Promise((r) => server.child.once("exit", r));
      server = await startServer();
    }
    let view: RunView | undefined;
    await waitFor(() => {
      void api<RunView>(`${server.url}/api/v1/runs/${run.id}`).then((r) => (view = r));
      return view?.state === "succeeded";
    }, 45_000);
    for (let i = 0; i < 6; i++) expect(view?.tasks[`s${i}`]?.outputs).toEqual({ v: i + 1 });
    // Every attempt that started is listed once: a killed attempt is retried under a new number.
    const starts = readFileSync(join(catalog, "starts.log"), "utf8").trim().split("\n");
    expect(new Set(starts).size).toBe(starts.length);
    for (let i = 0; i < 6; i++) {
      // A kill between recording an attempt and starting its process leaves no line.
      const attempts = view?.tasks[`s${i}`]?.attempts ?? 0;
      const lines = starts.filter((l) => l.startsWith(`s${i} `));
      expect(lines.length).toBeLessThanOrEqual(attempts);
      expect(lines).toContain(`s${i} ${attempts}`);
    }
    server.child.kill("SIGTERM");
    await new Promise((r) => server.child.once("exit", r));
  }, 120_000);
});
