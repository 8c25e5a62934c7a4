/**
 * The workflows page with 1,000 workflows in real Chromium (Debian's, playwright-core):
 * the built app (web/dist, served by vite preview) with the API answered by the bench
 * (every summary with a schedule, next run, owner and 10 last runs), so the figure is
 * the page's own work: fetch, JSON, React render, layout and paint. Prints one JSON line
 * of median milliseconds. Run: `cd web && npx vite build && npx tsx bench/workflows-page.ts`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Page, type Route } from "playwright-core";
import { preview } from "vite";

const WEB = join(import.meta.dirname, "..");
const N = 1000;
const ROUNDS = 7;
const SCHEDULES = ["0 2 * * *", "*/15 * * * *", "30 9 * * 1-5", "@daily", "0 0 1 * *", null];
const STATES = ["succeeded", "failed", "running", "queued", "cancelled"] as const;

function summaries() {
  return Array.from({ length: N }, (_, i) => ({
    name: `wf-${String(i).padStart(4, "0")}`,
    description: `Workflow number ${i}: loads, cleans and reports`,
    version: 1 + (i % 7),
    schedule: SCHEDULES[i % SCHEDULES.length] ?? null,
    paused: i % 3 === 0,
    nextRun: i % 3 === 0 ? null : new Date(Date.UTC(2026, 11, 2, i % 24, 0)).toISOString(),
    owner: `user${i % 12}`,
    tasks: 1 + (i % 9),
    params: {},
    lastRuns: Array.from({ length: 10 }, (_, k) => ({
      id: `run-${i}-${k}`,
      state: STATES[(i + k) % STATES.length]!,
      logicalDate: new Date(Date.UTC(2026, 10, 30 - k)).toISOString(),
    })),
  }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number((s[Math.floor(s.length / 2)] ?? 0).toFixed(1));
}

async function answer(route: Route, all: ReturnType<typeof summaries>): Promise<void> {
  const url = new URL(route.request().url());
  const json = (body: unknown) =>
    route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(body) });
  if (url.pathname === "/api/v1/auth/me")
    return json({ id: "u", username: "bench", role: "admin" });
  if (url.pathname === "/api/v1/notebooks") return json({ notebooks: [], truncated: false });
  if (url.pathname === "/api/v1/workflows") {
    const limit = Number(url.searchParams.get("limit") ?? N);
    const offset = Number(url.searchParams.get("offset") ?? 0);
    return json({ workflows: all.slice(offset, offset + limit), total: all.length, offset, limit });
  }
  const pause = /^\/api\/v1\/workflows\/([^/]+)\/(pause|unpause)$/.exec(url.pathname);
  if (pause) {
    const w = all.find((x) => x.name === pause[1])!;
    w.paused = pause[2] === "pause";
    return json(w);
  }
  return route.fulfill({ status: 404, body: "{}" });
}

/**
 * Milliseconds from an in-app navigation to `path` until the first rows, then all 1,000,
 * are in the DOM and painted.
 */
function untilRows(page: Page, path: string): Promise<{ first: number; all: number }> {
  return page.evaluate(
    ({ path, n }) =>
      new Promise<{ first: number; all: number }>((resolve) => {
        const t0 = performance.now();
        let first = -1;
        // Two frames: the one that lays the rows out and the one after it is painted.
        const painted = (then: (ms: number) => void) =>
          requestAnimationFrame(() => requestAnimationFrame(() => then(performance.now() - t0)));
        const rows = () => document.querySelectorAll("table.workflows tbody tr").length;
        const observer = new MutationObserver(() => {
          const count = rows();
          if (count > 0 && first === -1) {
            first = 0;
            painted((ms) => (first = ms));
          }
          if (count >= n) {
            observer.disconnect();
            painted((ms) => resolve({ first, all: ms }));
          }
        });
        observer.observe(document.body, { childList: true, subtree: true });
        // What the router does on a link click: a history entry, then it renders the route.
        history.pushState({}, "", path);
        dispatchEvent(new PopStateEvent("popstate"));
      }),
    { path, n: N },
  );
}

