/**
 * Every route says who may call it, and one wrapper enforces it before the handler runs:
 * a route cannot be added without an access rule, and no handler checks tokens itself.
 */
import type { Authenticator } from "./auth/authenticator.js";
import { authorize, type Action } from "./auth/permissions.js";
import type { Handler } from "./api-handlers.js";
import type { Route } from "./router.js";

/**
 * `public`: no token (health, the API reference, login, the web app's files);
 * `authenticated`: any signed-in user (their own account); an Action: the roles of
 * PERMISSIONS. Owner-bound checks (workflow:write) happen again in the handler once the
 * workflow, and so its owner, is known.
 */
export type Access = "public" | "authenticated" | Action;

/** A route of the API with its access rule. */
export interface ApiRoute extends Route<Handler> {
  access: Access;
}

/** The routes with authentication and role checks in front of each non-public handler. */
export function guardRoutes(routes: readonly ApiRoute[], authenticator: Authenticator): ApiRoute[] {
  return routes.map((route) => {
    if (route.access === "public") return route;
    const inner = route.handler;
    const access = route.access;
    const handler: Handler = async (r) => {
      const principal = await authenticator.authenticate(r.req.headers.authorization);
      if (access !== "authenticated") authorize(principal, access);
      return inner({ ...r, principal });
    };
    return { ...route, handler };
  });
}
