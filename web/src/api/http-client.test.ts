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
      if (url === "/api/v1/auth/login") return json(200, { token: "t0k" });
      if (url === "/api/v1/workflows") return json(200, { workflows: [{ name: "a" }] });
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

test("login keeps the token and sends it as a bearer token afterwards", async () => {
  const client = new HttpApiClient(memoryTokens(), fetch, base);
  expect(client.signedIn()).toBe(false);
  await client.login("ada", "pw");
  expect(client.signedIn()).toBe(true);
  expect(JSON.parse(seen.at(-1)!.body)).toEqual({ username: "ada", password: "pw" });
  expect(await client.listWorkflows()).toEqual([{ name: "a" }]);
  expect(seen.at(-1)!.auth).toBe("Bearer t0k");
  client.logout();
  expect(client.signedIn()).toBe(false);
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
