/**
 * The Airflow path end to end: `updraft export airflow` writes DAG files Python
 * compiles, `updraft task exec` runs one task as the operators call it, and the
 * server answers `GET /api/v1/workflows/{name}/airflow`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "./server-helpers.js";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "updraft");
const PYTHON = "/usr/bin/python3";
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "updraft-airflow-e2e-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function updraft(args: string[], input?: string) {
  const r = spawnSync(BIN, args, { cwd: ROOT, input, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("updraft export airflow", () => {
  it("writes one compiling file per workflow, the same bytes every time", () => {
    const out = join(tmp, "dags");
    const files = ["examples/hello/hello.yaml", "examples/iris-lite/iris-lite.yaml"];
    const first = updraft(["export", "airflow", ...files, "-o", out]);
    expect(first.code, first.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["hello.py", "iris-lite.py"]);
    const bytes = readFileSync(join(out, "hello.py"));
    expect(updraft(["export", "airflow", ...files, "-o", out]).code).toBe(0);
    expect(readFileSync(join(out, "hello.py")).equals(bytes)).toBe(true);
    for (const f of readdirSync(out)) {
      const r = spawnSync(PYTHON, ["-m", "py_compile", join(out, f)], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
    }
  });

  it("reports invalid files like validate and exports the rest", () => {
    const bad = join(tmp, "bad.yaml");
    writeFileSync(bad, "name: ok-name\ntasks:\n  a: { type: shell }\n");
    const r = updraft([
      "export",
      "airflow",
      bad,
      "examples/hello/hello.yaml",
      "-o",
      join(tmp, "d2"),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml.*tasks\.a/);
    expect(readdirSync(join(tmp, "d2"))).toEqual(["hello.py"]);
  });
});

describe("updraft task exec", () => {
  const input = {
    workflow: "hello",
    runId: "manual__1",
    taskId: "greet",
    attempt: 1,
    task: {
      type: "shell",
      command:
        'echo "to the log"; printf "n=5\\nwho=%s\\n" "$UPDRAFT_PARAM_WHO" >> "$UPDRAFT_OUTPUTS"',
      params: { who: "Ada" },
      outputs: ["n", "who"],
    },
    params: { who: "Ada" },
    baseDir: ".",
  };

  it("prints the outputs as JSON on stdout and the log on stderr", () => {
    const r = updraft(["task", "exec", "--work-dir", join(tmp, "work")], JSON.stringify(input));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ outputs: { n: 5, who: "Ada" }, notebook: null });
    expect(r.stderr).toContain("to the log");
  });

  it("accepts Airflow's run ids, which hold : and +", () => {
    const runId = "scheduled__2024-05-01T02:00:00+00:00";
    const r = updraft(
      ["task", "exec", "--work-dir", join(tmp, "work")],
      JSON.stringify({ ...input, runId }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(tmp, "work", "runs"))).toContain(runId);
    const slash = updraft(["task", "exec"], JSON.stringify({ ...input, runId: "a/b" }));
    expect(slash.code).toBe(1);
    expect(slash.stderr).toMatch(/input\.runId: must be a run id/);
  });

  it("reads a file and reports a condition's decision", () => {
    const file = join(tmp, "cond.json");
    const task = { type: "condition", left: 1, op: ">", right: 2 };
    writeFileSync(file, JSON.stringify({ ...input, taskId: "gate", task }));
    const r = updraft(["task", "exec", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      outputs: { result: false },
      notebook: null,
      proceed: false,
    });
  });

  it("exits 1 when the task fails", () => {
    const task = { ...input.task, command: "exit 3" };
    const r = updraft(["task", "exec"], JSON.stringify({ ...input, task }));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/failed/);
  });

  it("rejects malformed input with every problem and no stack trace", () => {
    const r = updraft(["task", "exec"], JSON.stringify({ ...input, attempt: 0, extra: 1 }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/input\.extra: unknown field/);
    expect(r.stderr).toMatch(/input\.attempt/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(updraft(["task", "exec"], "{not json").stderr).toMatch(/not JSON/);
  });
});

describe("GET /api/v1/workflows/{name}/airflow", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(tmp, { examples: join(ROOT, "examples"), python: PYTHON });
  });
  afterAll(() => service.stop());

  function fetchText(path: string): Promise<{ status: number; type: string; text: string }> {
    return new Promise((res, rej) => {
      get(new URL(path, service.url), { headers: service.auth }, (r) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () =>
          res({
            status: r.statusCode ?? 0,
            type: String(r.headers["content-type"]),
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      }).on("error", rej);
    });
  }

  it("answers the DAG file of a stored workflow, and 404 for an unknown one", async () => {
    const a = await fetchText("/api/v1/workflows/hello/airflow");
    expect(a.status).toBe(200);
    expect(a.type).toMatch(/^text\/x-python/);
    expect(a.text).toMatch(/^# Airflow DAG of the Updraft workflow "hello", version \d+\./);
    expect((await fetchText("/api/v1/workflows/nope/airflow")).status).toBe(404);
  });
});
