/**
 * The run page and the notebook viewer in a real browser (Debian Chromium driven by
 * playwright-core), served by Vite from e2e/run-fixture/: the real components on the
 * in-memory ApiClient, whose runs the test moves through their states
 * (`window.fixture.runs`) to watch the page follow live. Hostile notebook and log
 * content must render inert: every payload would push to `window.xss` or open a dialog
 * if it ran. Run: `cd web && npx vitest run -c vitest.e2e.config.ts e2e/run.e2e.ts`.
 */
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchChromium } from "./browser.js";
import type { JsonObject } from "../src/core/model.js";

const WEB = join(import.meta.dirname, "..");
const ARTIFACTS = join(WEB, "..", "test-artifacts", "web");

let server: ViteDevServer;
let browser: Browser;
let base: string;

beforeAll(async () => {
  server = await createServer({
    root: WEB,
    logLevel: "silent",
    cacheDir: join(WEB, "node_modules", ".vite-run-e2e"), // its own: test files run in parallel
    server: { host: "127.0.0.1", port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (address === null || address === undefined || typeof address === "string")
    throw new Error("the dev server has no port");
  base = `http://127.0.0.1:${address.port}/e2e/run-fixture/index.html`;
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Opened {
  page: Page;
  errors: string[];
  dialogs: string[];
}

async function open(query = ""): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  page.setDefaultTimeout(8000);
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    // Cancel's confirmation is the only dialog the page itself opens.
    void (d.type() === "confirm" ? d.accept() : d.dismiss());
  });
  await page.goto(`${base}${query}`);
  await page.waitForFunction(() => document.body.dataset["ready"] === "1", undefined, {
    timeout: 60_000,
  });
  return { page, errors, dialogs };
}

/** Seeds three old runs of iris-demo and triggers a new one; returns its id. */
async function seed(page: Page): Promise<string> {
  return page.evaluate(
    async ({ old }) => {
      const { runs, client } = window.fixture;
      for (const r of old) runs.addRun(r as never);
      const run = await client.triggerRun("iris-demo", { test_size: 0.25 });
      return run.id;
    },
    {
      old: (["succeeded", "failed", "succeeded"] as const).map((state, i) => ({
        id: `old-${i}`,
        workflow: "iris-demo",
        version: 1,
        state,
        params: {},
        logicalDate: `2026-02-0${i + 1}T02:00:00.000Z`,
        trigger: "schedule",
        startedAt: `2026-02-0${i + 1}T02:00:00.000Z`,
        endedAt: `2026-02-0${i + 1}T02:05:00.000Z`,
        tasks: Object.fromEntries(
          ["prepare", "train", "report"].map((t) => [
            t,
            {
              state:
                state === "failed" && t !== "prepare"
                  ? t === "train"
                    ? "failed"
                    : "upstream_failed"
                  : "succeeded",
              attempts: 1,
              outputs: {},
              startedAt: `2026-02-0${i + 1}T02:00:00.000Z`,
              endedAt: `2026-02-0${i + 1}T02:01:00.000Z`,
              error: null,
            },
          ]),
        ),
      })),
    },
  );
}

/** Calls `window.fixture.runs[fn](...args)` in the page (args as JSON, as they cross over). */
const runs = (page: Page, fn: string, ...args: unknown[]): Promise<unknown> =>
  page.evaluate(
    ([f, json]) =>
      (window.fixture.runs as unknown as Record<string, (...a: unknown[]) => unknown>)[f]!(
        ...(JSON.parse(json) as unknown[]),
      ),
    [fn, JSON.stringify(args)] as const,
  );

const nodeButton = (page: Page, task: string) =>
  page.locator(".react-flow__node").getByRole("button", { name: new RegExp(`^Task ${task}:`) });

/** A failed executed notebook with hostile content everywhere content can be. */
function hostileNotebook(): JsonObject {
  const push = (tag: string) => `window.xss.push('${tag}')`;
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { language_info: { name: "python" }, papermill: { exception: true } },
    cells: [
      {
        cell_type: "markdown",
        metadata: { tags: ["papermill-error-cell-tag"] },
        source: `<span onmouseover="${push("banner")}">An Exception was encountered at <a href="#papermill-error-cell">In [3]</a>.</span>`,
      },
      {
        cell_type: "markdown",
        metadata: {},
        source: [
          "# Report\n",
          "Some **bold** text and [a link](https://example.com).\n\n",
          `<script>${push("md-script")}</script>\n\n`,
          `<img src="x" onerror="${push("md-onerror")}">\n\n`,
          `[click me](javascript:${push("md-js-link")})\n\n`,
          `<a href="JaVaScRiPt:${push("md-a")}">raw link</a>\n\n`,
          `<svg><script>${push("md-svg-script")}</script><circle r="5"/></svg>\n\n`,
          `<svg onload="${push("md-svg-onload")}"></svg>\n\n`,
          `<iframe srcdoc="<script>parent.${push("md-iframe")}</script>"></iframe>\n\n`,
          `<math><mtext><table><mglyph><style><img src=x onerror="${push("md-mxss")}">\n\n`,
          `<form action="javascript:${push("md-form")}"><button id="evil-button">go</button></form>\n\n`,
          `<div id="fake-overlay" style="position:fixed;inset:0;background:red">overlay</div>\n\n`,
          `<a id="location">clobber</a><img name="getElementById">\n`,
        ],
      },
      {
        cell_type: "code",
        metadata: { tags: ["parameters"] },
        execution_count: 1,
        source: "test_size = 0.2",
        outputs: [],
      },
      {
        cell_type: "code",
        metadata: { tags: ["injected-parameters"] },
        execution_count: 2,
        source: "# Parameters\ntest_size = 0.25\n",
        outputs: [],
      },
      {
        cell_type: "markdown",
        metadata: { tags: ["papermill-error-cell-tag"] },
        source:
          '<span id="papermill-error-cell">Execution using papermill encountered an exception here and stopped:</span>',
      },
      {
        cell_type: "code",
        metadata: { papermill: { exception: true, status: "failed" } },
        execution_count: 3,
        source: `print("<script>${push("source")}</script>")\nraise ValueError("bad")`,
        outputs: [
          {
            output_type: "stream",
            name: "stdout",
            text: [`<img src=x onerror="${push("stream")}">\n`],
          },
          {
            output_type: "display_data",
            data: {
              "text/html": [
                `<table><tr><td>ok cell</td></tr></table><script>${push("html-script")}</script>`,
                `<img src="x" onerror="${push("html-onerror")}"><a href=" javascript:${push("html-js")}">x</a>`,
                `<object data="javascript:${push("html-object")}"></object><embed src="javascript:${push("html-embed")}">`,
                `<details open ontoggle="${push("html-ontoggle")}"><summary>s</summary></details>`,
              ],
              "text/plain": "table",
            },
          },
          {
            output_type: "display_data",
            data: {
              "image/svg+xml": `<svg xmlns="http://www.w3.org/2000/svg" onload="${push("svg-img")}"><script>${push("svg-img-script")}</script><rect width="10" height="10"/></svg>`,
            },
          },
          {
            output_type: "display_data",
            data: {
              "image/png": `" onerror="${push("png-attr")}`,
              "text/plain": "<Figure size 640x480>",
            },
          },
          {
            output_type: "display_data",
            data: {
              "image/png":
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
            },
          },
          {
            output_type: "execute_result",
            data: { "application/json": { a: 1 } },
            execution_count: 3,
          },
          {
            output_type: "error",
            ename: "ValueError",
            evalue: `bad <img src=x onerror="${push("evalue")}">`,
            traceback: [
              "\u001b[0;31m---------------------------------------------------------------------------\u001b[0m",
              `\u001b[0;31mValueError\u001b[0m: bad <b onclick="${push("tb")}">`,
            ],
          },
        ],
      },
      {
        cell_type: "code",
        metadata: {},
        execution_count: null,
        source: "print('never ran')",
        outputs: [],
      },
    ],
  };
}

/** Checks the notebook's DOM holds nothing active and no payload ran. */
async function expectInert(page: Page, dialogs: string[]) {
  const active = await page.evaluate(() => {
    const nb = document.querySelector(".notebook");
    if (nb === null) return ["no notebook"];
    const found: string[] = [];
    for (const el of nb.querySelectorAll("*")) {
      const tag = el.tagName.toLowerCase();
      if (
        ["script", "iframe", "object", "embed", "form", "style", "svg", "math", "button"].includes(
          tag,
        )
      )
        found.push(tag);
      for (const a of el.attributes) {
        if (a.name.startsWith("on")) found.push(`${tag}[${a.name}]`);
        if (a.name === "style") found.push(`${tag}[style]`);
        if (/^\s*javascript:/i.test(a.value)) found.push(`${tag}[${a.name}=javascript:]`);
      }
    }
    return found;
  });
  expect(active).toEqual([]);
  expect(await page.evaluate(() => window.xss)).toEqual([]);
  expect(dialogs).toEqual([]);
  // The clobbering ids did not shadow the page's globals.
  expect(await page.evaluate(() => typeof document.getElementById)).toBe("function");
}

test("hostile notebook content renders inert, and the failing cell is highlighted with a link to it", async () => {
  const { page, errors, dialogs } = await open();
  await page.evaluate(
    (json) => window.fixture.notebook(JSON.parse(json) as JsonObject),
    JSON.stringify(hostileNotebook()),
  );
  await page.locator(".notebook").waitFor();
  // Hover and move across everything so any mouse handler would have fired.
  for (const el of await page.locator(".notebook *").all())
    await el.hover({ force: true, timeout: 1000 }).catch(() => undefined);
  await page.waitForTimeout(300);
  await expectInert(page, dialogs);

  // Content shows as text where it is text, and safe markup where it is markup.
  expect(await page.locator(".nb-markdown h1").textContent()).toBe("Report");
  expect(await page.locator(".nb-markdown a[href='https://example.com']").getAttribute("rel")).toBe(
    "noopener noreferrer nofollow",
  );
  expect(await page.locator(".nb-stream").first().textContent()).toContain(
    '<img src=x onerror="window.xss',
  );
  expect(await page.locator(".nb-html td").first().textContent()).toBe("ok cell");
  expect(await page.locator("img.nb-image").count()).toBe(2); // the SVG and the valid PNG
  expect(await page.locator(".nb-text").first().textContent()).toBe("<Figure size 640x480>");
  expect(await page.locator(".nb-traceback").textContent()).not.toContain("\u001b");
  expect(await page.locator(".nb-traceback .ansi-red").count()).toBeGreaterThan(0);
  expect(await page.locator("#fake-overlay, [id='fake-overlay']").count()).toBe(0);

  // papermill's banner cells are replaced by ours; the failing and injected cells are marked.
  expect(await page.locator(".nb-cell").count()).toBe(5);
  const banner = page.locator(".nb-banner");
  expect(await banner.textContent()).toContain("An exception stopped this notebook at In [3]");
  const failing = page.locator(".nb-cell.nb-failing");
  expect(await failing.count()).toBe(1);
  expect(await failing.locator(".nb-prompt").textContent()).toBe("In [3]:");
  expect(await page.locator(".nb-cell.nb-injected .nb-badge").textContent()).toBe(
    "Injected parameters",
  );
  await page.screenshot({ path: join(ARTIFACTS, "notebook-hostile.png"), fullPage: true });
  await banner.getByRole("link", { name: "Jump to the failing cell" }).click();
  expect(await page.evaluate(() => document.activeElement?.classList.contains("nb-failing"))).toBe(
    true,
  );
  await expectInert(page, dialogs);
  expect(errors).toEqual([]);
  await page.close();
});

test("a run followed live: graph, grid, Gantt, task panel with live log, notebook, repair, cancel and re-run", async () => {
  const { page, errors, dialogs } = await open();
  const id = await seed(page);
  await page.evaluate((p) => window.fixture.go(p), `/runs/${id}`);
  await expect.poll(() => page.locator(".run-header .state-badge").textContent()).toBe("queued");
  // React Flow draws edges after it has measured the nodes: wait for them, do not sample.
  await expect.poll(() => page.locator(".react-flow__node").count()).toBe(3);
  await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(2);
  await expect.poll(() => page.locator(".live").textContent()).toBe("Live");
  expect(await nodeButton(page, "prepare").getAttribute("aria-label")).toBe(
    "Task prepare: pending",
  );
  // Cancel applies to an unfinished run; Repair and Re-run to an ended one.
  expect(await page.getByRole("button", { name: "Cancel" }).isEnabled()).toBe(true);
  expect(await page.getByRole("button", { name: "Repair" }).isEnabled()).toBe(false);

  // The run starts; the page follows over the event stream.
  await runs(page, "updateRun", id, "running");
  await runs(page, "updateTask", id, "prepare", {
    state: "running",
    attempts: 1,
    startedAt: new Date().toISOString(),
  });
  await runs(
    page,
    "appendLog",
    id,
    "prepare",
    "loading rows\n<img src=x onerror=\"window.xss.push('log')\">\n",
  );
  await expect
    .poll(() => nodeButton(page, "prepare").getAttribute("aria-label"))
    .toBe("Task prepare: running");
  await expect.poll(() => page.locator(".run-header .state-badge").textContent()).toBe("running");

  // Keyboard: focus the node, Enter opens the panel with the live log.
  await nodeButton(page, "prepare").focus();
  await page.keyboard.press("Enter");
  await expect.poll(() => page.locator(".task-panel h2").textContent()).toBe("prepare");
  await expect.poll(() => page.locator(".task-log").textContent()).toContain("loading rows");
  await expect
    .poll(() => page.locator(".task-log-bar [role=status]").textContent())
    .toBe("Following attempt 1 live…");
  await runs(page, "appendLog", id, "prepare", "split done\n");
  await expect.poll(() => page.locator(".task-log").textContent()).toContain("split done");
  expect(await page.locator(".task-log img").count()).toBe(0);
  await runs(page, "updateTask", id, "prepare", {
    state: "succeeded",
    endedAt: new Date().toISOString(),
    outputs: {
      train_path: "data/train.csv",
      rows: 120,
      note: "<img src=x onerror=\"window.xss.push('output')\">",
    },
  });
  await expect
    .poll(() => page.locator(".outputs tbody tr").allTextContents())
    .toEqual([
      "train_pathdata/train.csv",
      "rows120",
      "note<img src=x onerror=\"window.xss.push('output')\">",
    ]);

  // train fails in its notebook; report never runs.
  await runs(page, "updateTask", id, "train", {
    state: "running",
    attempts: 1,
    startedAt: new Date().toISOString(),
  });
  await runs(page, "setNotebook", id, "train", hostileNotebook());
  await runs(page, "updateTask", id, "train", {
    state: "failed",
    endedAt: new Date().toISOString(),
    error: { code: "E_NOTEBOOK_FAILED", message: "ValueError: bad (cell In [3])" },
  });
  await runs(page, "updateTask", id, "report", { state: "upstream_failed" });
  await runs(page, "updateRun", id, "failed");
  await expect.poll(() => page.locator(".run-header .state-badge").textContent()).toBe("failed");
  expect(await nodeButton(page, "train").getAttribute("aria-label")).toBe("Task train: failed");
  expect(await page.getByRole("button", { name: "Repair" }).isEnabled()).toBe(true);
  expect(await page.getByRole("button", { name: "Cancel" }).isEnabled()).toBe(false);

  // The grid: 4 runs by 3 tasks, with the state in words; the Gantt has bars for started tasks.
  expect(await page.locator(".run-grid thead .grid-run").count()).toBe(4);
  expect(await page.locator(".run-grid tbody tr").count()).toBe(3);
  expect(await page.locator(".run-grid .grid-cell.state-failed").count()).toBe(2);
  expect(await page.locator(".gantt-bar").count()).toBe(2);
  expect(
    await page.getByRole("button", { name: /^report: upstream failed, not started/ }).count(),
  ).toBe(1);

  // Open train from its grid cell with the keyboard: the notebook with the failure.
  const cell = page.getByRole("link", { name: /^train in the run of .*: failed$/ }).last();
  await cell.focus();
  await page.keyboard.press("Enter");
  await expect.poll(() => page.locator(".task-panel h2").textContent()).toBe("train");
  expect(await page.locator(".task-error pre").textContent()).toBe(
    "E_NOTEBOOK_FAILED: ValueError: bad (cell In [3])",
  );
  await expect.poll(() => page.locator(".task-panel .nb-banner").count()).toBe(1);
  await expectInert(page, dialogs);
  await page.screenshot({ path: join(ARTIFACTS, "run-failed.png"), fullPage: true });

  // Repair: train and report go back to pending, the run runs again.
  await page.getByRole("button", { name: "Repair" }).click();
  await expect
    .poll(() => nodeButton(page, "train").getAttribute("aria-label"))
    .toBe("Task train: pending");
  expect(await nodeButton(page, "report").getAttribute("aria-label")).toBe("Task report: pending");
  expect(await nodeButton(page, "prepare").getAttribute("aria-label")).toBe(
    "Task prepare: succeeded",
  );
  await expect.poll(() => page.locator(".run-header .state-badge").textContent()).toBe("running");

  // Cancel (after the confirmation) ends it.
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect.poll(() => page.locator(".run-header .state-badge").textContent()).toBe("cancelled");
  expect(dialogs.filter((d) => d.startsWith("confirm"))).toHaveLength(1);

  // Re-run opens a new run with the same params.
  await page.getByRole("button", { name: "Re-run" }).click();
  await expect.poll(() => page.locator(".run-facts code").first().textContent()).not.toBe(id);
  expect(await page.locator(".run-header .state-badge").textContent()).toBe("queued");
  expect(await page.locator(".run-params").textContent()).toBe("test_size = 0.25");
  expect(await page.locator(".run-grid thead .grid-run").count()).toBe(5);
  expect(await page.evaluate(() => window.xss)).toEqual([]);
  expect(errors).toEqual([]);
  await page.close();
});

test("a long live log stays capped in the DOM and responsive, with the rest a download away", async () => {
  const { page, errors } = await open();
  const id = await seed(page);
  await runs(page, "updateRun", id, "running");
  await runs(page, "updateTask", id, "prepare", {
    state: "running",
    attempts: 1,
    startedAt: new Date().toISOString(),
  });
  await page.evaluate((p) => window.fixture.go(p), `/runs/${id}?task=prepare`);
  await expect
    .poll(() => page.locator(".task-log-bar [role=status]").textContent())
    .toBe("Following attempt 1 live…");
  const started = Date.now();
  // 19 MB in 200 chunks of 95 kB.
  await page.evaluate((runId) => {
    const line = `${"0123456789".repeat(9)}line\n`;
    const chunk = line.repeat(1000);
    for (let i = 0; i < 200; i++) window.fixture.runs.appendLog(runId, "prepare", chunk);
  }, id);
  await expect.poll(() => page.locator(".task-log-dropped").count()).toBe(1);
  const ms = Date.now() - started;
  const shown = await page.locator(".task-log").evaluate((el) => el.textContent?.length ?? 0);
  expect(shown).toBeLessThanOrEqual(330 * 1024);
  expect(shown).toBeGreaterThan(200 * 1024);
  // The whole log is a download (from the plain-text endpoint), not the DOM's tail.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download full log" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`iris-demo-${id}-prepare.log`);
  expect(statSync(await download.path()).size).toBe(200 * 1000 * 95);
  // The page still answers: a click opens another task at once.
  const t = Date.now();
  await page.getByRole("button", { name: /^train: pending/ }).click();
  await expect.poll(() => page.locator(".task-panel h2").textContent()).toBe("train");
  console.log(JSON.stringify({ liveLog19MBms: ms, shownChars: shown, switchMs: Date.now() - t }));
  expect(errors).toEqual([]);
  await page.close();
});

test("loading, failure and missing-run states say what happened", async () => {
  const hang = await open("?mode=hang&path=/runs/any");
  await expect
    .poll(() => hang.page.locator("main[aria-busy=true]").textContent())
    .toBe("Loading run any…");
  await hang.page.close();
  const fail = await open("?mode=fail&path=/runs/any");
  await expect
    .poll(() => fail.page.getByRole("alert").textContent())
    .toBe("The run cannot be shown: the store is not answering");
  await fail.page.close();
  const empty = await open();
  await empty.page.evaluate(() =>
    window.fixture.runs.addRun({
      id: "empty-run",
      workflow: "iris-demo",
      version: 1,
      state: "succeeded",
      params: { note: "<b>not bold</b>" },
      logicalDate: "2026-01-01T00:00:00.000Z",
      trigger: "<script>window.xss.push('trigger')</script>",
      startedAt: null,
      endedAt: null,
      tasks: {},
    }),
  );
  await empty.page.evaluate(() => window.fixture.go("/runs/empty-run"));
  await expect
    .poll(() => empty.page.locator(".run-main").textContent())
    .toBe("This run has no tasks.");
  expect(await empty.page.locator(".run-params").textContent()).toBe("note = <b>not bold</b>");
  expect(await empty.page.locator(".run-facts b, .run-facts script").count()).toBe(0);
  expect(await empty.page.evaluate(() => window.xss)).toEqual([]);
  await empty.page.close();
  const missing = await open("?path=/runs/nope");
  await expect.poll(() => missing.page.locator("h1").textContent()).toBe("Run not found");
  expect(await missing.page.getByRole("alert").textContent()).toBe(
    "There is no run nope (no run nope).",
  );
  await missing.page.screenshot({ path: join(ARTIFACTS, "run-missing.png") });
  await missing.page.close();
});
