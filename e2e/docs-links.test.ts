/**
 * The docs hang together: every relative link in README.md and docs/*.md points at a file
 * that exists (and at a heading that exists, for `file.md#anchor`), and docs/README.md
 * indexes every page.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./cli-helpers.js";

const pages = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** Markdown without its fenced blocks. */
const withoutFences = (text: string): string =>
  text.replace(/^(\s*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?\n\s*\2\s*$/gm, "");

/** Markdown without fenced blocks and code spans, where link syntax is only text. */
const prose = (text: string): string => withoutFences(text).replace(/`+[^`\n]*`+/g, "");

/** GitHub's anchors of a page's headings (a repeated heading gets -1, -2, ...). */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of withoutFences(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = (m[1] ?? "")
      .replace(/`/g, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .trim()
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const headingAnchors = (path: string): Set<string> => anchorsOf(readFileSync(path, "utf8"));

describe("docs links", () => {
  it("point at files and headings that exist", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of pages) {
      const text = readFileSync(join(ROOT, page), "utf8");
      for (const m of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1] ?? "";
        if (/^[a-z]+:/i.test(target)) continue;
        checked++;
        const [file = "", anchor] = target.split("#");
        const path = file === "" ? join(ROOT, page) : join(ROOT, dirname(page), file);
        // Outside the repository (the shared design contract beside it): not ours to check,
        // and a clean clone elsewhere does not have it.
        if (relative(ROOT, path).startsWith("..")) continue;
        if (!existsSync(path)) broken.push(`${page}: ${target} (no such file)`);
        else if (
          anchor !== undefined &&
          path.endsWith(".md") &&
          !headingAnchors(path).has(anchor)
        ) {
          broken.push(`${page}: ${target} (no heading #${anchor} in ${relative(ROOT, path)})`);
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect(broken).toEqual([]);
  });

  it("docs/README.md indexes every page, and README.md links the index", () => {
    const index = readFileSync(join(ROOT, "docs", "README.md"), "utf8");
    const listed = new Set([...index.matchAll(/\]\(([^)#\s]+\.md)/g)].map((m) => m[1]));
    const missing = pages
      .filter((p) => p.startsWith("docs/") && p !== "docs/README.md")
      .map((p) => p.slice("docs/".length))
      .filter((p) => !listed.has(p));
    expect(missing).toEqual([]);
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("](docs/README.md)");
  });

  it("anchors follow GitHub's rules", () => {
    const anchors = anchorsOf(
      "# A `b` c\n## Repair\n## Repair\n### Concurrency: pools, max runs\n",
    );
    expect([...anchors]).toEqual(["a-b-c", "repair", "repair-1", "concurrency-pools-max-runs"]);
  });
});
