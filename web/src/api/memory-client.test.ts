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
    { version: 2, createdAt: "2026-12-01T00:00:00.000Z" },
    { version: 1, createdAt: "2026-12-01T00:00:00.000Z" },
  ]);
  expect((await client.getVersion("wf", 1)).document).toEqual(doc);
  await expect(client.getVersion("wf", 3)).rejects.toMatchObject({ status: 404 });
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
  expect(await client.login("ada", "pw")).toEqual({ id: "u-ada", username: "ada", role: "admin" });
  expect(client.signedIn()).toBe(true);
  expect((await client.me()).username).toBe("ada");
  await client.logout();
  expect(client.signedIn()).toBe(false);
  await expect(client.me()).rejects.toMatchObject({ status: 401 });
});

test("search pages the sorted workflows; import reads YAML; pause is kept per workflow", async () => {
  const client = new MemoryApiClient();
  await client.login("ada", "pw");
  for (const name of ["b-two", "a-one", "c-three"]) {
    await client.createWorkflow({
      name,
      description: `the ${name}`,
      tasks: { t: { type: "empty" } },
    });
  }
  const page = await client.searchWorkflows({ limit: 2, offset: 1 });
  expect(page.workflows.map((w) => w.name)).toEqual(["b-two", "c-three"]);
  expect(page).toMatchObject({ total: 3, offset: 1, limit: 2 });
  expect((await client.searchWorkflows({ q: "THREE" })).workflows.map((w) => w.name)).toEqual([
    "c-three",
  ]);
  expect(page.workflows[0]).toMatchObject({ paused: true, owner: "ada" });
  expect((await client.setPaused("b-two", false)).paused).toBe(false);
  const imported = await client.importWorkflowYaml("name: yml\ntasks:\n  a: {type: empty}\n");
  expect(imported.name).toBe("yml");
  await expect(client.importWorkflowYaml("name: [oops")).rejects.toMatchObject({ status: 400 });
  await expect(client.importWorkflowYaml("- a list")).rejects.toMatchObject({ status: 400 });
});

test("an uploaded notebook file must be a JSON object and does not replace one unasked", async () => {
  const client = new MemoryApiClient();
  const nb = { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 };
  await client.uploadNotebookFile("a.ipynb", new Blob([JSON.stringify(nb)]), false);
  expect(await client.getNotebook("a.ipynb")).toEqual(nb);
  await expect(
    client.uploadNotebookFile("a.ipynb", new Blob([JSON.stringify(nb)]), false),
  ).rejects.toMatchObject({ status: 409 });
  await expect(
    client.uploadNotebookFile("b.ipynb", new Blob(["{no"]), false),
  ).rejects.toMatchObject({ status: 400 });
  await expect(
    client.uploadNotebookFile("c.ipynb", new Blob(["[1]"]), false),
  ).rejects.toMatchObject({ status: 400 });
  await expect(client.getNotebook("b.ipynb")).rejects.toMatchObject({ status: 404 });
});

test("an expired session is heard by every 401 listener until it unsubscribes", async () => {
  const client = new MemoryApiClient();
  await client.login("ada", "pw");
  const heard: string[] = [];
  const off = client.onUnauthorized((m) => heard.push(m));
  client.expireSession("token revoked");
  expect(heard).toEqual(["token revoked"]);
  expect(client.signedIn()).toBe(false);
  off();
  client.expireSession();
  expect(heard).toHaveLength(1);
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
