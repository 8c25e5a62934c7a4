/**
 * The OpenAPI 3.1 document of the HTTP API, built from the route table of
 * `openapi-routes.ts`, and the routes serving it: `GET /api/v1/openapi.json` and the
 * browsable reference `GET /api/v1/docs`.
 */
import { randomBytes } from "node:crypto";
import type { JsonObject } from "../spec/types.js";
import { renderDocsPage } from "./docs-page.js";
import { ROUTE_DOCS, type ResponseDoc, type RouteDoc } from "./openapi-routes.js";
import { componentSchemas, ref } from "./openapi-schemas.js";
import { json } from "./reply.js";
import type { ApiRoute } from "./access.js";

/** Version of the API the document describes (not of the package). */
export const API_VERSION = "1.0.0";

const ERROR_CONTENT = { "application/json": { schema: ref("Error") } };

/** Splits a route table key `GET /api/v1/runs/:id` into method and pattern. */
export function splitRouteKey(key: string): { method: string; pattern: string } {
  const space = key.indexOf(" ");
  return { method: key.slice(0, space), pattern: key.slice(space + 1) };
}

/** The OpenAPI path of a router pattern: `/runs/:id` -> `/runs/{id}` (`*rest` too). */
export function openApiPath(pattern: string): string {
  return pattern.replace(/[:*]([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");
}

/** Builds the whole document from the route table. */
export function buildOpenApiDocument(
  docs: Readonly<Record<string, RouteDoc>> = ROUTE_DOCS,
): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const [key, doc] of Object.entries(docs)) {
    const { method, pattern } = splitRouteKey(key);
    const path = openApiPath(pattern);
    (paths[path] ??= {})[method.toLowerCase()] = operation(method, pattern, doc);
  }
  const tags = [...new Set(Object.values(docs).map((d) => d.tag))].sort();
  return {
    openapi: "3.1.0",
    info: {
      title: "Updraft API",
      version: API_VERSION,
      description:
        "The HTTP API of `updraft serve`. Every error is `{error: {code, message, details}}`: " +
        "4xx when the request was at fault, 5xx only for the server's own failures.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas: componentSchemas(),
      responses: {
        Error: { description: "An error.", content: ERROR_CONTENT },
      },
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description:
            "A login token (`POST /api/v1/auth/login`) or a personal access token, sent as " +
            "`Authorization: Bearer <token>`.",
        },
      },
    },
    security: [{ bearer: [] }],
  };
}

function operation(method: string, pattern: string, doc: RouteDoc): JsonObject {
  const captures = [...pattern.matchAll(/[:*]([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? "");
  const parameters: JsonObject[] = [
    ...captures.map((name) => ({
      name,
      in: "path",
      required: true,
      description: doc.pathParams?.[name] ?? name,
      schema: { type: "string" },
    })),
    ...(doc.query ?? []).map((q) => ({
      name: q.name,
      in: "query",
      required: false,
      description: q.description,
      schema: q.schema,
    })),
  ];
  const responses: Record<string, JsonObject> = {};
  for (const [status, r] of Object.entries(doc.responses)) responses[status] = response(r);
  const common = commonErrors(method, doc);
  for (const [status, description] of Object.entries(common)) {
    responses[status] ??= { description, content: ERROR_CONTENT };
  }
  // Listed by status, as readers look them up.
  const sorted = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => (a < b ? -1 : 1)));
  const op: JsonObject = {
    operationId: operationId(method, pattern),
    tags: [doc.tag],
    summary: doc.summary,
    ...(doc.description !== undefined ? { description: doc.description } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    responses: sorted,
    ...(doc.public ? { security: [] } : {}),
  };
  if (doc.requestBody) {
    op["requestBody"] = {
      description: doc.requestBody.description,
      required: doc.requestBody.required,
      content: {
        "application/json": { schema: doc.requestBody.schema },
        ...Object.fromEntries(
          Object.entries(doc.requestBody.alsoAccepts ?? {}).map(([t, schema]) => [t, { schema }]),
        ),
      },
    };
  }
  return op;
}

function response(r: ResponseDoc): JsonObject {
  const content: Record<string, JsonObject> = {};
  for (const [type, schema] of Object.entries(r.content ?? {})) content[type] = { schema };
  return {
    description: r.description,
    ...(r.content ? { content } : {}),
    // Event names and payloads of a stream: OpenAPI 3.1 has no field for them.
    ...(r.events ? { "x-events": r.events } : {}),
  };
}

// Answers any route can give, beyond what its table entry lists.
function commonErrors(method: string, doc: RouteDoc): Record<string, string> {
  const errors: Record<string, string> = {};
  if (doc.requestBody && Object.keys(doc.requestBody.schema).length > 0) {
    errors["400"] = "The body is not valid JSON or does not have the documented shape.";
    errors["413"] = "The body is larger than the limit.";
    errors["415"] = "The body is not `application/json`.";
  }
  if (!doc.public) {
    errors["401"] = "No token, or a malformed, unknown, expired or revoked one.";
    errors["403"] = "The user's role (or, for a workflow, ownership) does not allow this.";
  } else if (method !== "GET" && method !== "HEAD") {
    errors["403"] = "A cross-origin request from a browser; writes must come from this site.";
  }
  errors["5XX"] = "The server failed; its log has the details.";
  return errors;
}

function operationId(method: string, pattern: string): string {
  const words = pattern
    .split("/")
    .filter((p) => p !== "" && p !== "api" && p !== "v1")
    .map((p) => (p.startsWith(":") || p.startsWith("*") ? `by-${p.slice(1)}` : p));
  const id = [method.toLowerCase(), ...(words.length > 0 ? words : ["root"])]
    .join("-")
    .replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase());
  return id;
}

/** `GET /api/v1/openapi.json` and `GET /api/v1/docs`, for `apiRoutes`. */
export function docsRoutes(): ApiRoute[] {
  const document = buildOpenApiDocument();
  return [
    {
      method: "GET",
      pattern: "/api/v1/openapi.json",
      access: "public",
      handler: () => Promise.resolve(json(200, document)),
    },
    {
      method: "GET",
      pattern: "/api/v1/docs",
      access: "public",
      handler: () => {
        const nonce = randomBytes(16).toString("base64");
        return Promise.resolve({
          kind: "html",
          status: 200,
          body: renderDocsPage(document, nonce),
          headers: {
            // The page is static: its own style and nothing else.
            "content-security-policy":
              `default-src 'none'; style-src 'nonce-${nonce}'; ` +
              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          },
        });
      },
    },
  ];
}