async function main(): Promise<void> {
  if (!existsSync(join(WEB, "dist", "index.html"))) throw new Error("run `npx vite build` first");
  const server = await preview({
    root: WEB,
    logLevel: "silent",
    preview: { host: "127.0.0.1", port: 0 },
  });
  const address = server.httpServer.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  const base = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  try {
    const all = summaries();
    const loads: number[] = [];
    const navigations: number[] = [];
    const toggles: number[] = [];
    const fetches: number[] = [];
    const firsts: number[] = [];
    const split: Record<string, number[]> = { script: [], layout: [], style: [], cpu: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      // tsx (esbuild keepNames) wraps named functions in __name(), which the page lacks.
      await page.addInitScript("globalThis.__name = (f) => f;");
      await page.addInitScript(() => sessionStorage.setItem("updraft.token", "bench"));
      await page.route("**/api/v1/**", (route) => answer(route, all));
      // A full load: navigation start to 1,000 painted rows (script parse, fetch, render).
      await page.goto(`${base}/?size=1000`);
      await page.waitForFunction(
        (n) => document.querySelectorAll("table.workflows tbody tr").length >= n,
        N,
      );
      loads.push(
        await page.evaluate(
          () =>
            new Promise<number>((resolve) =>
              requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now()))),
            ),
        ),
      );
      // An in-app navigation from the library to the list (what a user does most).
      await page.evaluate(() => {
        history.pushState({}, "", "/notebooks");
        dispatchEvent(new PopStateEvent("popstate"));
      });
      await page.waitForSelector("h1:text('Notebook library')");
      // What the API answer alone costs (through the bench's route): fetch and JSON.
      fetches.push(
        await page.evaluate(async () => {
          const t0 = performance.now();
          const res = await fetch("/api/v1/workflows?limit=1000&offset=0");
          await res.json();
          return performance.now() - t0;
        }),
      );
      // Where the main thread's time goes (Chromium's own counters, seconds).
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("Performance.enable");
      const metrics = async () => {
        const { metrics: m } = await cdp.send("Performance.getMetrics");
        const get = (name: string) => m.find((x) => x.name === name)?.value ?? 0;
        return {
          script: get("ScriptDuration"),
          layout: get("LayoutDuration"),
          style: get("RecalcStyleDuration"),
          // CPU time of the page's main thread: what the work costs without waiting for a
          // core (this machine's other processes inflate the wall-clock figures).
          cpu: get("ThreadTime"),
        };
      };
      const before = await metrics();
      const nav = await untilRows(page, "/?size=1000");
      navigations.push(nav.all);
      firsts.push(nav.first);
      const after = await metrics();
      for (const k of ["script", "layout", "style", "cpu"] as const)
        split[k]!.push((after[k] - before[k]) * 1000);
      // Pausing one workflow re-renders its row only.
      const name = all[500 + r]!.name;
      toggles.push(
        await page.evaluate(
          (label) =>
            new Promise<number>((resolve) => {
              const button = document.querySelector<HTMLButtonElement>(`[aria-label="${label}"]`)!;
              const before = button.getAttribute("aria-checked");
              const t0 = performance.now();
              const observer = new MutationObserver(() => {
                if (button.getAttribute("aria-checked") !== before) {
                  observer.disconnect();
                  requestAnimationFrame(() => resolve(performance.now() - t0));
                }
              });
              observer.observe(button, { attributes: true });
              button.click();
            }),
          `Paused: ${name}`,
        ),
      );
      await page.close();
    }
    console.log(
      JSON.stringify({
        bench: "workflows-page",
        workflows: N,
        last_runs_each: 10,
        rounds: ROUNDS,
        full_load_to_painted_rows_ms: median(loads),
        navigate_to_first_rows_painted_ms: median(firsts),
        navigate_to_painted_rows_ms: median(navigations),
        toggle_pause_one_row_ms: median(toggles),
        api_fetch_and_json_ms: median(fetches),
        navigate_script_ms: median(split["script"]!),
        navigate_layout_ms: median(split["layout"]!),
        navigate_style_ms: median(split["style"]!),
        navigate_main_thread_cpu_ms: median(split["cpu"]!),
        worst_navigate_ms: Number(Math.max(...navigations).toFixed(1)),
      }),
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
