/**
 * Issue 5's "Done when", end to end as a user does it, in Debian's chromium against the
 * real `updraft serve` (compiled CLI, SQLite, a real Python kernel): sign in, upload
 * three notebooks, drag them from the palette onto the canvas, connect them, bind an
 * upstream output to a param and a workflow param to another, save, trigger with a param
 * typed into the form, watch the run go green and read the executed notebook; break a
 * notebook, see the run fail with the failing cell highlighted, fix it and repair.
 * The app is built into a temporary directory (web/dist is left alone). Screenshots go
 * to test-artifacts/web/scenario-*.png.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { assertChromium, launchChromiumProfile } from "./browser.js";
import { spawnUpdraftServe } from "./real-server.js";

const WEB = join(import.meta.dirname, "..");
const ROOT = join(WEB, "..");
const FIXTURE = join(import.meta.dirname, "scenario-fixture");
const ARTIFACTS = join(ROOT, "test-artifacts", "web");
const PASSWORD = "scenario-e2e-Admin-password";

let tmp: string;
let server: ChildProcess | undefined;
let context: BrowserContext | undefined;
let base: string;

/** Runs a command to its end; rejects with its output when it fails. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: WEB, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")}: ${code}\n${out}`)),
    );
  });
}

/** Builds the app into `outDir` as `vite build` does outside vitest (with its CSP-safe validator). */
async function buildApp(outDir: string): Promise<void> {
  const env = { ...process.env };
  // vite.config.ts leaves the precompiled validator out under vitest; this is a real build.
  delete env["VITEST"];
  delete env["VITEST_MODE"];
  delete env["VITEST_POOL_ID"];
  delete env["VITEST_WORKER_ID"];
  delete env["NODE_ENV"];
  const vite = join(WEB, "node_modules", "vite", "bin", "vite.js");
  await run(process.execPath, [vite, "build", "--outDir", outDir, "--emptyOutDir"], env);
  if (!existsSync(join(outDir, "index.html"))) throw new Error(`the build wrote no ${outDir}`);
}

beforeAll(async () => {
  assertChromium();
  tmp = mkdtempSync(join(tmpdir(), "updraft-scenario-"));
  const dist = join(tmp, "dist");
  await buildApp(dist);
  const updraft = spawnUpdraftServe(
    join(tmp, "data"),
    ["--web-dir", dist],
    { UPDRAFT_ADMIN_PASSWORD: PASSWORD, UPDRAFT_PYTHON: "/usr/bin/python3", UPDRAFT_DB: "" },
    30_000,
  );
  server = updraft.child;
  base = await updraft.url;
  context = await launchChromiumProfile(join(tmp, "profile"), { width: 1440, height: 900 });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

const shot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: join(ARTIFACTS, `scenario-${name}.png`), fullPage });

const nav = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();

const designerNode = (page: Page, id: string) =>
  page.locator(".react-flow__node", {
    has: page.locator(".task-node-id", { hasText: new RegExp(`^${id}$`) }),
  });

const runNodeLabel = (page: Page, task: string) =>
  page
    .locator(".react-flow__node")
    .getByRole("button", { name: new RegExp(`^Task ${task}:`) })
    .getAttribute("aria-label");

const badge = (page: Page) => page.locator(".run-header .state-badge").textContent();

/** The consume notebook with a cell that raises after its work. */
function brokenConsume(): Buffer {
  const nb = JSON.parse(readFileSync(join(FIXTURE, "consume.ipynb"), "utf8")) as {
    cells: unknown[];
  };
  nb.cells.push({
    cell_type: "code",
    execution_count: null,
    metadata: {},
    outputs: [],
    source: 'raise RuntimeError("consume is broken on purpose")',
  });
  return Buffer.from(JSON.stringify(nb));
}

