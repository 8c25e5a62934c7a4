/**
 * The run page against the real server: `updraft serve` as a process (SQLite, a real
 * Python kernel for the notebook task), the page on HttpApiClient through the Vite dev
 * server's proxy, so the live graph, the followed log (fetch + SSE with the bearer token)
 * and the executed notebook are the server's. A notebook fails on purpose, with hostile
 * output; the page must show the failure and run none of it.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchChromium } from "./browser.js";
import { spawnUpdraftServe } from "./real-server.js";

const WEB = join(import.meta.dirname, "..");
const ROOT = join(WEB, "..");
const ARTIFACTS = join(ROOT, "test-artifacts", "web");
const PASSWORD = "run-page-e2e-password";

let tmp: string;
let serverProcess: ChildProcess;
let vite: ViteDevServer;
let browser: Browser;
let base: string;

const cell = (cell_type: string, source: string, tags: string[] = []) => ({
  cell_type,
  metadata: { tags },
  source,
  ...(cell_type === "code" ? { execution_count: null, outputs: [] } : {}),
});

const XSS = (tag: string) => `window.xss.push('${tag}')`;

function writeCatalog(dir: string): void {
  writeFileSync(
    join(dir, "report.ipynb"),
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "python3", language: "python", display_name: "Python 3" } },
      cells: [
        cell(
          "markdown",
          `# Report\n<img src="x" onerror="${XSS("md")}">\n[link](javascript:${XSS("md-link")})`,
        ),
        cell("code", "fail = False", ["parameters"]),
        cell(
          "code",
          [
            "from IPython.display import HTML, display",
            `print("<script>${XSS("print")}</script>")`,
            `display(HTML("<b>bold</b><script>${XSS("html")}</script><img src=x onerror=\\"${XSS("html-img")}\\">"))`,
          ].join("\n"),
        ),
        cell(
          "code",
          'if fail:\n    raise ValueError("broken on purpose <img src=x>")\nresult = 42',
        ),
      ],
    }),
  );
  writeFileSync(
    join(dir, "watch.yaml"),
    [
      "name: watch",
      "params:",
      "  fail: { type: boolean, default: false }",
      "tasks:",
      "  slow:",
      "    type: shell",
      "    command: |",
      '      for i in 1 2 3 4 5 6; do echo "line $i <b>not bold</b>"; sleep 0.5; done',
      "  report:",
      "    type: notebook",
      "    needs: [slow]",
      "    notebook: report.ipynb",
      '    params: { fail: "{{ params.fail }}" }',
      "    outputs: [result]",
      "  after:",
      "    type: shell",
      "    needs: [report]",
      "    command: echo done",
      "",
    ].join("\n"),
  );
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "updraft-run-page-"));
  const catalog = join(tmp, "workflows");
  mkdirSync(catalog);
  writeCatalog(catalog);
  const updraft = spawnUpdraftServe(
    join(tmp, "data"),
    ["--examples", catalog],
    { UPDRAFT_ADMIN_PASSWORD: PASSWORD, UPDRAFT_PYTHON: "/usr/bin/python3" },
    60_000,
  );
  serverProcess = updraft.child;
  const api = await updraft.url;
  vite = await createServer({
    root: WEB,
    logLevel: "silent",
    cacheDir: join(WEB, "node_modules", ".vite-run-server-e2e"), // its own: test files run in parallel
    // Host kept as the page's: the server refuses writes whose Origin is not its Host.
    server: {
      host: "127.0.0.1",
      port: 0,
      hmr: false,
      proxy: { "/api": { target: api, changeOrigin: false } },
    },
  });
  await vite.listen();
  const address = vite.httpServer?.address();
  if (address === null || address === undefined || typeof address === "string")
    throw new Error("the dev server has no port");
  base = `http://127.0.0.1:${address.port}/e2e/run-fixture/index.html?api=http`;
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await vite?.close();
  serverProcess?.kill("SIGTERM");
  rmSync(tmp, { recursive: true, force: true });
});

const badge = (page: Page) => page.locator(".run-header .state-badge").textContent();
const nodeLabel = (page: Page, task: string) =>
  page
    .locator(".react-flow__node")
    .getByRole("button", { name: new RegExp(`^Task ${task}:`) })
    .getAttribute("aria-label");

test("a real run: live graph and log, the failed notebook highlighted and inert, repair and re-run", async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void (d.type() === "confirm" ? d.accept() : d.dismiss());
  });
  await page.goto(base);
  await page.waitForFunction(() => document.body.dataset["ready"] === "1", undefined, {
    timeout: 60_000,
  });
  const id = await page.evaluate(async (password) => {
    await window.fixture.client.login("admin", password);
    return (await window.fixture.client.triggerRun("watch", { fail: true })).id;
  }, PASSWORD);
  await page.evaluate((p) => window.fixture.go(p), `/runs/${id}?task=slow`);

  // The shell task runs for 3 s: the node turns running and its log streams in.
  await expect.poll(() => nodeLabel(page, "slow"), { timeout: 15_000 }).toBe("Task slow: running");
  await expect.poll(() => page.locator(".live").textContent()).toBe("Live");
  await expect
    .poll(() => page.locator(".task-log-bar [role=status]").textContent(), { timeout: 10_000 })
    .toBe("Following attempt 1 live…");
  await expect
    .poll(() => page.locator(".task-log").textContent(), { timeout: 10_000 })
    .toContain("line 2");
  expect(await page.locator(".task-log").textContent()).not.toContain("line 6");
  await expect
    .poll(() => page.locator(".task-log").textContent(), { timeout: 15_000 })
    .toContain("line 6 <b>not bold</b>");
  expect(await page.locator(".task-log b").count()).toBe(0);

  // The notebook fails; its downstream task does not run.
  await expect.poll(() => badge(page), { timeout: 60_000, interval: 250 }).toBe("failed");
  expect(await nodeLabel(page, "report")).toBe("Task report: failed");
  expect(await nodeLabel(page, "after")).toBe("Task after: upstream failed");
  await expect
    .poll(() => page.locator(".task-log-bar [role=status]").textContent())
    .toBe("Attempt 1");

  await page
    .locator(".react-flow__node")
    .getByRole("button", { name: /^Task report:/ })
    .click();
  await expect.poll(() => page.locator(".task-panel h2").textContent()).toBe("report");
  expect(await page.locator(".task-error pre").textContent()).toMatch(
    /ValueError|broken on purpose/,
  );
  await expect
    .poll(() => page.locator(".task-panel .nb-banner").count(), { timeout: 10_000 })
    .toBe(1);
  expect(await page.locator(".nb-banner").textContent()).toMatch(
    /An exception stopped this notebook at In \[\d+\]/,
  );
  const failing = page.locator(".nb-cell.nb-failing");
  expect(await failing.count()).toBe(1);
  expect(await failing.locator(".nb-source").textContent()).toContain("if fail:");
  expect(await failing.locator(".nb-error-head").textContent()).toContain("ValueError");
  expect(await page.locator(".nb-cell.nb-injected .nb-source").textContent()).toContain(
    "fail = True",
  );
  expect(await page.locator(".nb-html b").textContent()).toBe("bold");
  expect(await page.locator(".nb-stream").first().textContent()).toContain("<script>");
  await page.getByRole("link", { name: "Jump to the failing cell" }).click();
  expect(await page.evaluate(() => document.activeElement?.classList.contains("nb-failing"))).toBe(
    true,
  );
  expect(
    await page
      .locator(".notebook script, .notebook [onerror], .notebook a[href^='javascript']")
      .count(),
  ).toBe(0);
  expect(await page.evaluate(() => window.xss)).toEqual([]);
  await page.screenshot({ path: join(ARTIFACTS, "run-server-failed.png"), fullPage: true });

  // Repair re-runs the notebook (it fails again: the params are the run's).
  await page.getByRole("button", { name: "Repair" }).click();
  await expect.poll(() => badge(page), { timeout: 10_000, interval: 100 }).toBe("running");
  await expect.poll(() => badge(page), { timeout: 60_000, interval: 250 }).toBe("failed");
  expect(await nodeLabel(page, "slow")).toBe("Task slow: succeeded");
  expect(await nodeLabel(page, "report")).toBe("Task report: failed, 2 attempts");

  // Re-run starts a new run with the same params; the grid shows both.
  await page.getByRole("button", { name: "Re-run" }).click();
  await expect.poll(() => page.locator(".run-facts code").first().textContent()).not.toBe(id);
  await expect.poll(() => page.locator(".run-grid thead .grid-run").count()).toBe(2);
  expect(await page.locator(".run-params").textContent()).toBe("fail = true");
  await expect.poll(() => nodeLabel(page, "slow"), { timeout: 15_000 }).toBe("Task slow: running");
  await page.getByRole("button", { name: "Cancel" }).click();
  expect(dialogs).toEqual(["Cancel this run of watch? Running tasks are stopped."]);
  await expect.poll(() => badge(page), { timeout: 15_000 }).toBe("cancelled");
  await expect.poll(() => nodeLabel(page, "slow")).toBe("Task slow: cancelled");
  expect(errors).toEqual([]);
  await page.close();
}, 180_000);
