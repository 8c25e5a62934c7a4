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
});
