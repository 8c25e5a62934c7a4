import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ManifestValidator } from "../tasks/k8s/manifest-schemas.js";
import { cleanupTestDirs, makeTempDir } from "../tasks/test-context.js";
import { exportK8sCommand } from "./k8s-command.js";

afterEach(cleanupTestDirs);

const validator = new ManifestValidator();
const EXAMPLE = join(
  import.meta.dirname,
  "..",
  "..",
  "examples",
  "distributed-torch",
  "distributed-torch.yaml",
);

function sink(): NodeJS.WritableStream & { text: string } {
  const s = {
    text: "",
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
  };
  return s as unknown as NodeJS.WritableStream & { text: string };
}

function exportText(file: string, extra: Partial<Parameters<typeof exportK8sCommand>[0]> = {}) {
  const stdout = sink();
  const stderr = sink();
  const code = exportK8sCommand({ file, params: [], stdout, stderr, ...extra });
  const docs = parseAllDocuments(stdout.text).map(
    (d) => d.toJS() as { kind: string; metadata: { name: string } },
  );
  return { code, docs, stderr: stderr.text };
}

describe("updraft export k8s", () => {
  it("prints the example's manifests as YAML that matches the resources' schemas", () => {
    const { code, docs, stderr } = exportText(EXAMPLE, {
      params: [{ name: "epochs", value: "7", raw: false }],
      namespace: "ml",
    });
    expect(code).toBe(0);
    expect(docs.map((d) => `${d.kind} ${d.metadata.name}`)).toEqual([
      "ConfigMap distributed-torch-train-params",
      "PyTorchJob distributed-torch-train",
      "ConfigMap distributed-torch-report-params",
      "Pod distributed-torch-report",
    ]);
    for (const d of docs) expect(validator.check(d)).toEqual([]);
    expect(JSON.stringify(docs[0])).toContain('\\"epochs\\": 7');
    expect(stderr).toBe(
      `${EXAMPLE}: task good_enough left out: condition tasks have no Kubernetes form\n`,
    );
  });

  it("fails for a task without an image and for an invalid workflow", async () => {
    const dir = await makeTempDir("updraft-k8s-");
    const file = join(dir, "wf.yaml");
    await writeFile(file, "name: x\ntasks:\n  t: { type: dask, script: a.py, replicas: 2 }\n");
    const { code, docs, stderr } = exportText(file);
    expect(code).toBe(1);
    expect(docs).toEqual([]);
    expect(stderr).toContain("task t left out: it has no image");
    await writeFile(file, "name: x\ntasks:\n  t: { type: torch, replicas: 0, launch: moon }\n");
    const bad = exportText(file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("tasks.t");
  });

  it("keeps hostile values as data in the YAML", async () => {
    const dir = await makeTempDir("updraft-k8s-");
    const file = join(dir, "wf.yaml");
    await writeFile(
      file,
      `name: x
params:
  evil: { type: string, default: "a\\n---\\nkind: Secret\\n# {{ x }}" }
tasks:
  t:
    type: spark
    image: spark:3
    application: app.py
    conf: { "spark.x": "{{ params.evil }}" }
`,
    );
    const { code, docs } = exportText(file);
    expect(code).toBe(0);
    expect(docs.map((d) => d.kind)).toEqual(["ConfigMap", "SparkApplication"]);
    expect(JSON.stringify(docs[1])).toContain('"spark.x":"a\\n---\\nkind: Secret\\n# {{ x }}"');
  });

  it("refuses a bad namespace and a relative workdir", () => {
    expect(() => exportText(EXAMPLE, { namespace: "Not A Name" })).toThrow("--namespace must be");
    expect(() => exportText(EXAMPLE, { workdir: "rel" })).toThrow(
      "--workdir must be an absolute path",
    );
  });
});
