/**
 * The OpenAPI entries of the account and connection endpoints (auth-handlers.ts,
 * connection-handlers.ts); merged into ROUTE_DOCS.
 */
import type { JsonObject } from "../spec/types.js";
import { ref } from "./openapi-schemas.js";
import type { ResponseDoc, RouteDoc } from "./openapi-routes.js";

const ok = (description: string, schema: JsonObject): ResponseDoc => ({
  description,
  content: { "application/json": schema },
});
const failure = (description: string): ResponseDoc => ({
  description,
  content: { "application/json": ref("Error") },
});
const done: ResponseDoc = { description: "Done; no body." };
const str = { type: "string" };
const USER: JsonObject = {
  type: "object",
  required: ["id", "username", "role"],
  properties: {
    id: str,
    username: str,
    role: { enum: ["admin", "editor", "viewer"] },
    createdAt: { type: "string", format: "date-time" },
  },
};
const TOKEN: JsonObject = {
  type: "object",
  required: ["id", "name", "kind"],
  properties: {
    id: str,
    name: str,
    kind: { enum: ["session", "pat"] },
    createdAt: { type: "string", format: "date-time" },
    expiresAt: { type: ["string", "null"], format: "date-time" },
    lastUsedAt: { type: ["string", "null"], format: "date-time" },
    revokedAt: { type: ["string", "null"], format: "date-time" },
  },
};
const CONNECTION: JsonObject = {
  type: "object",
  required: ["name", "type", "fields", "secretFields"],
  properties: {
    name: str,
    type: str,
    fields: {
      type: "object",
      description: "Field values; secret ones are null.",
      additionalProperties: { type: ["string", "null"] },
    },
    secretFields: { type: "array", items: str },
    createdAt: { type: "string", format: "date-time" },
    updatedAt: { type: "string", format: "date-time" },
    error: { type: "string", description: "Set when the connection cannot be decrypted." },
  },
};
const body = (description: string, schema: JsonObject) => ({
  description,
  required: true,
  schema,
});
const ID = { id: "Id." };
const NAME = { name: "Connection name, e.g. `warehouse`." };

/** Entries by `METHOD pattern`. */
export const AUTH_ROUTE_DOCS: Readonly<Record<string, RouteDoc>> = {
  "POST /api/v1/auth/login": {
    tag: "auth",
    summary: "Log in",
    public: true,
    description:
      "Exchanges a username and password for a session token (12 h). Repeated failures " +
      "for a username from one address are answered 429 with Retry-After.",
    requestBody: body("The credentials.", {
      type: "object",
      required: ["username", "password"],
      additionalProperties: false,
      properties: { username: str, password: str },
    }),
    responses: {
      "200": ok("Logged in.", {
        type: "object",
        required: ["token", "expiresAt", "user"],
        properties: { token: str, expiresAt: { type: "string", format: "date-time" }, user: USER },
      }),
      "401": failure("Invalid username or password."),
      "429": failure("Too many failed logins; wait as Retry-After says."),
    },
  },
  "POST /api/v1/auth/logout": {
    tag: "auth",
    summary: "Log out (revoke the token used)",
    responses: { "204": done },
  },
  "GET /api/v1/auth/me": {
    tag: "auth",
    summary: "Who the token belongs to",
    responses: { "200": ok("The user.", USER) },
  },
  "PUT /api/v1/auth/password": {
    tag: "auth",
    summary: "Change the own password",
    description: "Ends the user's other sessions.",
    requestBody: body("The current and the new password.", {
      type: "object",
      required: ["current", "password"],
      additionalProperties: false,
      properties: { current: str, password: str },
    }),
    responses: { "204": done, "400": failure("The new password is too weak.") },
  },
  "GET /api/v1/auth/tokens": {
    tag: "auth",
    summary: "The own tokens",
    responses: {
      "200": ok("Tokens, without their secret part.", {
        type: "object",
        properties: { tokens: { type: "array", items: TOKEN } },
      }),
    },
  },
  "POST /api/v1/auth/tokens": {
    tag: "auth",
    summary: "Create an API token (for the CLI and CI)",
    requestBody: body("Name and lifetime.", {
      type: "object",
      required: ["name"],
      additionalProperties: false,
      properties: {
        name: str,
        expiresInDays: { type: ["integer", "null"], minimum: 1, maximum: 3650 },
      },
    }),
    responses: {
      "201": ok("The token: shown this once.", {
        allOf: [TOKEN, { type: "object", required: ["token"], properties: { token: str } }],
      }),
      "409": failure("A token with that name exists, or too many tokens."),
    },
  },
  "DELETE /api/v1/auth/tokens/:id": {
    tag: "auth",
    summary: "Revoke a token",
    pathParams: ID,
    responses: { "204": done, "404": failure("No such token of yours.") },
  },
  "GET /api/v1/users": {
    tag: "users",
    summary: "List users (admin)",
    responses: {
      "200": ok("Users.", {
        type: "object",
        properties: { users: { type: "array", items: USER } },
      }),
    },
  },
  "POST /api/v1/users": {
    tag: "users",
    summary: "Create a user (admin)",
    requestBody: body("The new user.", {
      type: "object",
      required: ["username", "password", "role"],
      additionalProperties: false,
      properties: { username: str, password: str, role: { enum: ["admin", "editor", "viewer"] } },
    }),
    responses: { "201": ok("Created.", USER), "409": failure("The username is taken.") },
  },
  "PATCH /api/v1/users/:id": {
    tag: "users",
    summary: "Change a user's role or reset their password (admin)",
    pathParams: ID,
    requestBody: body("What changes.", {
      type: "object",
      additionalProperties: false,
      properties: { role: { enum: ["admin", "editor", "viewer"] }, password: str },
    }),
    responses: {
      "200": ok("The user.", USER),
      "404": failure("No such user."),
      "409": failure("The last admin cannot stop being one."),
    },
  },
  "DELETE /api/v1/users/:id": {
    tag: "users",
    summary: "Delete a user and their tokens (admin)",
    pathParams: ID,
    responses: { "204": done, "404": failure("No such user.") },
  },
  "GET /api/v1/connections": {
    tag: "connections",
    summary: "List connections (secret values hidden)",
    responses: {
      "200": ok("Connections.", {
        type: "object",
        properties: { connections: { type: "array", items: CONNECTION } },
      }),
    },
  },
  "GET /api/v1/connections/:name": {
    tag: "connections",
    summary: "Read a connection (secret values hidden)",
    pathParams: NAME,
    responses: { "200": ok("The connection.", CONNECTION), "404": failure("No such connection.") },
  },
  "PUT /api/v1/connections/:name": {
    tag: "connections",
    summary: "Create or replace a connection (admin)",
    description:
      "Encrypted at rest with AES-256-GCM. A secret field sent as null keeps its stored value.",
    pathParams: NAME,
    requestBody: body("The connection.", {
      type: "object",
      required: ["type", "fields"],
      properties: {
        type: str,
        fields: { type: "object", additionalProperties: { type: ["string", "null"] } },
        secretFields: { type: "array", items: str },
      },
    }),
    responses: { "200": ok("Saved.", CONNECTION) },
  },
  "DELETE /api/v1/connections/:name": {
    tag: "connections",
    summary: "Delete a connection (admin)",
    pathParams: NAME,
    responses: { "204": done, "404": failure("No such connection.") },
  },
};
