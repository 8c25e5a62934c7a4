import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { HttpApiClient, type TokenStore } from "./http-client.js";
import { ApiError } from "./types.js";

// A loopback HTTP server answering like DESIGN.md §8 says the API does, recording requests.
const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];
let server: Server;
let base: string;

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => resolve(text));
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void body(req).then((text) => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        auth: req.headers.authorization,
        body: text,
      });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      const url = req.url ?? "";
      if (url === "/api/v1/auth/login") {
        const { password } = JSON.parse(text) as { password: string };
        if (password !== "pw")
          return json(401, { error: { code: "E_UNAUTHENTICATED", message: "wrong password" } });
        return json(200, {
          token: "t0k",
          expiresAt: "2026-12-01T12:00:00Z",
          user: { id: "u1", username: "ada", role: "editor" },
        });
      }
      if (url === "/api/v1/auth/logout") {
        res.writeHead(204);
        return res.end();
      }
      if (url === "/api/v1/auth/me") {
        if (req.headers.authorization !== "Bearer t0k")
          return json(401, { error: { code: "E_UNAUTHENTICATED", message: "session expired" } });
        return json(200, { id: "u1", username: "ada", role: "editor" });
      }
      if (url === "/api/v1/workflows") {
        if (req.method === "POST") return json(201, { name: "a", version: 1, document: {} });
        return json(200, { workflows: [{ name: "a" }] });
      }
      if (url.startsWith("/api/v1/workflows?"))
        return json(200, { workflows: [], total: 0, offset: 0, limit: 5 });
      if (url === "/api/v1/workflows/a" && req.method === "PUT")
        return json(200, { name: "a", version: 2, document: {} });
      if (url === "/api/v1/workflows/a/pause" || url === "/api/v1/workflows/a/unpause")
        return json(200, { name: "a", paused: url.endsWith("/pause") });
      if (url === "/api/v1/workflows/a/versions/3")
        return json(200, { name: "a", version: 3, createdAt: "x", document: { name: "a" } });
      if (url === "/api/v1/notebooks" && req.method === "POST")
        return json(201, { path: "team/x.ipynb", contentType: req.headers["content-type"] });
      if (url.startsWith("/api/v1/notebooks/"))
        return json(200, { params: [{ name: "x", inferredType: "int", default: "1", help: "" }] });
      if (url === "/api/v1/workflows/bad") {
        return json(400, {
          error: { code: "E_VALIDATION", message: "tasks.a: nope", details: [{ path: "tasks.a" }] },
        });
      }
      if (url === "/api/v1/workflows/html") {
        res.writeHead(502, { "content-type": "text/html" });
        return res.end("<html>bad gateway</html>");
      }
      if (url === "/api/v1/workflows/odd") return json(500, { error: { message: 42 } });
      return json(404, { error: { code: "E_NOT_FOUND", message: "no such thing" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function memoryTokens(): TokenStore {
  let token: string | null = null;
  return { get: () => token, set: (t) => (token = t) };
}

test("login keeps the token and sends it as a bearer token afterwards; logout revokes it", async () => {
  const client = new HttpApiClient(memoryTokens(), fetch, base);
  expect(client.signedIn()).toBe(false);
  expect(await client.login("ada", "pw")).toEqual({ id: "u1", username: "ada", role: "editor" });
  expect(client.signedIn()).toBe(true);
  expect(JSON.parse(seen.at(-1)!.body)).toEqual({ username: "ada", password: "pw" });
  expect(await client.listWorkflows()).toEqual([{ name: "a" }]);
  expect(seen.at(-1)!.auth).toBe("Bearer t0k");
  expect((await client.me()).role).toBe("editor");
  await client.logout();
  expect(seen.at(-1)).toMatchObject({
    method: "POST",
    url: "/api/v1/auth/logout",
    auth: "Bearer t0k",
  });
  expect(client.signedIn()).toBe(false);
});

test("a wrong password is the login's error; a 401 elsewhere forgets the token and tells listeners", async () => {
  const tokens = memoryTokens();
  const client = new HttpApiClient(tokens, fetch, base);
  const heard: string[] = [];
  client.onUnauthorized((m) => heard.push(m));
  await expect(client.login("ada", "nope")).rejects.toMatchObject({
    status: 401,
    message: "wrong password",
  });
  expect(heard).toEqual([]);
  tokens.set("stale");
  await expect(client.me()).rejects.toMatchObject({ status: 401, code: "E_UNAUTHENTICATED" });
  expect(heard).toEqual(["session expired"]);
  expect(client.signedIn()).toBe(false);
  // Signing out with the server unreachable still signs out here.
  const offline = new HttpApiClient(tokens, fetch, "http://127.0.0.1:1/api/v1");
  tokens.set("t0k");
  await expect(offline.logout()).rejects.toMatchObject({ code: "E_NETWORK" });
  expect(offline.signedIn()).toBe(false);
});

test("workflow writes use the server's {document} and {yaml} bodies; search, pause and versions", async () => {
  const client = new HttpApiClient(memoryTokens(), fetch, base);
  await client.createWorkflow({ name: "a", tasks: {} });
  expect(JSON.parse(seen.at(-1)!.body)).toEqual({ document: { name: "a", tasks: {} } });
  await client.importWorkflowYaml("name: a\n");
  expect(JSON.parse(seen.at(-1)!.body)).toEqual({ yaml: "name: a\n" });
  await client.saveWorkflow("a", { name: "a" });
  expect(seen.at(-1)).toMatchObject({
    method: "PUT",
    body: JSON.stringify({ document: { name: "a" } }),
  });
  expect(await client.searchWorkflows({ q: "a b&c", limit: 5, offset: 10 })).toMatchObject({
    total: 0,
  });
  expect(seen.at(-1)!.url).toBe("/api/v1/workflows?q=a+b%26c&limit=5&offset=10");
  expect((await client.setPaused("a", true)).paused).toBe(true);
  expect(seen.at(-1)).toMatchObject({ method: "POST", url: "/api/v1/workflows/a/pause" });
  await client.setPaused("a", false);
  expect(seen.at(-1)!.url).toBe("/api/v1/workflows/a/unpause");
  expect((await client.getVersion("a", 3)).document).toEqual({ name: "a" });
});

test("a notebook file is uploaded as multipart with its path and overwrite flag", async () => {
  const client = new HttpApiClient(memoryTokens(), fetch, base);
  const entry = await client.uploadNotebookFile("team/x.ipynb", new Blob(['{"cells": []}']), true);
  expect((entry as unknown as { contentType: string }).contentType).toMatch(
    /^multipart\/form-data; boundary=/,
  );
  const body = seen.at(-1)!.body;
  expect(body).toMatch(/name="path"\r\n\r\nteam\/x.ipynb/);
  expect(body).toMatch(/name="overwrite"\r\n\r\ntrue/);
  expect(body).toMatch(/name="file"; filename="x.ipynb"/);
  expect(body).toContain('{"cells": []}');
});

test("a notebook path keeps its slashes and has each segment encoded", async () => {
  const client = new HttpApiClient(memoryTokens(), fetch, base);
  const params = await client.notebookParams("notebooks/my nb?.ipynb");
  expect(params[0]?.name).toBe("x");
  expect(seen.at(-1)!.url).toBe("/api/v1/notebooks/notebooks/my%20nb%3F.ipynb/params");
});

test("API errors, non-JSON error pages and odd error bodies become ApiErrors", async () => {
  const client = new HttpApiClient(memoryTokens(), fetch, base);
  const bad = await client.getWorkflow("bad").catch((e: unknown) => e);
  expect(bad).toBeInstanceOf(ApiError);
  expect(bad).toMatchObject({
    status: 400,
    code: "E_VALIDATION",
    message: "tasks.a: nope",
    details: [{ path: "tasks.a" }],
  });
  await expect(client.getWorkflow("html")).rejects.toMatchObject({ status: 502, code: "E_HTTP" });
  await expect(client.getWorkflow("odd")).rejects.toMatchObject({ status: 500, code: "E_HTTP" });
  await expect(client.getWorkflow("../x")).rejects.toMatchObject({ status: 404 });
  expect(seen.at(-1)!.url).toBe("/api/v1/workflows/..%2Fx");
});

test("an unreachable server is an ApiError that says so", async () => {
  const client = new HttpApiClient(memoryTokens(), fetch, "http://127.0.0.1:1/api/v1");
  await expect(client.health()).rejects.toMatchObject({
    status: 0,
    code: "E_NETWORK",
    message: expect.stringMatching(/cannot be reached/) as unknown,
  });
});
