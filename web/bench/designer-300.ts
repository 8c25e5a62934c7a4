/**
 * The designer with a 300-task workflow in real Chromium (Debian's, playwright-core):
 * the built app (vite preview) with the API answered by the bench, as
 * bench/workflows-page.ts does. A layered DAG of shell and notebook tasks (12 layers of
 * 25, about 410 needs, notebook params bound to upstream outputs) is opened, a node is
 * dragged with real mouse events, auto-layout is clicked, a character is typed into a
 * param field, and the canvas is zoomed with the wheel and panned by dragging. Frame
 * figures come from requestAnimationFrame timestamps collected in the page, long tasks
 * from PerformanceObserver. Prints one JSON line (medians over rounds, worst cases).
 * Run: `cd web && npm run bench:designer` (builds the app into a temporary directory),
 * or `npx tsx bench/designer-300.ts DIST` to use an existing `vite build --outDir DIST`.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page, Route } from "playwright-core";
import { build, preview } from "vite";
import { launchChromiumProfile } from "../e2e/browser.js";

const WEB = join(import.meta.dirname, "..");
const LAYERS = 12;
const PER_LAYER = 25;
const N = LAYERS * PER_LAYER;
const ROUNDS = 3;
const DRAG_STEPS = 60;
const WHEEL_STEPS = 30;
const PAN_STEPS = 40;
const NAME = "big-dag";
/** What every bench notebook declares (the param panel shows these as typed fields). */
const DECLARED = [
  { name: "input_path", inferredType: "str", default: "'data/in.parquet'", help: "what to read" },
  { name: "alpha", inferredType: "float", default: "0.5", help: "smoothing factor" },
  { name: "limit", inferredType: "int", default: "1000", help: "rows to keep" },
];

const id = (layer: number, k: number): string => `l${layer}_t${k}`;

/** The stored workflow: 300 tasks in layers, each needing one or two tasks of the layer before. */
function workflow(): { document: Record<string, unknown>; edges: number } {
  const tasks: Record<string, unknown> = {};
  const positions: Record<string, { x: number; y: number }> = {};
  let edges = 0;
  for (let layer = 0; layer < LAYERS; layer++) {
    for (let k = 0; k < PER_LAYER; k++) {
      const me = id(layer, k);
      const needs =
        layer === 0
          ? []
          : [
              id(layer - 1, k),
              ...(k % 2 === 0 ? [id(layer - 1, (k * 7 + layer) % PER_LAYER)] : []),
            ].filter((v, i, all) => all.indexOf(v) === i);
      edges += needs.length;
      const notebook = (layer + k) % 2 === 0;
      tasks[me] = notebook
        ? {
            type: "notebook",
            notebook: `notebooks/step_${layer}_${k % 5}.ipynb`,
            description: `Step ${layer}.${k}: transform the upstream table`,
            needs,
            params: {
              ...(needs[0] !== undefined
                ? { input_path: `{{ tasks.${needs[0]}.outputs.out }}` }
                : {}),
              alpha: "{{ params.alpha }}",
              limit: 500 + k,
              label: `part ${k} of {{ params.run_date }}`,
            },
            outputs: ["out", "rows"],
            retries: 1,
            timeout: "10m",
          }
        : {
            type: "shell",
            command: `python -m jobs.step --layer ${layer} --part ${k}`,
            needs,
            outputs: ["out"],
          };
      // Where a user left them: roughly layered but uneven, so auto-layout has work to do.
      positions[me] = { x: layer * 300 + ((k * 37) % 90), y: k * 110 + ((layer * 53) % 70) };
    }
  }
  return {
    document: {
      name: NAME,
      description: "300 tasks: the designer bench",
      schedule: "0 3 * * *",
      timezone: "UTC",
      params: {
        alpha: { type: "number", default: 0.5, description: "smoothing" },
        run_date: { type: "string", default: "2026-12-01" },
      },
      defaults: { retries: 0 },
      tasks,
      ui: { positions },
    },
    edges,
  };
}

