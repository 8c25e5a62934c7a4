/**
 * The account endpoints: login and logout, who am I, the own password, API tokens, and the
 * admin's user management. The rules live in auth/ (Accounts, LoginService); these
 * handlers only parse bodies and shape answers.
 */
import type { Accounts } from "./auth/accounts.js";
import type { LoginService } from "./auth/login.js";
import type { Principal } from "./auth/principal.js";
import type { ApiRequest } from "./api-handlers.js";
import type { ApiRoute } from "./access.js";
import { badRequest } from "./http-errors.js";
import { json, NO_CONTENT, type Reply } from "./reply.js";
import { drain, readJsonBody } from "./request-body.js";
import { getOwn, isObject } from "../spec/json.js";

/** What the account endpoints need. */
export interface AuthRouteDeps {
  login: LoginService;
  accounts: Accounts;
  /** Told when a user is deleted, so what they owned is shown as ownerless. */
  onUserDeleted?: (userId: string) => void;
}

// Credentials and account changes are small; a larger body is a mistake or an attack.
const AUTH_BODY_LIMIT = 16 * 1024;

const noContent = (): Reply => NO_CONTENT;

function me(p: Principal) {
  return { id: p.userId, username: p.username, role: p.role };
}

/** A JSON object body with only `allowed` fields; anything else is a 400 saying what is accepted. */
async function objectBody(
  r: ApiRequest,
  allowed: readonly string[],
  example: string,
): Promise<Record<string, unknown>> {
  const body = await readJsonBody(r.req, AUTH_BODY_LIMIT);
  if (!isObject(body))
    throw badRequest(`the request body must be a JSON object such as ${example}`);
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw badRequest(
      `unknown field(s) ${unknown.map((k) => JSON.stringify(k.slice(0, 64))).join(", ")}; accepted: ${allowed.join(", ")}`,
      { fields: unknown.slice(0, 20) },
    );
  const out: Record<string, unknown> = {};
  for (const k of allowed) if (getOwn(body, k) !== undefined) out[k] = getOwn(body, k);
  return out;
}

// The guard sets the principal on every non-public route; this narrows it for TypeScript.
function principalOf(r: ApiRequest): Principal {
  if (r.principal === undefined) throw new Error("route without authentication");
  return r.principal;
}

/** The routes under `/api/v1/auth` and `/api/v1/users`. */
export function authRoutes(deps: AuthRouteDeps): ApiRoute[] {
  const { accounts } = deps;
  return [
    {
      method: "POST",
      pattern: "/api/v1/auth/login",
      access: "public",
      handler: async (r) => {
        const body = await objectBody(
          r,
          ["username", "password"],
          '{"username": "admin", "password": "..."}',
        );
        const result = await deps.login.login(
          body["username"],
          body["password"],
          r.req.socket.remoteAddress ?? "unknown",
        );
        return json(200, {
          token: result.token,
          expiresAt: result.expiresAt,
          user: me(result.principal),
        });
      },
    },
    {
      method: "POST",
      pattern: "/api/v1/auth/logout",
      access: "authenticated",
      handler: async (r) => {
        await drain(r.req);
        await deps.login.logout(principalOf(r));
        return noContent();
      },
    },
    {
      method: "GET",
      pattern: "/api/v1/auth/me",
      access: "authenticated",
      handler: (r) => Promise.resolve(json(200, me(principalOf(r)))),
    },
    {
      method: "PUT",
      pattern: "/api/v1/auth/password",
      access: "self:manage",
      handler: async (r) => {
        const body = await objectBody(
          r,
          ["current", "password"],
          '{"current": "...", "password": "..."}',
        );
        await accounts.changeOwnPassword(principalOf(r), body["current"], body["password"]);
        return noContent();
      },
    },
    {
      method: "GET",
      pattern: "/api/v1/auth/tokens",
      access: "self:manage",
      handler: async (r) => json(200, { tokens: await accounts.listTokens(principalOf(r)) }),
    },
    {
      method: "POST",
      pattern: "/api/v1/auth/tokens",
      access: "self:manage",
      handler: async (r) => {
        const body = await objectBody(
          r,
          ["name", "expiresInDays"],
          '{"name": "ci-nightly", "expiresInDays": 90}',
        );
        const { token, info } = await accounts.createApiToken(principalOf(r), {
          name: body["name"],
          ...("expiresInDays" in body ? { expiresInDays: body["expiresInDays"] } : {}),
        });
        return json(201, { token, ...info });
      },
    },
    {
      method: "DELETE",
      pattern: "/api/v1/auth/tokens/:id",
      access: "self:manage",
      handler: async (r) => {
        await drain(r.req);
        await accounts.revokeToken(principalOf(r), r.params["id"] ?? "");
        return noContent();
      },
    },
    {
      method: "GET",
      pattern: "/api/v1/users",
      access: "user:manage",
      handler: async (r) => json(200, { users: await accounts.listUsers(principalOf(r)) }),
    },
    {
      method: "POST",
      pattern: "/api/v1/users",
      access: "user:manage",
      handler: async (r) => {
        const body = await objectBody(
          r,
          ["username", "password", "role"],
          '{"username": "ana", "password": "...", "role": "editor"}',
        );
        const user = await accounts.createUser(principalOf(r), {
          username: body["username"],
          password: body["password"],
          role: body["role"],
        });
        return json(201, user, { location: `/api/v1/users/${encodeURIComponent(user.id)}` });
      },
    },
    {
      method: "PATCH",
      pattern: "/api/v1/users/:id",
      access: "user:manage",
      handler: async (r) => {
        const actor = principalOf(r);
        const id = r.params["id"] ?? "";
        const body = await objectBody(r, ["role", "password"], '{"role": "viewer"}');
        if (Object.keys(body).length === 0) throw badRequest('send "role", "password" or both');
        if ("password" in body) await accounts.resetPassword(actor, id, body["password"]);
        if ("role" in body) return json(200, await accounts.setRole(actor, id, body["role"]));
        const user = (await accounts.listUsers(actor)).find((u) => u.id === id);
        return json(200, user ?? null);
      },
    },
    {
      method: "DELETE",
      pattern: "/api/v1/users/:id",
      access: "user:manage",
      handler: async (r) => {
        await drain(r.req);
        const id = r.params["id"] ?? "";
        await accounts.deleteUser(principalOf(r), id);
        deps.onUserDeleted?.(id);
        return noContent();
      },
    },
  ];
}