/** Uploads through the library page's form (the page must be /notebooks). */
async function upload(
  page: Page,
  file: string | { name: string; mimeType: string; buffer: Buffer },
  replace = false,
): Promise<void> {
  await page.getByLabel("Notebook file (.ipynb)").setInputFiles(file);
  const name = typeof file === "string" ? file.split("/").pop()! : file.name;
  expect(await page.getByLabel("Path in the library").inputValue()).toBe(name);
  if (replace) await page.getByLabel("Replace a notebook already at this path").check();
  await page.getByRole("button", { name: "Upload" }).click();
  await expect.poll(() => page.locator(".notice").textContent()).toBe(`Uploaded ${name}.`);
}

test("build, run, break, fix and repair a three-notebook workflow through the UI", async () => {
  const page = await context!.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });

  // 1. Sign in.
  await page.goto(`${base}/`);
  await page.waitForURL((u) => u.pathname === "/signin");
  await shot(page, "signin");
  await page.getByLabel("User name").fill("admin");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === "/");
  await expect.poll(() => page.locator(".empty").textContent()).toMatch(/No workflows yet/);

  // 2. The notebook library: upload the three notebooks.
  await nav(page, "Notebooks");
  await expect.poll(() => page.locator(".empty").textContent()).toMatch(/library is empty/);
  for (const nb of ["produce", "consume", "report"])
    await upload(page, join(FIXTURE, `${nb}.ipynb`));
  await expect
    .poll(() =>
      page.locator("table.notebooks tbody tr th, table.notebooks tbody tr a").allTextContents(),
    )
    .toEqual(expect.arrayContaining(["consume.ipynb", "produce.ipynb", "report.ipynb"]));
  await shot(page, "notebooks");

  // 3. The designer: drag the notebooks onto the canvas, connect them.
  await nav(page, "Workflows");
  await page.getByRole("link", { name: "New workflow" }).click();
  await page.waitForURL((u) => u.pathname === "/new");
  const pane = page.locator(".react-flow__pane");
  const spots = { produce: 80, consume: 420, report: 760 };
  for (const [nb, x] of Object.entries(spots)) {
    await page
      .getByRole("button", { name: `Add ${nb}.ipynb` })
      .dragTo(pane, { targetPosition: { x, y: 160 } });
  }
  await expect
    .poll(() => page.locator(".task-node-id").allTextContents())
    .toEqual(["produce", "consume", "report"]);
  await designerNode(page, "produce")
    .locator(".react-flow__handle.source")
    .dragTo(designerNode(page, "consume").locator(".react-flow__handle.target"));
  await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(1);
  await designerNode(page, "consume")
    .locator(".react-flow__handle.source")
    .dragTo(designerNode(page, "report").locator(".react-flow__handle.target"));
  await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(2);

  // The workflow: its name and a typed param `n`.
  await pane.click({ position: { x: 600, y: 500 } });
  const wf = page.getByRole("region", { name: "Workflow" });
  await wf.getByLabel("Name", { exact: true }).first().fill("scenario-flow");
  await wf.getByPlaceholder("new param name").fill("n");
  await wf.getByRole("button", { name: "Add param" }).click();
  const param = wf.locator(".wf-param");
  await param.getByLabel("Type").selectOption("integer");
  await param.getByLabel("Default").fill("3");
  await param.getByLabel("Minimum").fill("1");

  // produce: its param n from the workflow's, its output total.
  await designerNode(page, "produce").click();
  await expect
    .poll(() => page.locator(".param-head").allTextContents())
    .toEqual(["n int — how many numbers to add up"]);
  await page.getByLabel("Outputs (comma-separated names)").fill("total");
  await page.locator("#produce-param-n-source").selectOption("param:n");
  // consume: total bound to produce's output total; it publishes doubled.
  await designerNode(page, "consume").click();
  await expect
    .poll(() => page.locator(".param-head").allTextContents())
    .toEqual(["total int — the sum from produce"]);
  await page.getByLabel("Outputs (comma-separated names)").fill("doubled");
  await page.locator("#consume-param-total-source").selectOption("output:produce:total");
  // report: doubled bound to consume's output.
  await designerNode(page, "report").click();
  // Wait for report's own form (consume's had one param too, so a count proves nothing).
  await expect
    .poll(() => page.locator(".param-head").allTextContents())
    .toEqual(["doubled int — the doubled total"]);
  await page.locator("#report-param-doubled-source").selectOption("output:consume:doubled");
  await expect
    .poll(() => page.locator(".toolbar [role=status]").first().textContent())
    .toBe("No problems");
  await page.getByRole("tab", { name: "YAML" }).click();
  const yaml = await page.getByLabel("Workflow YAML").inputValue();
  expect(yaml).toContain('total: "{{ tasks.produce.outputs.total }}"');
  expect(yaml).toContain('n: "{{ params.n }}"');
  await page.getByRole("tab", { name: "Canvas" }).click();
  await designerNode(page, "consume").click();
  await shot(page, "designer");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.waitForURL((u) => u.pathname === "/workflows/scenario-flow");
  // Saving a new workflow moves to its address, which opens it afresh from the server
  // (so the toolbar's "Saved version 1" is gone at once): the reopened canvas and the
  // History tab are the proof it was stored.
  await expect
    .poll(() => page.locator(".task-node-id").allTextContents())
    .toEqual(["produce", "consume", "report"]);
  await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(2);
  await page.getByRole("tab", { name: "History" }).click();
  await expect.poll(() => page.locator("table.versions tbody tr").count()).toBe(1);

  // 4. Trigger with n = 10 typed in: 1+…+10 = 55, doubled 110.
  await nav(page, "Workflows");
  const row = page.locator("table.workflows tbody tr", { hasText: "scenario-flow" });
  await expect.poll(() => row.count()).toBe(1);
  await shot(page, "workflows");
  await page.getByRole("link", { name: "Run scenario-flow" }).click();
  await page.waitForURL((u) => u.pathname === "/workflows/scenario-flow/run");
  expect(await page.getByRole("textbox", { name: "n", exact: true }).inputValue()).toBe("3");
  await page.getByRole("textbox", { name: "n", exact: true }).fill("10");
  await shot(page, "trigger");
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL(/\/runs\/[^/?]+$/);
  const firstRun = page.url();
  await expect.poll(() => badge(page), { timeout: 60_000, interval: 250 }).toBe("succeeded");
  for (const t of ["produce", "consume", "report"])
    await expect.poll(() => runNodeLabel(page, t)).toBe(`Task ${t}: succeeded`);
  expect(await page.locator(".run-params").textContent()).toBe("n = 10");

  // The executed notebook of report, and consume's outputs.
  await page
    .locator(".react-flow__node")
    .getByRole("button", { name: /^Task report:/ })
    .click();
  await expect.poll(() => page.locator(".task-panel h2").textContent()).toBe("report");
  await expect
    .poll(() => page.locator(".task-panel .notebook .nb-stream").allTextContents())
    .toContain("report: doubled is 110\n");
  expect(await page.locator(".nb-cell.nb-injected .nb-source").textContent()).toContain(
    "doubled = 110",
  );
  await shot(page, "run-succeeded", true);
  await page
    .locator(".react-flow__node")
    .getByRole("button", { name: /^Task consume:/ })
    .click();
  await expect.poll(() => page.locator(".task-panel h2").textContent()).toBe("consume");
  await expect
    .poll(() => page.locator(".task-panel table.outputs tbody tr").allTextContents())
    .toEqual(["doubled110"]);
  await expect
    .poll(() => page.locator(".task-panel .notebook .nb-stream").allTextContents())
    .toContain("consumed total=55, doubled=110\n");

  // 5. Break consume, trigger again: the run fails at the failing cell.
  await nav(page, "Notebooks");
  await upload(
    page,
    { name: "consume.ipynb", mimeType: "application/x-ipynb+json", buffer: brokenConsume() },
    true,
  );
  await nav(page, "Workflows");
  await page.getByRole("link", { name: "Run scenario-flow" }).click();
  await page.waitForURL((u) => u.pathname === "/workflows/scenario-flow/run");
  await page.getByRole("textbox", { name: "n", exact: true }).fill("10");
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL((u) => /^\/runs\/[^/]+$/.test(u.pathname) && u.href !== firstRun);
  const failedRun = page.url();
  await expect.poll(() => badge(page), { timeout: 60_000, interval: 250 }).toBe("failed");
  await expect.poll(() => runNodeLabel(page, "produce")).toBe("Task produce: succeeded");
  await expect.poll(() => runNodeLabel(page, "consume")).toBe("Task consume: failed");
  await expect.poll(() => runNodeLabel(page, "report")).toBe("Task report: upstream failed");
  await page
    .locator(".react-flow__node")
    .getByRole("button", { name: /^Task consume:/ })
    .click();
  await expect.poll(() => page.locator(".task-panel h2").textContent()).toBe("consume");
  await expect.poll(() => page.locator(".task-error pre").textContent()).toMatch(/RuntimeError/);
  await expect.poll(() => page.locator(".task-panel .nb-banner").count()).toBe(1);
  const failing = page.locator(".nb-cell.nb-failing");
  expect(await failing.count()).toBe(1);
  expect(await failing.locator(".nb-source").textContent()).toContain("raise RuntimeError");
  expect(await failing.locator(".nb-error-head").textContent()).toContain("RuntimeError");
  expect(await failing.locator(".nb-badge.bad").textContent()).toBe("Failed here");
  await shot(page, "run-failed-error");
  await page.getByRole("link", { name: "Jump to the failing cell" }).click();
  await shot(page, "run-failed", true);

  // Fix it (the good notebook again) and repair the failed run.
  await nav(page, "Notebooks");
  await upload(page, join(FIXTURE, "consume.ipynb"), true);
  await page.goto(failedRun);
  await expect.poll(() => badge(page)).toBe("failed");
  await page.getByRole("button", { name: "Repair" }).click();
  await expect.poll(() => badge(page), { timeout: 60_000, interval: 250 }).toBe("succeeded");
  await expect.poll(() => runNodeLabel(page, "produce")).toBe("Task produce: succeeded");
  await expect
    .poll(() => runNodeLabel(page, "consume"))
    .toBe("Task consume: succeeded, 2 attempts");
  await expect.poll(() => runNodeLabel(page, "report")).toMatch(/^Task report: succeeded/);
  await page
    .locator(".react-flow__node")
    .getByRole("button", { name: /^Task report:/ })
    .click();
  await expect.poll(() => page.locator(".task-panel h2").textContent()).toBe("report");
  await expect
    .poll(() => page.locator(".task-panel .notebook .nb-stream").allTextContents())
    .toContain("report: doubled is 110\n");
  await shot(page, "repaired", true);

  // The list shows both runs as green marks; the library shows the notebook and its param.
  await nav(page, "Workflows");
  const marks = row.getByRole("group", { name: "Last runs, oldest first" }).getByRole("link");
  await expect.poll(() => marks.count()).toBe(2);
  expect(await marks.last().getAttribute("aria-label")).toMatch(/: succeeded$/);
  await shot(page, "workflows-after-runs");
  await nav(page, "Notebooks");
  await page.getByRole("link", { name: "consume.ipynb" }).click();
  await page.waitForURL((u) => u.pathname === "/notebooks/consume.ipynb");
  await expect
    .poll(() => page.locator("table.params tbody tr").allTextContents())
    .toEqual(["totalint0the sum from produce"]);
  await shot(page, "notebook", true);
  expect(errors).toEqual([]);
  await page.close();
}, 120_000);
