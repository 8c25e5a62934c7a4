import { expect, test } from "vitest";
import { DEMO_NOTEBOOKS, DEMO_WORKFLOW, MemoryApiClient } from "./memory-client.js";

const doc = { name: "wf", tasks: { a: { type: "empty" } } };

test("workflows are validated like the server validates them and versioned on save", async () => {
  const client = new MemoryApiClient([], () => new Date("2026-12-01T00:00:00Z"));
  await expect(client.createWorkflow({ name: "Bad Name", tasks: {} })).rejects.toMatchObject({
    status: 400,
    code: "E_VALIDATION",
    details: [{ path: "name" }, { path: "tasks" }],
  });
  expect(await client.createWorkflow(doc)).toEqual({ name: "wf", version: 1, document: doc });
  await expect(client.createWorkflow(doc)).rejects.toMatchObject({ status: 409 });
  const saved = await client.saveWorkflow("wf", { ...doc, description: "v2" });
  expect(saved.version).toBe(2);
  await expect(client.saveWorkflow("wf", { ...doc, name: "other" })).rejects.toMatchObject({
    status: 400,
  });
  expect(await client.listVersions("wf")).toEqual([
    { version: 1, createdAt: "2026-12-01T00:00:00.000Z" },
    { version: 2, createdAt: "2026-12-01T00:00:00.000Z" },
  ]);
  expect((await client.listWorkflows())[0]).toMatchObject({
    name: "wf",
    description: "v2",
    tasks: 1,
    version: 2,
  });
  await expect(client.getWorkflow("nope")).rejects.toMatchObject({ status: 404 });
  await client.deleteWorkflow("wf");
  expect(await client.listWorkflows()).toEqual([]);
});

test("the library lists notebooks and their declared params; runs need a real server", async () => {
  const client = new MemoryApiClient(DEMO_NOTEBOOKS);
  expect((await client.listNotebooks()).map((n) => n.path)).toEqual(
    DEMO_NOTEBOOKS.map((n) => n.path),
  );
  expect((await client.notebookParams("notebooks/train.ipynb")).map((p) => p.name)).toEqual([
    "train_path",
    "model",
    "epochs",
  ]);
  await expect(client.notebookParams("missing.ipynb")).rejects.toMatchObject({ status: 404 });
  await expect(client.triggerRun()).rejects.toMatchObject({ status: 501 });
  await expect(client.login("", "")).rejects.toMatchObject({ status: 401 });
  await client.login("ada", "pw");
  expect(client.signedIn()).toBe(true);
});

test("the demo workflow is valid and uses the demo notebooks", async () => {
  const client = new MemoryApiClient(DEMO_NOTEBOOKS);
  const stored = await client.createWorkflow(DEMO_WORKFLOW);
  expect(stored.name).toBe("iris-demo");
  const paths = new Set(DEMO_NOTEBOOKS.map((n) => n.path));
  for (const task of Object.values(
    stored.document["tasks"] as Record<string, { notebook: string }>,
  )) {
    expect(paths.has(task.notebook)).toBe(true);
  }
});