async function answer(route: Route, stored: Record<string, unknown>): Promise<void> {
  const url = new URL(route.request().url());
  const json = (body: unknown) =>
    route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(body) });
  const p = url.pathname;
  if (p === "/api/v1/auth/me") return json({ id: "u", username: "bench", role: "admin" });
  if (p === "/api/v1/notebooks")
    return json({
      notebooks: Array.from({ length: 5 * LAYERS }, (_, i) => ({
        path: `notebooks/step_${Math.floor(i / 5)}_${i % 5}.ipynb`,
        kernel: "python3",
        language: "python",
        params: DECLARED.length,
      })),
      truncated: false,
    });
  if (/^\/api\/v1\/notebooks\/.+\/params$/.test(p)) return json({ params: DECLARED });
  if (p === `/api/v1/workflows/${NAME}`)
    return json({ name: NAME, version: 3, document: stored, paused: false, owner: "bench" });
  if (p === `/api/v1/workflows/${NAME}/versions`) return json({ versions: [] });
  if (p === "/api/v1/workflows") return json({ workflows: [], total: 0, offset: 0, limit: 50 });
  return route.fulfill({ status: 404, contentType: "application/json", body: "{}" });
}

/** Frame and long-task statistics of one measured window, computed in the page. */
interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  over50: number;
  over100: number;
  longTasks: number;
  longTaskMaxMs: number;
  longTaskTotalMs: number;
  /** Frames in which the watched element's transform changed (the dragged node moved). */
  moves: number;
  /** Largest gap between two such frames, ms. */
  moveGapMaxMs: number;
  /** 95th percentile of those gaps, ms. */
  moveGapP95Ms: number;
}

/**
 * Installed before the app: a requestAnimationFrame recorder and a long-task observer,
 * started and stopped around each interaction (`__bench.start()` / `__bench.stop()`).
 */
function recorder(): void {
  const longTasks: { start: number; duration: number }[] = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: "longtask", buffered: true });
  let stamps: number[] = [];
  let running = false;
  let since = 0;
  let watched: HTMLElement | null = null;
  let lastTransform = "";
  let moved: number[] = [];
  const tick = (t: number) => {
    if (!running) return;
    stamps.push(t);
    // An inline style read: no layout, so the recorder does not add work to the frame.
    const now = watched?.style.transform ?? "";
    if (watched !== null && now !== lastTransform) {
      moved.push(t);
      lastTransform = now;
    }
    requestAnimationFrame(tick);
  };
  const pick = (s: number[], q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  const round = (x: number) => Math.round(x * 10) / 10;
  Object.assign(globalThis, {
    __bench: {
      start(selector?: string) {
        watched = selector === undefined ? null : document.querySelector<HTMLElement>(selector);
        lastTransform = watched?.style.transform ?? "";
        moved = [];
        stamps = [];
        running = true;
        since = performance.now();
        requestAnimationFrame(tick);
      },
      stop() {
        running = false;
        const d = stamps.slice(1).map((t, i) => t - stamps[i]!);
        const s = [...d].sort((a, b) => a - b);
        const lt = longTasks.filter((x) => x.start >= since);
        const gaps = moved
          .slice(1)
          .map((t, i) => t - moved[i]!)
          .sort((a, b) => a - b);
        return {
          frames: d.length,
          p50: round(pick(s, 0.5)),
          p95: round(pick(s, 0.95)),
          max: round(s.at(-1) ?? 0),
          over50: d.filter((x) => x > 50).length,
          over100: d.filter((x) => x > 100).length,
          longTasks: lt.length,
          longTaskMaxMs: round(Math.max(0, ...lt.map((x) => x.duration))),
          longTaskTotalMs: round(lt.reduce((a, x) => a + x.duration, 0)),
          moves: moved.length,
          moveGapMaxMs: round(gaps.at(-1) ?? 0),
          moveGapP95Ms: round(pick(gaps, 0.95)),
        };
      },
    },
  });
}

const startFrames = (page: Page, watch?: string) =>
  page.evaluate(
    (watch) =>
      (globalThis as unknown as { __bench: { start(w?: string): void } }).__bench.start(watch),
    watch,
  );
