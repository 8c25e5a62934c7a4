/**
 * The API reference page at `/api/v1/docs`, rendered on the server from the OpenAPI
 * document: no scripts, no external assets (the service may run without internet),
 * every string escaped.
 */
import { escapeHtml as e } from "./html.js";

type Json = unknown;

const STYLE = `
:root{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2933;background:#f5f7fa}
body{margin:0}header{background:#243b53;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#bcccdc;font-size:13px}
header a{color:#9fb3c8}main{padding:8px 24px 40px;max-width:1100px}
h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #cbd2d9;padding-bottom:4px}
section.op{background:#fff;box-shadow:0 1px 2px #0002;margin:10px 0;padding:10px 14px}
h3{font-size:14px;margin:0 0 6px}.m{display:inline-block;min-width:52px;text-align:center;border-radius:3px;
color:#fff;font-size:12px;padding:1px 6px;margin-right:8px}.m-get{background:#2680c2}.m-post{background:#27ab83}
.m-put{background:#de911d}.m-delete{background:#cf1124}.m-patch{background:#8719e0}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:4px 8px;
border-bottom:1px solid #e4e7eb;font-size:13px;vertical-align:top}th{background:#f0f4f8;font-weight:600}
code,pre{font-size:12px}pre{background:#f0f4f8;padding:8px;overflow:auto;max-height:480px}
p{font-size:14px;margin:4px 0}.muted{color:#7b8794}ul.toc{columns:2;font-size:13px}
`;

/** Renders the page for an OpenAPI document; `nonce` lets the page's own style apply. */
export function renderDocsPage(doc: Json, nonce: string): string {
  const info = obj(get(doc, "info"));
  const paths = obj(get(doc, "paths"));
  const schemas = obj(get(get(doc, "components"), "schemas"));
  const ops: { tag: string; method: string; path: string; op: Record<string, Json> }[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(obj(item))) {
      const o = obj(op);
      const tags = Array.isArray(o["tags"]) ? (o["tags"] as Json[]) : [];
      ops.push({ tag: str(tags[0]) || "other", method, path, op: o });
    }
  }
  const byTag = new Map<string, typeof ops>();
  for (const op of ops) byTag.set(op.tag, [...(byTag.get(op.tag) ?? []), op]);

  const sections = [...byTag.entries()].map(
    ([tag, list]) =>
      `<h2 id="tag-${e(tag)}">${e(tag)}</h2>\n${list.map((o) => operation(o.method, o.path, o.op)).join("\n")}`,
  );
  const toc = ops
    .map(
      (o) =>
        `<li><a href="#${e(anchor(o.method, o.path))}">${e(o.method.toUpperCase())} ${e(o.path)}</a></li>`,
    )
    .join("");
  const schemaList = Object.entries(schemas)
    .map(
      ([name, schema]) =>
        `<details id="schema-${e(name)}"><summary><code>${e(name)}</code> ${text(str(get(schema, "description")))}</summary>` +
        `<pre>${e(JSON.stringify(schema, null, 2))}</pre></details>`,
    )
    .join("\n");

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(str(get(info, "title")))} reference</title><style nonce="${e(nonce)}">${STYLE}</style></head>
<body><header><h1>${e(str(get(info, "title")))} <span class="muted">${e(str(get(info, "version")))}</span></h1>
<p>${text(str(get(info, "description")))} Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI ${e(str(get(doc, "openapi")))}).</p></header>
<main><h2>Endpoints</h2><ul class="toc">${toc}</ul>
${sections.join("\n")}
<h2 id="schemas">Schemas</h2>
${schemaList}
</main></body></html>
`;
}

function operation(method: string, path: string, op: Record<string, Json>): string {
  const parts: string[] = [
    `<section class="op" id="${e(anchor(method, path))}"><h3><span class="m m-${e(method)}">${e(method.toUpperCase())}</span><code>${e(path)}</code> — ${e(str(op["summary"]))}</h3>`,
  ];
  const description = str(op["description"]);
  if (description) parts.push(`<p>${text(description)}</p>`);
  const params = Array.isArray(op["parameters"]) ? (op["parameters"] as Json[]) : [];
  if (params.length > 0) {
    const rows = params
      .map(
        (p) =>
          `<tr><td><code>${e(str(get(p, "name")))}</code></td><td>${e(str(get(p, "in")))}</td>` +
          `<td>${schemaLabel(get(p, "schema"))}</td><td>${text(str(get(p, "description")))}</td></tr>`,
      )
      .join("");
    parts.push(
      `<table><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>${rows}</table>`,
    );
  }
  const body = get(op, "requestBody");
  if (body !== undefined) {
    const required = get(body, "required") === true ? "required" : "optional";
    parts.push(
      `<p><b>Body</b> (${required}): ${contentLabels(get(body, "content"))} — ${text(str(get(body, "description")))}</p>`,
    );
  }
  const rows = Object.entries(obj(op["responses"]))
    .map(([status, r]) => {
      const events = Object.entries(obj(get(r, "x-events")))
        .map(([name, s]) => `<code>${e(name)}</code>: ${schemaLabel(s)}`)
        .join(", ");
      return (
        `<tr><td>${e(status)}</td><td>${contentLabels(get(r, "content"))}</td>` +
        `<td>${text(str(get(r, "description")))}${events ? `<br>events: ${events}` : ""}</td></tr>`
      );
    })
    .join("");
  parts.push(`<table><tr><th>status</th><th>body</th><th>meaning</th></tr>${rows}</table>`);
  parts.push("</section>");
  return parts.join("\n");
}

function contentLabels(content: Json): string {
  const entries = Object.entries(obj(content));
  if (entries.length === 0) return '<span class="muted">none</span>';
  return entries
    .map(([type, media]) => `<code>${e(type)}</code> ${schemaLabel(get(media, "schema"))}`)
    .join("<br>");
}

// A short, linked name for a schema: `Run`, `array of Run`, `string`.
function schemaLabel(schema: Json): string {
  const r = str(get(schema, "$ref"));
  const local = /^#\/components\/schemas\/([A-Za-z0-9_]+)$/.exec(r);
  if (local) return `<a href="#schema-${e(local[1] ?? "")}">${e(local[1] ?? "")}</a>`;
  if (r) return `<code>${e(r)}</code>`;
  const type = get(schema, "type");
  if (type === "array") return `array of ${schemaLabel(get(schema, "items"))}`;
  if (Array.isArray(type)) return e(type.map(str).join(" | "));
  if (typeof type === "string") return e(type);
  return '<span class="muted">any</span>';
}

// Escapes text and shows `backticked` spans as code (split first: backticks get escaped).
function text(value: string): string {
  return value
    .split("`")
    .map((piece, i) => (i % 2 === 1 ? `<code>${e(piece)}</code>` : e(piece)))
    .join("");
}

function anchor(method: string, path: string): string {
  return `op-${method}-${path.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

function get(value: Json, key: string): Json {
  return typeof value === "object" && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, Json>)[key]
    : undefined;
}

function obj(value: Json): Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, Json>)
    : {};
}

function str(value: Json): string {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}
