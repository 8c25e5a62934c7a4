/**
 * `updraft serve` serves the built web app: its files with their types and caching, the
 * single-page-app fallback for the app's routes, and nothing outside the directory (no
 * `..`, no symlinks out); API paths never fall back to the app.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendRaw, startTestService, tempCatalog, type TestService } from "./server-helpers.js";

const { tmp, catalog } = tempCatalog("updraft-web-serve-", {
  "hello.yaml": "name: hello\ntasks:\n  a: { type: empty }\n",
});
const web = join(tmp, "web");
let service: TestService;

beforeAll(async () => {
  mkdirSync(join(web, "assets"), { recursive: true });
  writeFileSync(join(web, "index.html"), "<!doctype html><title>app</title><div id=root></div>");
  writeFileSync(join(web, "assets", "index-abc123.js"), "console.log('app')");
  writeFileSync(join(web, "assets", "index-abc123.css"), "body{}");
  writeFileSync(join(tmp, "secret.txt"), "outside the web dir");
  symlinkSync(join(tmp, "secret.txt"), join(web, "link.txt"));
  service = await startTestService(tmp, { examples: catalog, webDir: web });
});
afterAll(async () => {
  await service.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const get = (path: string) => sendRaw(service.port, "GET", path);

describe("the web app", () => {
  it("serves index.html at / and for every app route, never cached, with a strict policy", async () => {
    for (const path of ["/", "/runs/abc", "/workflows/hello", "/signin?next=%2F", "/notebooks/"]) {
      const a = await get(path);
      expect(a.status, path).toBe(200);
      expect(a.headers["content-type"], path).toMatch(/^text\/html/);
      expect(a.text).toContain("<title>app</title>");
      expect(a.headers["cache-control"]).toBe("no-cache");
      const csp = String(a.headers["content-security-policy"]);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
    }
  });

  it("serves assets with their types, cached for good (their names carry a hash)", async () => {
    const js = await get("/assets/index-abc123.js");
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(js.headers["cache-control"]).toContain("immutable");
    expect(js.text).toBe("console.log('app')");
    expect((await get("/assets/index-abc123.css")).headers["content-type"]).toMatch(/^text\/css/);
  });

  it("never serves a file outside its directory", async () => {
    for (const path of [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/link.txt",
      "/assets/%00.js",
      "/assets\\..\\..\\secret.txt",
    ]) {
      const a = await get(path);
      expect(a.status, path).toBeLessThan(500);
      expect(a.text, path).not.toContain("outside the web dir");
    }
  });

  it("keeps API paths out of the fallback: unknown ones are JSON 404s, and the API needs a token", async () => {
    const unknown = await sendRaw(service.port, "GET", "/api/v1/nothing", {
      headers: service.auth,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers["content-type"]).toMatch(/^application\/json/);
    expect((await get("/api/v1/workflows")).status).toBe(401);
    expect((await get("/metrics")).status).toBe(401);
    // Writes to app paths are not a thing: no route, whatever the method.
    expect((await sendRaw(service.port, "POST", "/runs/abc")).status).toBe(404);
  });
});