const stopFrames = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { __bench: { stop(): FrameStats } }).__bench.stop(),
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds from an in-app navigation to the designer until `n` nodes are shown and painted. */
function openDesigner(page: Page, n: number): Promise<{ ms: number; rendered: number }> {
  return page.evaluate(
    ({ path, n }) =>
      new Promise<{ ms: number; rendered: number }>((resolve) => {
        const t0 = performance.now();
        const shown = () =>
          [...document.querySelectorAll<HTMLElement>(".react-flow__node")].filter(
            (e) => e.style.visibility !== "hidden",
          ).length;
        const observer = new MutationObserver(() => {
          if (document.querySelectorAll(".react-flow__node").length < n) return;
          const count = shown();
          if (count < n) return;
          observer.disconnect();
          requestAnimationFrame(() =>
            requestAnimationFrame(() => resolve({ ms: performance.now() - t0, rendered: count })),
          );
        });
        observer.observe(document.body, { childList: true, subtree: true, attributes: true });
        history.pushState({}, "", path);
        dispatchEvent(new PopStateEvent("popstate"));
      }),
    { path: `/workflows/${NAME}`, n },
  );
}

/** The centre of task `task`'s node on the screen. */
async function centreOf(page: Page, task: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(`.react-flow__node[data-id="${task}"]`).boundingBox();
  if (box === null) throw new Error(`node ${task} is not on the screen`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags task `task` by (dx, dy) screen pixels in `steps` mouse moves about a frame apart. */
async function drag(page: Page, task: string, dx: number, dy: number, steps: number) {
  const from = await centreOf(page, task);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(from.x + (dx * i) / steps, from.y + (dy * i) / steps);
    await sleep(16);
  }
  await page.mouse.up();
  return from;
}

/**
 * Milliseconds from a click on Auto-layout until the node layer has been still for
 * 300 ms (the time of the first frame after its last change), with that window's frames.
 */
function autoLayoutSettled(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const layer = document.querySelector(".react-flow__nodes");
        const button = [...document.querySelectorAll("button")].find(
          (b) => b.textContent === "Auto-layout",
        );
        if (layer === null || button === undefined) return reject(new Error("no canvas"));
        let last = -1;
        let settledAt = -1;
        const observer = new MutationObserver(() => {
          last = performance.now();
          settledAt = -1;
        });
        observer.observe(layer, { attributes: true, childList: true, subtree: true });
        const t0 = performance.now();
        const poll = (t: number) => {
          if (last >= 0 && settledAt < 0 && t >= last) settledAt = t;
          if (settledAt >= 0 && performance.now() - last > 300) {
            observer.disconnect();
            resolve(settledAt - t0);
          } else if (performance.now() - t0 > 20000) {
            observer.disconnect();
            reject(new Error("auto-layout never changed the canvas"));
          } else requestAnimationFrame(poll);
        };
        button.click();
        requestAnimationFrame(poll);
      }),
  );
}

