/** End-to-end tests of `updraft run` and `updraft validate` through the real bin/updraft. */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "updraft");
const work = mkdtempSync(join(tmpdir(), "updraft-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ENV = {
  PATH: process.env["PATH"] ?? "/usr/bin:/bin",
  HOME: work,
  UPDRAFT_PYTHON: process.env["UPDRAFT_PYTHON"] ?? "/usr/bin/python3",
  UPDRAFT_DATA_DIR: join(work, "data"),
};

function file(name: string, text: string): string {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
}

function updraft(args: string[]) {
  const r = spawnSync(BIN, args, { env: ENV, encoding: "utf8", cwd: work, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const GOOD = file(
  "good.yaml",
  `
name: good
params:
  who: { type: string, default: world }
  n: { type: integer, default: 1, minimum: 0 }
tasks:
  greet:
    type: shell
    command: 'echo "greeting=hello $UPDRAFT_PARAM_WHO" >> "$UPDRAFT_OUTPUTS"'
    outputs: [greeting]
  count:
    type: python
    needs: [greet]
    params: { n: "{{ params.n }}", greeting: "{{ tasks.greet.outputs.greeting }}" }
    code: |
      import json, os
      p = json.load(open(os.environ["UPDRAFT_PARAMS"]))
      open(os.environ["UPDRAFT_OUTPUTS"], "a").write(json.dumps({"total": p["n"] * 2, "echo": p["greeting"]}) + "\\n")
    outputs: [total]
`,
);

describe("updraft run", () => {
  it("runs a workflow and prints only the run as JSON on stdout with --json", () => {
    const params = file("params.yaml", "who: files\nn: 4\n");
    const r = updraft(["run", GOOD, "-f", params, "-p", "n", "21", "--json"]);
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout) as Record<string, unknown> & {
      tasks: Record<string, { state: string; outputs: Record<string, unknown>; attempts: number }>;
    };
    expect(run).toMatchObject({
      workflow: "good",
      version: 1,
      state: "succeeded",
      params: { who: "files", n: 21 },
    });
    expect(Object.keys(run)).toEqual(
      expect.arrayContaining([
        "id",
        "workflow",
        "version",
        "state",
        "params",
        "startedAt",
        "endedAt",
        "tasks",
      ]),
    );
    expect(run.tasks["greet"]).toMatchObject({
      state: "succeeded",
      attempts: 1,
      outputs: { greeting: "hello files" },
    });
    expect(run.tasks["count"]?.outputs).toEqual({ total: 42, echo: "hello files" });
    // Not a terminal: plain progress lines on stderr.
    expect(r.stderr).toMatch(/task greet running/);
    expect(r.stderr).toMatch(/run \S+ of good succeeded/);
  });

  it("exits 1 and names the failed task and its log when the run fails", () => {
    const bad = file(
      "bad.yaml",
      "name: bad\ntasks:\n  boom: { type: shell, command: 'echo oops >&2; exit 7' }\n",
    );
    const r = updraft(["run", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/boom: command exited with code 7/);
    expect(r.stderr).toMatch(/log: .*boom\/1\/log\.txt/);
  });

  it("refuses bad params with a sentence and no stack trace", () => {
    for (const args of [
      ["-p", "n", "lots"],
      ["-p", "n", "-3"],
      ["-p", "nope", "1"],
    ]) {
      const r = updraft(["run", GOOD, ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^updraft: .*param/m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const missing = updraft(["run", GOOD, "-p", "n"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/-p takes a name and a value/);
  });

  it("reports a missing file, a directory and a malformed params file clearly", () => {
    expect(updraft(["run", join(work, "none.yaml")]).stderr).toMatch(/no such file/);
    expect(updraft(["run", work]).stderr).toMatch(/is a directory/);
    const broken = file("broken-params.yaml", "n: [1,\n");
    const r = updraft(["run", GOOD, "-f", broken]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line \d+/);
  });

  it("cancels the run on Ctrl-C and exits non-zero", async () => {
    const slow = file(
      "slow.yaml",
      "name: slow\ntasks:\n  wait: { type: shell, command: 'sleep 30' }\n  after: { type: empty, needs: [wait] }\n",
    );
    const child = spawn(BIN, ["run", slow, "--json"], { env: ENV, cwd: work });
    let stdout = "";
    let stderr = "";
    let sent = false;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (!sent && /task wait running/.test(stderr)) sent = child.kill("SIGINT");
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(1);
    const run = JSON.parse(stdout) as { state: string; tasks: Record<string, { state: string }> };
    expect(run.state).toBe("cancelled");
    expect(run.tasks["wait"]?.state).toBe("cancelled");
    expect(run.tasks["after"]?.state).toBe("cancelled");
  });

  it("shows live progress in place in a terminal", () => {
    const r = spawnSync("script", ["-qec", `${BIN} run ${GOOD}`, "/dev/null"], {
      env: { ...ENV, TERM: "xterm", COLUMNS: "100", LINES: "30" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    // Redraws move the cursor up and clear lines; the final table shows every task.
    expect(r.stdout).toContain("\x1b[2K");
    expect(r.stdout).toMatch(/greet .*succeeded/);
    expect(r.stdout).toMatch(/count .*succeeded/);
    expect(r.stdout).toMatch(/run \S+ of good succeeded/);
  });
});

describe("updraft validate", () => {
  it("accepts valid files", () => {
    const r = updraft(["validate", GOOD]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/good\.yaml: ok/);
  });

  it("prints every problem with its path, line and column, and exits non-zero", () => {
    const bad = file(
      "invalid.yaml",
      `name: Not Valid
tasks:
  a: { type: shell, command: "true", needs: [b] }
  b: { type: shell, command: "true", needs: [a] }
  c: { type: nosuch }
  d: { type: shell, command: "echo {{ tasks.e.outputs.x }}", retries: -1 }
  e: { type: shell, command: "true", outputs: [x], when: sometimes }
`,
    );
    const r = updraft(["validate", bad, GOOD]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(r.stderr).toMatch(/invalid\.yaml:1:\d+: name: /);
    expect(r.stderr).toMatch(/cycle: a -> b -> a|cycle: b -> a -> b/);
    expect(r.stderr).toMatch(/tasks\.c\.type/);
    expect(r.stderr).toMatch(/tasks\.e\.when/);
    expect(r.stdout).toMatch(/good\.yaml: ok/);
  });

  it("says which `needs` to add for a reference to a task that is not upstream", () => {
    const bad = file(
      "not-upstream.yaml",
      `name: refs
tasks:
  d: { type: shell, command: "echo {{ tasks.e.outputs.x }}" }
  e: { type: shell, command: "true", outputs: [x] }
`,
    );
    const r = updraft(["validate", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not-upstream\.yaml:3:\d+: tasks\.d\.command: .*needs: \[e\]/);
  });

  it("gives the line and column of malformed YAML", () => {
    const bad = file("malformed.yaml", "name: x\ntasks:\n  a: { type: shell\n  b: [\n");
    const r = updraft(["validate", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/malformed\.yaml:\d+:\d+: /);
  });
});
