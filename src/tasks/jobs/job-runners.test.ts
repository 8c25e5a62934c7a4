import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRunnerRegistry } from "../registry.js";
import { cleanupTestDirs, makeTempDir, makeTestContext, TEST_PYTHON } from "../test-context.js";
import { defaultKubernetesLauncher } from "./job-runners.js";

afterEach(cleanupTestDirs);

describe("job runners in the registry", () => {
  it("has a runner for each job type", () => {
    const registry = createRunnerRegistry({ python: TEST_PYTHON, pythonForkServer: false });
    for (const type of ["torch", "tensorflow", "dask", "spark"] as const) {
      expect(registry.get(type)?.type).toBe(type);
    }
  });

  it("the default launcher reads the task's kubeconfig and reports an unreachable cluster", async () => {
    const home = await makeTempDir("updraft-kube-");
    await mkdir(join(home, ".kube"));
    // A cluster on a closed loopback port: the client is real, the connection fails.
    await writeFile(
      join(home, ".kube", "config"),
      `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "http://127.0.0.1:9" } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u, namespace: ml } }]
current-context: x
`,
    );
    const ctx = await makeTestContext(
      { type: "torch", script: "t.py", launch: "kubernetes", image: "ml:1" },
      { env: { HOME: home, PATH: "/usr/bin:/bin" } },
    );
    const err = await defaultKubernetesLauncher()
      .run(ctx)
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(err?.message).toMatch(
      /^could not create ConfigMap wf-t1-run-1-a1-params in namespace ml: /,
    );
  }, 30_000);

  it("the default launcher says when there is no kubeconfig", async () => {
    const home = await makeTempDir("updraft-kube-");
    const ctx = await makeTestContext(
      { type: "torch", script: "t.py", launch: "kubernetes", image: "ml:1" },
      { env: { HOME: home } },
    );
    await expect(defaultKubernetesLauncher().run(ctx)).rejects.toThrow(
      "no cluster is configured; set KUBECONFIG",
    );
  });
});