/** Milliseconds from the key press in `inputId` until its issue list is in the DOM and painted. */
async function typeUntilIssue(page: Page, inputId: string): Promise<number> {
  // Armed in one evaluate and awaited in another, so the listener is in place before the key.
  await page.evaluate((inputId) => {
    const input = document.getElementById(inputId) as HTMLInputElement | null;
    if (input === null) throw new Error(`no field ${inputId}`);
    const shown = new Promise<number>((resolve, reject) => {
      let t0 = -1;
      input.addEventListener("keydown", (e) => (t0 = e.timeStamp), { once: true });
      // The validator's message about the param the key made up.
      const found = () =>
        document.getElementById(`${inputId}-issues`)?.textContent?.includes("run_datex") === true;
      const observer = new MutationObserver(() => {
        if (t0 < 0 || !found()) return;
        observer.disconnect();
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      setTimeout(() => {
        observer.disconnect();
        reject(
          new Error(`no issue shown after typing; the field holds ${JSON.stringify(input.value)}`),
        );
      }, 20000);
    });
    Object.assign(globalThis, { __typed: shown });
  }, inputId);
  await page.keyboard.press("x");
  return page.evaluate(() => (globalThis as unknown as { __typed: Promise<number> }).__typed);
}

/** One round in a fresh page: every interaction once. */
async function round(page: Page, base: string, stored: Record<string, unknown>) {
  await page.addInitScript("globalThis.__name = (f) => f;");
  await page.addInitScript(() => sessionStorage.setItem("updraft.token", "bench"));
  await page.addInitScript(recorder);
  await page.route("**/api/v1/**", (route) => answer(route, stored));
  // Start on the library (the designer's chunk is preloaded after 500 ms), then open it in-app.
  await page.goto(`${base}/notebooks`);
  await page.waitForSelector("h1:text('Notebook library')");
  await sleep(1500);
  const opened = await openDesigner(page, N);
  await sleep(500);

  // A node left of the middle, dragged 300 px right and 100 px down: it stays clear of
  // the pane's edges, where React Flow pans the canvas under the dragged node.
  const task = id(3, 10);
  const before = await page.locator(`.react-flow__node[data-id="${task}"]`).getAttribute("style");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  // CPU time of the page's main thread (seconds): what the work costs without waiting for
  // a core, since this machine's other processes inflate the wall-clock figures.
  const cpu = async () =>
    (await cdp.send("Performance.getMetrics")).metrics.find((x) => x.name === "ThreadTime")
      ?.value ?? 0;
  const cpu0 = await cpu();
  const dragStart = Date.now();
  await startFrames(page, `.react-flow__node[data-id="${task}"]`);
  await drag(page, task, 300, 100, DRAG_STEPS);
  const dragFrames = await stopFrames(page);
  const dragMs = Date.now() - dragStart;
  const dragCpuMs = ((await cpu()) - cpu0) * 1000;
  const after = await page.locator(`.react-flow__node[data-id="${task}"]`).getAttribute("style");
  if (before === after) throw new Error("the drag did not move the node");
  await sleep(300);

  // Select a notebook task (click), then type into its label param (text with an
  // expression): the key makes it read an undeclared workflow param.
  const target = id(3, 5);
  const t0 = Date.now();
  const c = await centreOf(page, target);
  await page.mouse.click(c.x, c.y);
  const inputId = `${target}-param-label-value`;
  await page.waitForSelector(`#${inputId}`);
  const selectMs = Date.now() - t0;
  // What the side panel of one task holds with 300 tasks (it re-renders on every edit).
  const panel = await page.evaluate(() => ({
    checkboxes: document.querySelectorAll(".side-panel input[type=checkbox]").length,
    options: document.querySelectorAll(".side-panel option").length,
  }));
  await page.focus(`#${inputId}`);
  // Caret just before " }}", so the key turns `params.run_date` into `params.run_datex`.
  await page.keyboard.press("End");
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
  await startFrames(page);
  const typeMs = await typeUntilIssue(page, inputId);
  const typeFrames = await stopFrames(page);
  await sleep(300);

  const cpu1 = await cpu();
  await startFrames(page);
  const layoutMs = await autoLayoutSettled(page);
  const layoutFrames = await stopFrames(page);
  const layoutCpuMs = ((await cpu()) - cpu1) * 1000;
  await sleep(300);

  // Back to the whole graph, then zoom in and out with the wheel over the canvas.
  await page.locator(".react-flow__controls-fitview").click();
  await sleep(500);
  const pane = await page.locator(".react-flow__pane").boundingBox();
  if (pane === null) throw new Error("no pane");
  const mid = { x: pane.x + pane.width / 2, y: pane.y + pane.height / 2 };
  await page.mouse.move(mid.x, mid.y);
  await startFrames(page);
  for (let i = 0; i < WHEEL_STEPS; i++) {
    await page.mouse.wheel(0, i < WHEEL_STEPS / 2 ? -120 : 120);
    await sleep(16);
  }
  await sleep(100);
  const wheelFrames = await stopFrames(page);
  // Zoomed in a little (so nodes enter and leave the screen), pan by dragging the pane.
  for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -120);
  await sleep(500);
  await page.mouse.move(pane.x + 20, pane.y + 20);
  await page.mouse.down();
  await startFrames(page);
  for (let i = 1; i <= PAN_STEPS; i++) {
    await page.mouse.move(pane.x + 20 + (i * (pane.width - 40)) / PAN_STEPS, pane.y + 20 + i * 8);
    await sleep(16);
  }
  const panFrames = await stopFrames(page);
  await page.mouse.up();
  const rendered = await page.locator(".react-flow__node").count();
  return {
    opened,
    dragFrames,
    dragMs,
    dragCpuMs,
    layoutCpuMs,
    selectMs,
    panel,
    typeMs,
    typeFrames,
    layoutMs,
    layoutFrames,
    wheelFrames,
    panFrames,
    renderedWhenZoomed: rendered,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number((s[Math.floor(s.length / 2)] ?? 0).toFixed(1));
}
const worst = (xs: number[]) => Number(Math.max(...xs).toFixed(1));

async function main(): Promise<void> {
  const given = process.argv[2];
  const outDir = given ?? mkdtempSync(join(tmpdir(), "updraft-designer-bench-"));
  if (given === undefined) await build({ root: WEB, logLevel: "warn", build: { outDir } });
  if (!existsSync(join(outDir, "index.html"))) throw new Error(`no build in ${outDir}`);
  const server = await preview({
    root: WEB,
    logLevel: "silent",
    build: { outDir },
    preview: { host: "127.0.0.1", port: 0 },
  });
  const address = server.httpServer.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  const base = `http://127.0.0.1:${address.port}`;
  const profile = mkdtempSync(join(tmpdir(), "updraft-designer-bench-profile-"));
  const context = await launchChromiumProfile(profile, { width: 1400, height: 900 });
  const { document: stored, edges } = workflow();
  try {
    const rounds: Awaited<ReturnType<typeof round>>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const page = await context.newPage();
      rounds.push(await round(page, base, stored));
      await page.close();
    }
    const m = (f: (r: (typeof rounds)[number]) => number) => median(rounds.map(f));
    const w = (f: (r: (typeof rounds)[number]) => number) => worst(rounds.map(f));
    console.log(
      JSON.stringify({
        bench: "designer-300",
        nodes: N,
        edges,
        rounds: ROUNDS,
        open_to_all_nodes_painted_ms: m((r) => r.opened.ms),
        nodes_rendered_at_fit: m((r) => r.opened.rendered),
        drag_steps: DRAG_STEPS,
        drag_frames: m((r) => r.dragFrames.frames),
        drag_frame_p50_ms: m((r) => r.dragFrames.p50),
        drag_frame_p95_ms: m((r) => r.dragFrames.p95),
        drag_frame_max_ms: w((r) => r.dragFrames.max),
        drag_frames_over_100ms: w((r) => r.dragFrames.over100),
        drag_wall_ms_per_move: m((r) => r.dragMs / DRAG_STEPS),
        drag_main_thread_cpu_ms_per_move: m((r) => r.dragCpuMs / DRAG_STEPS),
        // How often the dragged node actually moved on screen (frames with a new transform).
        drag_node_updates: m((r) => r.dragFrames.moves),
        drag_node_update_gap_p95_ms: m((r) => r.dragFrames.moveGapP95Ms),
        drag_node_update_gap_max_ms: w((r) => r.dragFrames.moveGapMaxMs),
        drag_long_tasks: m((r) => r.dragFrames.longTasks),
        drag_long_task_max_ms: w((r) => r.dragFrames.longTaskMaxMs),
        // Wall clock around Playwright's click and wait (coarse, includes the round trips).
        select_node_to_panel_ms: m((r) => r.selectMs),
        task_panel_checkboxes: m((r) => r.panel.checkboxes),
        task_panel_options: m((r) => r.panel.options),
        type_param_to_issue_painted_ms: m((r) => r.typeMs),
        type_param_frame_max_ms: w((r) => r.typeFrames.max),
        auto_layout_click_to_settled_ms: m((r) => r.layoutMs),
        auto_layout_frame_max_ms: w((r) => r.layoutFrames.max),
        auto_layout_main_thread_cpu_ms: m((r) => r.layoutCpuMs),
        auto_layout_long_task_max_ms: w((r) => r.layoutFrames.longTaskMaxMs),
        wheel_zoom_frame_p50_ms: m((r) => r.wheelFrames.p50),
        wheel_zoom_frame_p95_ms: m((r) => r.wheelFrames.p95),
        wheel_zoom_frame_max_ms: w((r) => r.wheelFrames.max),
        wheel_zoom_long_task_max_ms: w((r) => r.wheelFrames.longTaskMaxMs),
        pan_frame_p50_ms: m((r) => r.panFrames.p50),
        pan_frame_p95_ms: m((r) => r.panFrames.p95),
        pan_frame_max_ms: w((r) => r.panFrames.max),
        pan_frames_over_100ms: w((r) => r.panFrames.over100),
        nodes_rendered_zoomed_in: m((r) => r.renderedWhenZoomed),
      }),
    );
  } finally {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
    if (given === undefined) rmSync(outDir, { recursive: true, force: true });
  }
}

await main();
