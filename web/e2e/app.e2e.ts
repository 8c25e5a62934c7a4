/**
 * The app against the REAL server in Debian's chromium: `updraft serve` started from
 * the sources (e2e/real-server.ts) serving web/dist with auth enforced. Sign-in and
 * sessions, the workflows page, the run trigger, the notebook library, and the
 * designer's history and Airflow tabs. Needs web/dist (`cd web && npx vite build`).
 * Screenshots go to test-artifacts/web.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchChromium } from "./browser.js";
import { ADMIN_PASSWORD, startRealServer, type RealServer } from "./real-server.js";

const WEB = join(import.meta.dirname, "..");
const ARTIFACTS = join(WEB, "..", "test-artifacts", "web");

let server: RealServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!existsSync(join(WEB, "dist", "index.html")))
    throw new Error("web/dist is missing: run `cd web && npx vite build` first");
  server = await startRealServer();
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.stop();
});

/** A fresh browser session (its own sessionStorage) with page errors recorded. */
async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 850 } });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return { page, errors };
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function signedInPage(path = "/"): Promise<{ page: Page; errors: string[] }> {
  const opened = await newPage();
  await opened.page.goto(`${server.url}${path}`);
  await signIn(opened.page, "admin", ADMIN_PASSWORD);
  await opened.page.waitForURL((u) => u.pathname === path);
  return opened;
}

const pathOf = (page: Page) => {
  const u = new URL(page.url());
  return `${u.pathname}${u.search}`;
};

