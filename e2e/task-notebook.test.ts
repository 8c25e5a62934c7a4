/** `GET /api/v1/runs/{id}/tasks/{task}/notebook`: the executed notebook of a real run on a real kernel. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../src/engine/run-view.js";
import { startTestService, type TestService } from "./server-helpers.js";

const PYTHON = process.env["UPDRAFT_PYTHON"] ?? "/usr/bin/python3";
const tmp = mkdtempSync(join(tmpdir(), "updraft-task-nb-"));
let service: TestService;

const cell = (source: string, tags: string[] = []) => ({
  cell_type: "code",
  execution_count: null,
  metadata: { tags },
  outputs: [],
  source,
});

beforeAll(async () => {
  const catalog = join(tmp, "workflows");
  mkdirSync(catalog);
  writeFileSync(
    join(catalog, "square.ipynb"),
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "python3", language: "python", display_name: "Python 3" } },
      cells: [
        cell("n = 2  # the number to square", ["parameters"]),
        cell("result = n * n\nprint(result)"),
      ],
    }),
  );
  writeFileSync(
    join(catalog, "nb.yaml"),
    [
      "name: nb",
      "tasks:",
      "  square:",
      "    type: notebook",
      "    notebook: square.ipynb",
      "    params: { n: 7 }",
      "    outputs: [result]",
      "  plain: { type: shell, command: 'true' }",
      "",
    ].join("\n"),
  );
  service = await startTestService(tmp, {
    examples: catalog,
    python: PYTHON,
    env: { ...process.env, UPDRAFT_PYTHON: PYTHON },
  });
});

afterAll(async () => {
  await service.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe("the executed notebook of a task", () => {
  it("serves the output notebook with the injected parameters and outputs", async () => {
    const trigger = await fetch(`${service.url}/api/v1/workflows/nb/runs`, {
      headers: service.auth,
      method: "POST",
    });
    let run = (await trigger.json()) as RunView;
    for (let i = 0; i < 300 && !["succeeded", "failed"].includes(run.state); i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = (await (
        await fetch(`${service.url}/api/v1/runs/${run.id}`, { headers: service.auth })
      ).json()) as RunView;
    }
    expect(run.state).toBe("succeeded");
    expect(run.tasks["square"]?.outputs).toEqual({ result: 49 });

    const res = await fetch(`${service.url}/api/v1/runs/${run.id}/tasks/square/notebook`, {
      headers: service.auth,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ipynb+json");
    const nb = (await res.json()) as {
      metadata: { papermill: { parameters: unknown } };
      cells: { metadata: { tags?: string[] }; outputs: { text?: string | string[] }[] }[];
    };
    expect(nb.metadata.papermill.parameters).toEqual({ n: 7 });
    expect(nb.cells.some((c) => c.metadata.tags?.includes("injected-parameters"))).toBe(true);
    const printed = nb.cells.flatMap((c) => c.outputs).map((o) => [o.text ?? ""].flat().join(""));
    expect(printed.join("")).toContain("49");

    const again = await fetch(
      `${service.url}/api/v1/runs/${run.id}/tasks/square/notebook?attempt=1`,
      { headers: service.auth },
    );
    expect(again.status).toBe(200);
    const cases: [string, number][] = [
      [`/api/v1/runs/${run.id}/tasks/square/notebook?attempt=2`, 404],
      [`/api/v1/runs/${run.id}/tasks/square/notebook?attempt=0`, 400],
      [`/api/v1/runs/${run.id}/tasks/square/notebook?attempt=x`, 400],
      [`/api/v1/runs/${run.id}/tasks/plain/notebook`, 404],
      [`/api/v1/runs/${run.id}/tasks/nope/notebook`, 404],
      [`/api/v1/runs/no-such-run/tasks/square/notebook`, 404],
      [`/api/v1/runs/a%20b/tasks/square/notebook`, 400],
    ];
    for (const [path, status] of cases) {
      const r = await fetch(`${service.url}${path}`, { headers: service.auth });
      expect(r.status, path).toBe(status);
      expect(((await r.json()) as { error?: unknown }).error, path).toBeDefined();
    }
  });
});
