import { describe, expect, it } from "vitest";
import { HttpError } from "./http-errors.js";
import { matchRoute, pathSegments, type Route } from "./router.js";

const routes: Route<string>[] = [
  { method: "GET", pattern: "/", handler: "home" },
  { method: "GET", pattern: "/api/v1/runs/:id", handler: "run" },
  { method: "POST", pattern: "/api/v1/runs/:id/cancel", handler: "cancel" },
];

function status(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof HttpError ? err.status : -1;
  }
  return undefined;
}

describe("router", () => {
  it("decodes each segment on its own, so an encoded slash stays inside it", () => {
    expect(pathSegments("/api/v1/runs/a%2F..%2Fb")).toEqual(["api", "v1", "runs", "a/../b"]);
    expect(pathSegments("/")).toEqual([""]);
    expect(pathSegments("/api/v1/runs/x/")).toEqual(["api", "v1", "runs", "x"]);
    expect(status(() => pathSegments("/api/%zz"))).toBe(400);
  });

  it("matches captures, answers 405 for a known path and 404 otherwise", () => {
    expect(matchRoute(routes, "GET", pathSegments("/"))).toEqual({ handler: "home", params: {} });
    expect(matchRoute(routes, "HEAD", pathSegments("/api/v1/runs/r1"))).toEqual({
      handler: "run",
      params: { id: "r1" },
    });
    expect(status(() => matchRoute(routes, "GET", pathSegments("/api/v1/runs/r1/cancel")))).toBe(
      405,
    );
    expect(status(() => matchRoute(routes, "GET", pathSegments("/api/v1/nothing")))).toBe(404);
    expect(status(() => matchRoute(routes, "GET", pathSegments("/api/v1/runs//cancel")))).toBe(404);
  });

  it("captures one or more segments with *name, literal parts after it included", () => {
    const nb: Route<string>[] = [
      { method: "GET", pattern: "/api/v1/notebooks", handler: "list" },
      { method: "GET", pattern: "/api/v1/notebooks/*path/params", handler: "params" },
      { method: "GET", pattern: "/api/v1/notebooks/*path", handler: "read" },
    ];
    const match = (path: string) => matchRoute(nb, "GET", pathSegments(path));
    expect(match("/api/v1/notebooks")).toEqual({ handler: "list", params: {} });
    expect(match("/api/v1/notebooks/")).toEqual({ handler: "list", params: {} });
    expect(match("/api/v1/notebooks/a.ipynb")).toEqual({
      handler: "read",
      params: { path: "a.ipynb" },
    });
    expect(match("/api/v1/notebooks/x/y/a.ipynb/params")).toEqual({
      handler: "params",
      params: { path: "x/y/a.ipynb" },
    });
    // An encoded slash ends up as a separator too; empty segments reach the handler.
    expect(match("/api/v1/notebooks/x%2Fa.ipynb").params).toEqual({ path: "x/a.ipynb" });
    expect(match("/api/v1/notebooks/x//a.ipynb").params).toEqual({ path: "x//a.ipynb" });
    expect(match("/api/v1/notebooks/params")).toEqual({
      handler: "read",
      params: { path: "params" },
    });
    expect(status(() => matchRoute(nb, "POST", pathSegments("/api/v1/notebooks/a.ipynb")))).toBe(
      405,
    );
    expect(status(() => match("/api/v1/notebook/a.ipynb"))).toBe(404);
    const middle: Route<string>[] = [{ method: "GET", pattern: "/f/*rest/end/:id", handler: "m" }];
    expect(matchRoute(middle, "GET", pathSegments("/f/a/b/end/7"))).toEqual({
      handler: "m",
      params: { rest: "a/b", id: "7" },
    });
    expect(status(() => matchRoute(middle, "GET", pathSegments("/f/end/7")))).toBe(404);
  });
});
