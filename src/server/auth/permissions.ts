/**
 * Who may do what: one table of actions and the roles allowed each, plus the one ownership
 * rule. Every endpoint calls `authorize` with its action; nothing else decides access.
 *
 * Ownership: a workflow's owner is the user who created it. Editors may modify (save a new
 * version, restore, delete) only workflows they own; admins may modify every workflow.
 * Workflows without an owner (loaded from files, or created before auth) are admin-only
 * for modification. Reading, and triggering/cancelling/repairing runs, is not owner-bound:
 * running a workflow does not change it.
 */
import { ErrorCodes, UpdraftError } from "../../spec/errors.js";
import type { Principal, Role } from "./principal.js";

/** Roles allowed each action. */
export const PERMISSIONS = {
  "workflow:read": ["admin", "editor", "viewer"],
  "workflow:create": ["admin", "editor"],
  /** Save a new version, restore a version, delete: owner-bound for editors. */
  "workflow:write": ["admin", "editor"],
  "run:read": ["admin", "editor", "viewer"],
  "run:trigger": ["admin", "editor"],
  "run:cancel": ["admin", "editor"],
  "run:repair": ["admin", "editor"],
  "notebook:read": ["admin", "editor", "viewer"],
  "notebook:write": ["admin", "editor"],
  /** See connection names, types and non-secret fields (never secret values). */
  "connection:read": ["admin", "editor"],
  /** Grant a connection to a task (save a workflow that names it). */
  "connection:use": ["admin", "editor"],
  /** Create, change, delete connections and their secrets. */
  "connection:manage": ["admin"],
  /** Create and delete users, change roles, reset passwords, revoke others' tokens. */
  "user:manage": ["admin"],
  /** Own account: change own password, create/list/revoke own API tokens, log out. */
  "self:manage": ["admin", "editor", "viewer"],
} as const satisfies Record<string, readonly Role[]>;

/** An action an endpoint performs. */
export type Action = keyof typeof PERMISSIONS;

/** The thing an action applies to, when ownership matters. */
export interface Resource {
  kind: "workflow";
  name: string;
  /** User id of the owner; null or absent when it has none. */
  ownerId?: string | null;
}

const OWNER_BOUND: ReadonlySet<Action> = new Set<Action>(["workflow:write"]);

/** Why `principal` may not do `action` on `resource`, or undefined when it may. */
function refusal(principal: Principal, action: Action, resource?: Resource): string | undefined {
  const allowed: readonly Role[] = PERMISSIONS[action];
  if (!allowed.includes(principal.role)) {
    const needed =
      allowed.length === 1
        ? `the ${allowed[0] ?? "admin"} role`
        : `one of the roles ${allowed.join(", ")}`;
    return `Forbidden: ${action} needs ${needed}, and user ${principal.username} is ${principal.role}; ask an admin to change your role.`;
  }
  if (principal.role !== "admin" && resource !== undefined && OWNER_BOUND.has(action)) {
    if (resource.ownerId === undefined || resource.ownerId === null)
      return `Forbidden: ${resource.kind} ${resource.name} has no owner, so only an admin can modify it.`;
    if (resource.ownerId !== principal.userId)
      return `Forbidden: ${resource.kind} ${resource.name} belongs to another user; only its owner or an admin can modify it.`;
  }
  return undefined;
}

/** True when `principal` may do `action` (on `resource`); false for no principal. */
export function can(
  principal: Principal | undefined,
  action: Action,
  resource?: Resource,
): boolean {
  return principal !== undefined && refusal(principal, action, resource) === undefined;
}

/**
 * Throws E_UNAUTHENTICATED (401) when there is no principal and E_FORBIDDEN (403) when the
 * role or ownership does not allow the action. An owner-bound action without a resource
 * (e.g. a check before the workflow is loaded) is judged on the role alone.
 */
export function authorize(
  principal: Principal | undefined,
  action: Action,
  resource?: Resource,
): asserts principal is Principal {
  if (principal === undefined)
    throw new UpdraftError(
      ErrorCodes.UNAUTHENTICATED,
      "Authentication required: send 'Authorization: Bearer <token>' with a token from POST /api/v1/auth/login or an API token.",
    );
  const why = refusal(principal, action, resource);
  if (why !== undefined)
    throw new UpdraftError(ErrorCodes.FORBIDDEN, why, {
      details: {
        action,
        role: principal.role,
        ...(resource ? { resource: `${resource.kind}:${resource.name}` } : {}),
      },
    });
}
