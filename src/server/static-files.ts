/**
 * The web app's built files (web/dist) at `/`, with the single-page-app fallback: a path
 * that is not a file gets index.html, so a reload of `/runs/ID` works. Paths are confined
 * to the directory (no `..`, no links out); `/api/` and `/metrics` never fall back.
 */
import { realpathSync, statSync } from "node:fs";
import { extname, join, sep } from "node:path";
import { notFound } from "./http-errors.js";
import type { Reply } from "./reply.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

// The app loads only its own files; notebook images arrive as data: URLs; React Flow and
// the app set inline styles. Nothing may frame it.
const APP_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
  "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
  "form-action 'self'; frame-ancestors 'none'";

/** True for a request path the web app answers (everything but the API and `/metrics`). */
export function isAppPath(segments: readonly string[]): boolean {
  const first = segments[0] ?? "";
  return first !== "api" && !(first === "metrics" && segments.length === 1);
}

/**
 * The answer to GET `segments` (decoded path segments) from `webDir`, or a page saying how
 * to build the app when there is none. Public: the files hold no data, the API does.
 */
export function appFile(webDir: string | undefined, segments: readonly string[]): Reply {
  return webDir === undefined ? notBuilt() : serveFile(webDir, segments.join("/"));
}

function serveFile(webDir: string, path: string): Reply {
  const root = realpathSync(webDir);
  const file = resolveInside(root, path) ?? join(root, "index.html");
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw notFound("the web app's index.html is missing: run `make web`");
  }
  const hashed = file.startsWith(join(root, "assets") + sep);
  return {
    kind: "file",
    status: 200,
    path: file,
    size,
    contentType: TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
    headers: {
      "content-security-policy": APP_CSP,
      // Vite names assets by content hash, so they never change; index.html always may.
      "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
    },
  };
}

// A regular file under root named by `path`, or undefined (then the app's index.html).
function resolveInside(root: string, path: string): string | undefined {
  if (path === "" || path.includes("\0")) return undefined;
  const parts = path.split("/");
  if (parts.some((p) => p === ".." || p === "." || p === "" || p.includes("\\"))) return undefined;
  try {
    const real = realpathSync(join(root, ...parts));
    if (!real.startsWith(root + sep) || !statSync(real).isFile()) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

function notBuilt(): Reply {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Updraft</title></head>
<body><h1>Updraft</h1><p>The web app is not built here: run <code>make web</code> (or <code>make start</code>) and reload.</p>
<p>The API works without it: see the <a href="/api/v1/docs">API reference</a>.</p>
<p>Sign in with the admin account printed at first start.</p></body></html>`;
  return {
    kind: "html",
    status: 200,
    body,
    headers: { "content-security-policy": "default-src 'none'; frame-ancestors 'none'" },
  };
}
