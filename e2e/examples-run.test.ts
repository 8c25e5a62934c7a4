/** Every shipped example runs to success with `updraft run`, as the README promises. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, cliSandbox } from "./cli-helpers.js";

const sandbox = cliSandbox("updraft-examples-");
afterAll(sandbox.cleanup);

const examples = readdirSync(join(ROOT, "examples")).flatMap((dir) =>
  readdirSync(join(ROOT, "examples", dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(ROOT, "examples", dir, f)),
);

describe("examples", () => {
  it("ships some", () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  for (const file of examples) {
    const text = readFileSync(file, "utf8");
    const name = /^name:\s*(\S+)/m.exec(text)?.[1] ?? file;
    // An example that writes scratch files takes its root as a param: keep them in the sandbox.
    const scratch = /^ {2}work_root:/m.test(text)
      ? ["-p", "work_root", join(sandbox.work, "scratch")]
      : [];
    it(`${name} runs to success`, { timeout: 120_000 }, () => {
      const r = sandbox.updraft(["run", file, ...scratch, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const run = JSON.parse(r.stdout) as { state: string; tasks: Record<string, unknown> };
      expect(run.state).toBe("succeeded");
      expect(Object.keys(run.tasks).length).toBeGreaterThan(0);
    });
  }
});