async function createWorkflow(yaml: string): Promise<void> {
  const r = await server.api("POST", "/workflows", { yaml });
  if (r.status !== 201) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`);
}

test("sign-in returns to the page asked for; a wrong password says so; sign-out revokes the token", async () => {
  const { page, errors } = await newPage();
  await page.goto(`${server.url}/notebooks`);
  await page.waitForURL(/\/signin\?next=%2Fnotebooks$/);
  expect(await page.getByRole("status").first().textContent()).toBe("Sign in to continue.");
  // The user name field has focus: typing starts at once.
  expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("username");
  await signIn(page, "admin", "not the password");
  await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/\S/);
  expect(pathOf(page)).toBe("/signin?next=%2Fnotebooks");
  await page.screenshot({ path: join(ARTIFACTS, "app-signin-error.png") });

  await signIn(page, "admin", ADMIN_PASSWORD);
  await page.waitForURL((u) => u.pathname === "/notebooks");
  await expect
    .poll(() => page.locator(".app-header .user").textContent())
    .toBe("Signed in as admin (admin)");
  const token = await page.evaluate(() => sessionStorage.getItem("updraft.token"));
  expect(token).toMatch(/^upd_s_/);
  expect((await server.api("GET", "/auth/me", undefined, token!)).status).toBe(200);

  // After an in-app navigation the new page's heading has focus (screen readers announce it).
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Workflows" })
    .click();
  await expect
    .poll(() => page.evaluate(() => document.activeElement?.textContent))
    .toBe("Workflows");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((u) => u.pathname === "/signin");
  expect(await page.getByRole("status").first().textContent()).toBe("You are signed out.");
  expect(await page.evaluate(() => sessionStorage.getItem("updraft.token"))).toBeNull();
  await expect
    .poll(async () => (await server.api("GET", "/auth/me", undefined, token!)).status)
    .toBe(401);
  expect(errors).toEqual([]);
});

test("a revoked session sends the user to sign in with the server's message, and back afterwards", async () => {
  const { page, errors } = await signedInPage("/");
  const token = (await page.evaluate(() => sessionStorage.getItem("updraft.token")))!;
  expect((await server.api("POST", "/auth/logout", undefined, token)).status).toBe(204);
  const refused = await server.api("GET", "/notebooks", undefined, token);
  expect(refused.status).toBe(401);
  const message = (refused.body as { error: { message: string } }).error.message;

  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Notebooks" })
    .click();
  await page.waitForURL(/\/signin\?next=%2Fnotebooks$/);
  expect(await page.getByRole("status").first().textContent()).toBe(message);
  await signIn(page, "admin", ADMIN_PASSWORD);
  await page.waitForURL((u) => u.pathname === "/notebooks");
  await expect
    .poll(() => page.getByRole("heading", { level: 1 }).textContent())
    .toBe("Notebook library");
  expect(errors).toEqual([]);
});

const ETL_YAML = `name: nightly-etl
description: 'Loads <img src=x onerror="window.__xss=1"> rows'
schedule: "30 2 * * 1-5"
params:
  rows: {type: integer, minimum: 1, default: 10, description: how many rows}
  mode: {type: string, enum: [fast, full], default: fast}
  dry: {type: boolean, default: false}
  cols: {type: array, default: [a, b]}
tasks:
  load: {type: empty}
`;

test("workflows: import YAML, schedule in words, pause, search, duplicate, delete; HTML stays text", async () => {
  const { page, errors } = await signedInPage("/");
  await expect.poll(() => page.locator(".empty").textContent()).toMatch(/No workflows yet/);
  await page.getByRole("button", { name: "Import YAML" }).click();
  await page.getByLabel("Or paste its YAML").fill("name: [broken");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect
    .poll(() => page.locator(".import-form [role=alert]").textContent())
    .toMatch(/line 1/);
  await page.getByLabel("Or paste its YAML").fill(ETL_YAML);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.waitForURL((u) => u.pathname === "/workflows/nightly-etl");
  // The imported workflow opens in the designer.
  await expect.poll(() => page.locator(".task-node-id").allTextContents()).toEqual(["load"]);
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Workflows" })
    .click();

  const row = page.locator("table.workflows tbody tr", { hasText: "nightly-etl" });
  await expect
    .poll(() => row.count())
    .toBe(1)
    .catch(async (err: unknown) => {
      await page.screenshot({ path: join(ARTIFACTS, "app-workflows-failed.png") });
      throw err;
    });
  expect(await row.locator("td").first().textContent()).toBe("At 02:30, Monday through Friday");
  expect(await row.locator(".wf-description").textContent()).toBe(
    'Loads <img src=x onerror="window.__xss=1"> rows',
  );
  expect(await page.locator("table.workflows img").count()).toBe(0);
  expect(
    await page.evaluate(() => (window as unknown as { __xss?: number }).__xss),
  ).toBeUndefined();
  expect(await row.locator("td").nth(4).textContent()).toBe("admin");

  const toggle = page.getByRole("switch", { name: "Paused: nightly-etl" });
  expect(await toggle.getAttribute("aria-checked")).toBe("true");
  await toggle.click();
  await expect.poll(() => toggle.getAttribute("aria-checked")).toBe("false");
  const stored = await server.api("GET", "/workflows/nightly-etl");
  expect(stored.body).toMatchObject({ paused: false });
  // Unpaused, the workflow has a next run, shown in the row.
  await expect
    .poll(() => row.locator("time").getAttribute("datetime"))
    .toBe((stored.body as { nextRun: string }).nextRun);

  await createWorkflow(
    "name: other-flow\ndescription: something else\ntasks:\n  a: {type: empty}\n",
  );
  await page.reload();
  await expect.poll(() => page.locator("table.workflows tbody tr").count()).toBe(2);
  await page.getByLabel("Search").fill("NIGHTLY");
  await expect.poll(() => pathOf(page)).toBe("/?q=NIGHTLY");
  await expect.poll(() => page.locator("table.workflows tbody tr").count()).toBe(1);
  await page.screenshot({ path: join(ARTIFACTS, "app-workflows.png") });

  page.once("dialog", (d) => void d.accept("nightly-copy"));
  await page.getByRole("button", { name: "Duplicate nightly-etl" }).click();
  await expect
    .poll(() => page.locator(".notice").textContent())
    .toBe("Duplicated nightly-etl as nightly-copy.");
  await expect.poll(() => page.locator("table.workflows tbody tr").count()).toBe(2);
  const copy = await server.api("GET", "/workflows/nightly-copy");
  expect((copy.body as { document: { params: object } }).document.params).toHaveProperty("rows");

  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Delete nightly-copy" }).click();
  await expect.poll(() => page.locator(".notice").textContent()).toBe("Deleted nightly-copy.");
  await expect.poll(() => page.locator("table.workflows tbody tr").count()).toBe(1);
  expect((await server.api("GET", "/workflows/nightly-copy")).status).toBe(404);
  expect(errors).toEqual([]);
});

test("the run trigger is a typed form with defaults and messages, and starts the run", async () => {
  await createWorkflow(ETL_YAML.replace("nightly-etl", "trigger-me"));
  const { page, errors } = await signedInPage("/");
  await page.getByRole("link", { name: "Run trigger-me" }).click();
  await page.waitForURL((u) => u.pathname === "/workflows/trigger-me/run");
  expect(await page.getByLabel("rows").inputValue()).toBe("10");
  expect(await page.getByLabel("mode").locator("option:checked").textContent()).toBe("fast");
  expect(await page.getByLabel("dry").isChecked()).toBe(false);
  expect(await page.getByLabel("cols").inputValue()).toBe(JSON.stringify(["a", "b"], null, 2));
  await page.getByLabel("rows").fill("0");
  await page.getByLabel("cols").fill("{oops");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect
    .poll(() => page.locator(".field-error").allTextContents())
    .toEqual(["0 is below the minimum 1", expect.stringMatching(/^not JSON/) as unknown as string]);
  // The first wrong field has focus, and says it is invalid.
  expect(await page.evaluate(() => document.activeElement?.getAttribute("data-param"))).toBe(
    "rows",
  );
  expect(await page.getByLabel("rows").getAttribute("aria-invalid")).toBe("true");
  await page.screenshot({ path: join(ARTIFACTS, "app-trigger.png") });

  await page.getByLabel("rows").fill("25");
  await page.getByLabel("mode").selectOption({ label: "full" });
  await page.getByLabel("dry").check();
  await page.getByLabel("cols").fill('["x"]');
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL(/\/runs\/[^/]+$/);
  const id = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1)!);
  const run = await server.api("GET", `/runs/${encodeURIComponent(id)}`);
  expect(run.body).toMatchObject({
    workflow: "trigger-me",
    params: { rows: 25, mode: "full", dry: true, cols: ["x"] },
  });
  expect(errors).toEqual([]);
});

const NOTEBOOK = {
  cells: [
    {
      cell_type: "markdown",
      metadata: {},
      source: ["# Prepare\n", "<script>window.__xss = 2</script> **bold** words"],
    },
    {
      cell_type: "code",
      metadata: { tags: ["parameters"] },
      execution_count: null,
      outputs: [],
      source: ["alpha = 0.5  # learning rate\n", 'name = "iris"\n'],
    },
    {
      cell_type: "code",
      metadata: {},
      execution_count: null,
      outputs: [],
      source: ["print(alpha)"],
    },
  ],
  metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } },
  nbformat: 4,
  nbformat_minor: 5,
};

test("notebook library: upload a file, list it, view its params and cells without running its HTML", async () => {
  const { page, errors } = await signedInPage("/notebooks");
  await expect.poll(() => page.locator(".empty").textContent()).toMatch(/library is empty/);
  await page.getByLabel("Notebook file (.ipynb)").setInputFiles({
    name: "prep.ipynb",
    mimeType: "application/x-ipynb+json",
    buffer: Buffer.from(JSON.stringify(NOTEBOOK)),
  });
  expect(await page.getByLabel("Path in the library").inputValue()).toBe("prep.ipynb");
  await page.getByLabel("Path in the library").fill("team/prep.ipynb");
  await page.getByRole("button", { name: "Upload" }).click();
  await expect.poll(() => page.locator(".notice").textContent()).toBe("Uploaded team/prep.ipynb.");
  const row = page.locator("table.notebooks tbody tr", { hasText: "team/prep.ipynb" });
  await expect
    .poll(() => row.locator("td").allTextContents())
    .toEqual([
      "python3",
      "2",
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/) as unknown as string,
    ]);
  // A file that is not a notebook is refused with the server's message.
  await page.getByLabel("Notebook file (.ipynb)").setInputFiles({
    name: "bad.ipynb",
    mimeType: "application/json",
    buffer: Buffer.from("{not json"),
  });
  await page.getByLabel("Path in the library").fill("bad.ipynb");
  await page.getByRole("button", { name: "Upload" }).click();
  await expect.poll(() => page.locator(".upload-form [role=alert]").textContent()).toMatch(/\S/);
  await page.screenshot({ path: join(ARTIFACTS, "app-notebooks.png") });

  await row.getByRole("link", { name: "team/prep.ipynb" }).click();
  await page.waitForURL((u) => u.pathname === "/notebooks/team/prep.ipynb");
  const params = page.locator("table.params tbody tr");
  await expect.poll(() => params.count()).toBe(2);
  expect(await params.first().textContent()).toBe("alphafloat0.5learning rate");
  await expect.poll(() => page.getByText("print(alpha)").count()).toBeGreaterThan(0);
  expect(await page.locator("main script").count()).toBe(0);
  expect(
    await page.evaluate(() => (window as unknown as { __xss?: number }).__xss),
  ).toBeUndefined();
  await page.screenshot({ path: join(ARTIFACTS, "app-notebook.png"), fullPage: true });
  expect(errors).toEqual([]);
});

test("designer: save a version, compare two in the history, restore one; the Airflow tab", async () => {
  await createWorkflow("name: hist-flow\ndescription: first\ntasks:\n  a: {type: empty}\n");
  const { page, errors } = await signedInPage("/workflows/hist-flow");
  await expect.poll(() => page.locator(".task-node-id").allTextContents()).toEqual(["a"]);
  await page.getByRole("tab", { name: "YAML" }).click();
  const area = page.getByLabel("Workflow YAML");
  const text = await area.inputValue();
  expect(text).toContain("description: first");
  await area.fill(text.replace("description: first", "description: second"));
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect.poll(() => page.getByText("Saved version 2").count()).toBe(1);

  await page.getByRole("tab", { name: "History" }).click();
  await expect.poll(() => page.locator("table.versions tbody tr").count()).toBe(2);
  expect(
    await page.locator("table.versions tbody tr").first().locator("td").nth(1).textContent(),
  ).toBe("admin");
  // The designer also saves the layout it made (ui.positions): those lines are added too.
  await expect
    .poll(() => page.locator(".diff h3").textContent())
    .toMatch(/^Version 1 → version 2 \(1 line removed, \d+ added\)$/);
  expect(await page.locator(".diff-removed").allTextContents()).toEqual(["-description: first"]);
  expect(await page.locator(".diff-added").allTextContents()).toContain("+description: second");
  await page.screenshot({ path: join(ARTIFACTS, "app-history.png") });

  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Restore version 1" }).click();
  await expect
    .poll(() => page.locator(".history-tab .notice").textContent())
    .toBe("Restored version 1 as version 3.");
  const latest = await server.api("GET", "/workflows/hist-flow");
  expect(latest.body).toMatchObject({ version: 3, document: { description: "first" } });
  await expect.poll(() => page.locator("table.versions tbody tr").count()).toBe(3);

  await page.getByRole("tab", { name: "Airflow" }).click();
  const code = page.getByLabel("Airflow DAG code");
  await expect.poll(() => code.textContent()).toMatch(/hist-flow/);
  expect(await code.textContent()).toMatch(/DAG/);
  expect(await page.locator(".airflow-tab h2").textContent()).toBe(
    "Airflow DAG of hist-flow (version 3)",
  );
  await page.screenshot({ path: join(ARTIFACTS, "app-airflow.png") });
  expect(errors).toEqual([]);
});

test("a viewer sees everything and can change nothing", async () => {
  const made = await server.api("POST", "/users", {
    username: "vera",
    password: "viewer-Password-123",
    role: "viewer",
  });
  expect(made.status).toBe(201);
  await createWorkflow("name: seen-flow\ntasks:\n  a: {type: empty}\n");
  const { page, errors } = await newPage();
  await page.goto(`${server.url}/`);
  await signIn(page, "vera", "viewer-Password-123");
  await page.waitForURL((u) => u.pathname === "/");
  const row = page.locator("table.workflows tbody tr", { hasText: "seen-flow" });
  await expect.poll(() => row.count()).toBe(1);
  await expect
    .poll(() => page.locator(".app-header .user").textContent())
    .toBe("Signed in as vera (viewer)");
  expect(await row.getByRole("switch").count()).toBe(0);
  expect(await row.locator("td").nth(2).textContent()).toBe("Paused");
  expect(await row.getByRole("link", { name: /^Run / }).count()).toBe(0);
  expect(await row.getByRole("button").count()).toBe(0);
  expect(await page.getByRole("button", { name: "Import YAML" }).count()).toBe(0);
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Notebooks" })
    .click();
  await expect
    .poll(() => page.getByRole("heading", { level: 1 }).textContent())
    .toBe("Notebook library");
  expect(await page.locator(".upload-form").count()).toBe(0);
  expect(errors).toEqual([]);
});
