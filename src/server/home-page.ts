/**
 * The server-rendered page at `/`: workflows with a Run form and the latest runs with their
 * task states, refreshed every 2 s. Interim until the web designer lands; no external assets,
 * and every user-controlled string is escaped.
 */
import type { RunView } from "../engine/run-view.js";
import type { ParamSpec } from "../spec/types.js";
import { escapeHtml as e, escapeSegment } from "./html.js";

/** What the page shows of one workflow. */
export interface PageWorkflow {
  name: string;
  description?: string;
  version: number;
  schedule?: string;
  tasks: number;
  params: Record<string, ParamSpec>;
}

/** Inputs of the page. */
export interface HomePageInput {
  workflows: PageWorkflow[];
  runs: RunView[];
  /** Per-response CSP nonce that lets the page's own style and script run. */
  nonce: string;
  /** Current time in ms, for the duration of running runs. */
  now: number;
}

const STYLE = `
:root{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2933;background:#f5f7fa}
body{margin:0}header{background:#243b53;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#bcccdc;font-size:13px}
main{padding:16px 24px;max-width:1200px}h2{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 2px #0002}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid #e4e7eb;font-size:13px;vertical-align:top}
th{background:#f0f4f8;font-weight:600}code{font-size:12px}.muted{color:#7b8794}
.badge{display:inline-block;border-radius:9px;padding:1px 8px;font-size:12px;color:#fff;margin:1px 2px;white-space:nowrap}
.badge a{color:inherit}
.s-pending,.s-queued{background:#9aa5b1}.s-running{background:#2680c2}.s-succeeded{background:#27ab83}
.s-failed{background:#cf1124}.s-upstream_failed{background:#de911d}.s-retrying{background:#f0b429;color:#222}
.s-skipped{background:#cbd2d9;color:#222}.s-cancelled{background:#616e7c}
form{display:flex;flex-wrap:wrap;gap:6px;align-items:center}
input{font:inherit;font-size:12px;padding:3px 5px;width:110px;border:1px solid #cbd2d9;border-radius:3px}
button{font:inherit;font-size:13px;padding:3px 12px;border:0;border-radius:3px;background:#2680c2;color:#fff;cursor:pointer}
#status{min-height:18px;font-size:13px}#status.err{color:#cf1124}
`;

// Runs a workflow from its form (values typed by the param's declared type) and swaps in the
// fresh runs table every 2 s; the workflows table is left alone so typed values survive.
const SCRIPT = `
const status = document.getElementById("status");
function say(text, err) { status.textContent = text; status.className = err ? "err" : ""; }
function value(input) {
  const t = input.dataset.type, v = input.value;
  if (t === "string") return v;
  if (t === "number" || t === "integer") return Number(v);
  if (t === "boolean") return v === "true";
  return JSON.parse(v);
}
document.addEventListener("submit", async (ev) => {
  const form = ev.target.closest("form[data-workflow]");
  if (!form) return;
  ev.preventDefault();
  const params = {};
  try {
    for (const input of form.querySelectorAll("input[data-param]")) {
      if (input.value !== "") params[input.dataset.param] = value(input);
    }
  } catch (err) { say("invalid value: " + err.message, true); return; }
  const name = form.dataset.workflow;
  const res = await fetch("/api/v1/workflows/" + encodeURIComponent(name) + "/runs", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ params }),
  }).catch(() => null);
  if (!res) { say("cannot reach the server", true); return; }
  const body = await res.json().catch(() => ({}));
  if (res.ok) say("started run " + body.id + " of " + name);
  else say((body.error && body.error.message) || "HTTP " + res.status, true);
  refresh();
});
async function refresh() {
  try {
    const res = await fetch(location.pathname, { headers: { accept: "text/html" } });
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.getElementById("runs");
    if (fresh) document.getElementById("runs").replaceWith(fresh);
  } catch { /* the server may be restarting; try again on the next tick */ }
}
setInterval(refresh, 2000);
`;

