/**
 * A tiny router: literal path segments, `:name` captures of one segment and one `*name`
 * capture of one or more segments (joined with `/`), with 404 and 405 answers.
 */
import { HttpError, badRequest, notFound } from "./http-errors.js";

/** One route: a method, a pattern such as `/api/v1/runs/:id`, and what handles it. */
export interface Route<H> {
  method: string;
  pattern: string;
  handler: H;
}

/** A matched route with its decoded captures. */
export interface RouteMatch<H> {
  handler: H;
  params: Record<string, string>;
}

/**
 * Splits a raw request path into percent-decoded segments. Decoding per segment means an
 * encoded `/` (`%2f`) stays inside its segment, where id checks reject it; a malformed escape
 * is a 400. A trailing slash is ignored.
 */
export function pathSegments(rawPath: string): string[] {
  const parts = rawPath.split("/").slice(1);
  if (parts.length > 1 && parts.at(-1) === "") parts.pop();
  return parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      throw badRequest("the request path has a malformed percent-escape");
    }
  });
}

/** Finds the route for a method and path; throws 404 (no such path) or 405 (wrong method). */
export function matchRoute<H>(
  routes: readonly Route<H>[],
  method: string,
  segments: readonly string[],
): RouteMatch<H> {
  const allowed = new Set<string>();
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (!params) continue;
    // HEAD is GET without a body (node drops the body itself).
    if (route.method === method || (method === "HEAD" && route.method === "GET")) {
      return { handler: route.handler, params };
    }
    allowed.add(route.method);
  }
  if (allowed.size > 0) {
    const allow = [...allowed].sort().join(", ");
    throw new HttpError(
      405,
      "E_METHOD_NOT_ALLOWED",
      `method ${method} is not allowed here; use ${allow}`,
      { allow: [...allowed].sort() },
      { allow },
    );
  }
  throw notFound(`no such path; the API is under /api/v1`);
}

function matchPattern(
  pattern: string,
  segments: readonly string[],
): Record<string, string> | undefined {
  const parts = pattern.split("/").slice(1);
  const rest = parts.findIndex((p) => p.startsWith("*"));
  if (rest >= 0) return matchRest(parts, rest, segments);
  return matchParts(parts, segments);
}

function matchParts(
  parts: readonly string[],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? "";
    const segment = segments[i] ?? "";
    if (part.startsWith(":")) {
      if (segment === "") return undefined;
      params[part.slice(1)] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

// `*name` takes every segment between the literal parts before and after it (at least one).
// Its segments are checked by the handler: they may be empty or hold a decoded `/`.
function matchRest(
  parts: readonly string[],
  rest: number,
  segments: readonly string[],
): Record<string, string> | undefined {
  const after = parts.length - rest - 1;
  const taken = segments.length - rest - after;
  if (taken < 1) return undefined;
  const before = matchParts(parts.slice(0, rest), segments.slice(0, rest));
  const tail = matchParts(parts.slice(rest + 1), segments.slice(rest + taken));
  if (!before || !tail) return undefined;
  const name = (parts[rest] ?? "*").slice(1);
  return { ...before, ...tail, [name]: segments.slice(rest, rest + taken).join("/") };
}
