/**
 * The designer in a real browser (Debian Chromium driven by playwright-core), on the
 * built app (web/dist, `make web`) in demo mode: the in-memory ApiClient stands in for
 * the server's API until it exists. Run: `cd web && npm run test:e2e`.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { preview, type PreviewServer } from "vite";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchChromium } from "./browser.js";

const WEB = join(import.meta.dirname, "..");
const ARTIFACTS = join(WEB, "..", "test-artifacts", "web");

let server: PreviewServer;
let browser: Browser;
let base: string;

beforeAll(async () => {
  if (!existsSync(join(WEB, "dist", "index.html")))
    throw new Error("web/dist is missing: run `make web` first");
  server = await preview({
    root: WEB,
    logLevel: "silent",
    preview: { host: "127.0.0.1", port: 0 },
  });
  const address = server.httpServer.address();
  if (address === null || typeof address === "string")
    throw new Error("the preview server has no port");
  base = `http://127.0.0.1:${address.port}`;
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openDesigner(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${base}/new?demo`);
  return { page, errors };
}

const node = (page: Page, id: string) =>
  page.locator(".react-flow__node", {
    has: page.locator(".task-node-id", { hasText: new RegExp(`^${id}$`) }),
  });
const nodeIds = async (page: Page) => page.locator(".task-node-id").allTextContents();

test("drag notebooks from the palette, connect them, refuse a cycle, bind an upstream output", async () => {
  const { page, errors } = await openDesigner();
  const pane = page.locator(".react-flow__pane");
  await page
    .getByRole("button", { name: "Add prepare.ipynb" })
    .dragTo(pane, { targetPosition: { x: 120, y: 150 } });
  await page
    .getByRole("button", { name: "Add train.ipynb" })
    .dragTo(pane, { targetPosition: { x: 480, y: 150 } });
  expect(await nodeIds(page)).toEqual(["prepare", "train"]);

  await node(page, "prepare")
    .locator(".react-flow__handle.source")
    .dragTo(node(page, "train").locator(".react-flow__handle.target"));
  await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(1);

  await node(page, "train")
    .locator(".react-flow__handle.source")
    .dragTo(node(page, "prepare").locator(".react-flow__handle.target"));
  await expect
    .poll(() => page.getByRole("alert").textContent())
    .toMatch(/would make a cycle: prepare -> train -> prepare/);
  expect(await page.locator(".react-flow__edge").count()).toBe(1);

  // The notebook's declared params form a typed form with defaults and help.
  await node(page, "train").click();
  await expect
    .poll(() => page.locator(".param-head").allTextContents())
    .toEqual(["train_path str — training rows", "model str — logreg or forest", "epochs int"]);
  await node(page, "prepare").click();
  await page.getByLabel("Outputs (comma-separated names)").fill("train_path");
  await node(page, "train").click();
  await page.getByLabel("train_path").selectOption("output:prepare:train_path");
  await page.getByRole("tab", { name: "YAML" }).click();
  const yaml = await page.getByLabel("Workflow YAML").inputValue();
  expect(yaml).toContain('train_path: "{{ tasks.prepare.outputs.train_path }}"');
  expect(yaml).toContain("needs: [ prepare ]");
  await page.screenshot({ path: join(ARTIFACTS, "designer-yaml.png") });
  expect(errors).toEqual([]);
  await page.close();
});

test("undo, redo, copy, paste and delete from the keyboard", async () => {
  const { page, errors } = await openDesigner();
  await page.getByRole("button", { name: "Add Shell" }).click();
  await page.getByRole("button", { name: "Add Python" }).click();
  expect(await nodeIds(page)).toEqual(["shell", "python"]);
  await page.locator(".react-flow__pane").click({ position: { x: 40, y: 600 } });
  await page.keyboard.press("Control+z");
  expect(await nodeIds(page)).toEqual(["shell"]);
  await page.keyboard.press("Control+Shift+z");
  expect(await nodeIds(page)).toEqual(["shell", "python"]);
  await node(page, "shell").click();
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await expect.poll(() => nodeIds(page)).toEqual(["shell", "python", "shell_2"]);
  await page.keyboard.press("Delete");
  await expect.poll(() => nodeIds(page)).toEqual(["shell", "python"]);
  await page.getByRole("button", { name: "Auto-layout" }).click();
  await page.screenshot({ path: join(ARTIFACTS, "designer-canvas.png") });
  expect(errors).toEqual([]);
  await page.close();
});

test("YAML text that does not read is kept with its line, and the canvas keeps the last good version", async () => {
  const { page } = await openDesigner();
  await page.getByRole("button", { name: "Add Empty" }).click();
  await page.getByRole("tab", { name: "YAML" }).click();
  const area = page.getByLabel("Workflow YAML");
  const broken = (await area.inputValue()).replace("tasks:", "tasks:\n  late: { type: empty");
  await area.fill(broken);
  expect(await area.inputValue()).toBe(broken);
  await expect
    .poll(() => page.locator(".yaml-problems").textContent())
    .toMatch(/line \d+, column \d+: invalid YAML/);
  await page.getByRole("tab", { name: "Canvas" }).click();
  expect(await nodeIds(page)).toEqual(["empty"]);
  await page.close();
});

test("a stored workflow opens from the list with its layout, schedule in words and no problems", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  await page.goto(`${base}/?demo`);
  await page.getByRole("link", { name: "iris-demo", exact: true }).click();
  await expect.poll(() => nodeIds(page)).toEqual(["prepare", "train", "report"]);
  expect(await page.locator(".toolbar [role=status]").first().textContent()).toBe("No problems");
  expect(await page.locator(".schedule-words").textContent()).toBe("At 02:00 (Europe/Paris)");
  expect(await page.locator(".schedule-next li").count()).toBe(5);
  await page.screenshot({ path: join(ARTIFACTS, "designer-opened.png") });
  await page.close();
});