/** Renders the whole page. */
export function renderHomePage(input: HomePageInput): string {
  const nonce = e(input.nonce);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Updraft</title>
<style nonce="${nonce}">${STYLE}</style>
<noscript><meta http-equiv="refresh" content="2"></noscript>
</head><body>
<header><h1>Updraft</h1>
<p>A minimal page for this milestone: run the loaded workflows and watch their runs.
The full workflow designer UI is coming.</p></header>
<main>
<h2>Workflows</h2>
${workflowsTable(input.workflows)}
<p id="status" role="status"></p>
${runsSection(input.runs, input.now)}
</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body></html>
`;
}

function workflowsTable(workflows: PageWorkflow[]): string {
  if (workflows.length === 0) {
    return `<p class="muted">No workflows loaded. Start the server with <code>--examples DIR</code>.</p>`;
  }
  const rows = workflows.map(
    (w) => `<tr><td><strong>${e(w.name)}</strong><div class="muted">v${w.version}${
      w.schedule ? ` &middot; <code>${e(w.schedule)}</code>` : ""
    } &middot; ${w.tasks} task${w.tasks === 1 ? "" : "s"}</div></td>
<td>${e(w.description ?? "")}</td>
<td><form data-workflow="${e(w.name)}">${paramInputs(w.params)}<button type="submit">Run</button></form></td></tr>`,
  );
  return `<table><thead><tr><th>Workflow</th><th>Description</th><th>Run with params</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>`;
}

function paramInputs(params: Record<string, ParamSpec>): string {
  return Object.entries(params)
    .map(([name, spec]) => {
      const placeholder =
        spec.default === undefined
          ? `${name} (required)`
          : `${name} = ${JSON.stringify(spec.default)}`;
      const title = spec.description ? `${name}: ${spec.description}` : `${name} (${spec.type})`;
      return `<input data-param="${e(name)}" data-type="${e(spec.type)}" placeholder="${e(
        placeholder,
      )}" title="${e(title)}" aria-label="${e(name)}">`;
    })
    .join("");
}

function runsSection(runs: RunView[], now: number): string {
  if (runs.length === 0) {
    return `<section id="runs"><h2>Latest runs</h2><p class="muted">No runs yet.</p></section>`;
  }
  const rows = runs.map((r) => {
    const tasks = Object.entries(r.tasks)
      .map(([id, t]) => {
        const label =
          t.attempts > 0
            ? `<a href="/api/v1/runs/${escapeSegment(r.id)}/tasks/${escapeSegment(id)}/log">${e(id)}</a>`
            : e(id);
        const title = t.error ? `${t.state}: ${t.error.message}` : t.state;
        return `<span class="badge s-${e(t.state)}" title="${e(title)}">${label}</span>`;
      })
      .join("");
    return `<tr><td><a href="/api/v1/runs/${escapeSegment(r.id)}"><code title="${e(r.id)}">${e(
      r.id.slice(0, 8),
    )}</code></a></td><td>${e(r.workflow)} <span class="muted">v${r.version}</span></td>
<td><span class="badge s-${e(r.state)}">${e(r.state)}</span></td>
<td>${e(formatTime(r.startedAt))}</td><td>${e(duration(r, now))}</td><td>${tasks}</td></tr>`;
  });
  return `<section id="runs"><h2>Latest runs</h2>
<table><thead><tr><th>Run</th><th>Workflow</th><th>State</th><th>Started (UTC)</th><th>Took</th><th>Tasks</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table></section>`;
}

function formatTime(iso: string | null): string {
  return iso
    ? iso
        .replace("T", " ")
        .replace(/\.\d+Z$/, "")
        .replace(/Z$/, "")
    : "—";
}

function duration(r: RunView, now: number): string {
  if (!r.startedAt) return "";
  const end = r.endedAt ? Date.parse(r.endedAt) : now;
  const ms = Math.max(0, end - Date.parse(r.startedAt));
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}
