import { expect, test } from "vitest";
import { readNotebook } from "../notebook/notebook-model.js";
import { seedDemoRuns } from "./demo-runs.js";
import { DEMO_NOTEBOOKS, DEMO_WORKFLOW, MemoryApiClient } from "./memory-client.js";
import { MemoryRuns, withMemoryRuns } from "./memory-runs.js";

test("the demo runs read back through the client: one of each state, the failure's notebook and log", async () => {
  const base = new MemoryApiClient(DEMO_NOTEBOOKS);
  await base.createWorkflow(DEMO_WORKFLOW);
  const runs = new MemoryRuns(base);
  seedDemoRuns(runs, new Date("2026-05-10T12:00:00Z"));
  const client = withMemoryRuns(base, runs);
  const listed = await client.listRuns("iris-demo");
  expect(listed.map((r) => [r.id, r.state])).toEqual([
    ["demo-running", "running"],
    ["demo-failed", "failed"],
    ["demo-ok", "succeeded"],
  ]);
  const nb = readNotebook(await client.taskNotebook("demo-failed", "train"));
  expect(nb.cells[nb.failingIndex]?.executionCount).toBe(3);
  expect(nb.cells.some((c) => c.injected)).toBe(true);
  expect(await client.taskLog("demo-failed", "train")).toContain("too few rows");
  // Repair of the failed run works against the demo workflow's version.
  const repaired = await client.repairRun("demo-failed");
  expect(repaired.tasks["train"]?.state).toBe("pending");
  expect(repaired.tasks["prepare"]?.state).toBe("succeeded");
});
