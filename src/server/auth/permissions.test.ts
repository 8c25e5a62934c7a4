import { describe, expect, it } from "vitest";
import { ErrorCodes } from "../../spec/errors.js";
import { authorize, can, PERMISSIONS, type Action } from "./permissions.js";
import type { Principal, Role } from "./principal.js";

const as = (role: Role, userId = `id-${role}`): Principal => ({
  userId,
  username: role,
  role,
  tokenId: "t",
  tokenKind: "session",
});
const actions = Object.keys(PERMISSIONS) as Action[];

describe("authorize", () => {
  it("gives admins every action", () => {
    for (const action of actions) expect(can(as("admin"), action), action).toBe(true);
  });

  it("gives viewers only reading and their own account", () => {
    const allowed = actions.filter((a) => can(as("viewer"), a));
    expect(allowed.sort()).toEqual(["notebook:read", "run:read", "self:manage", "workflow:read"]);
  });

  it("gives editors everything except managing users and connections", () => {
    const refused = actions.filter((a) => !can(as("editor"), a));
    expect(refused.sort()).toEqual(["connection:manage", "user:manage"]);
  });

  it("throws E_UNAUTHENTICATED without a principal and E_FORBIDDEN for a role too low", () => {
    expect(() => authorize(undefined, "workflow:read")).toThrow(
      expect.objectContaining({ code: ErrorCodes.UNAUTHENTICATED }) as Error,
    );
    expect(() => authorize(as("viewer"), "run:trigger")).toThrow(
      expect.objectContaining({
        code: ErrorCodes.FORBIDDEN,
        message:
          "Forbidden: run:trigger needs one of the roles admin, editor, and user viewer is viewer; ask an admin to change your role.",
        details: { action: "run:trigger", role: "viewer" },
      }) as Error,
    );
    expect(() => authorize(as("editor"), "user:manage")).toThrow(/needs the admin role/);
    expect(can(undefined, "workflow:read")).toBe(false);
  });

  it("lets editors modify only workflows they own; admins any; ownerless ones only admins", () => {
    const mine = { kind: "workflow" as const, name: "etl", ownerId: "me" };
    const theirs = { ...mine, ownerId: "someone-else" };
    const ownerless = { kind: "workflow" as const, name: "legacy", ownerId: null };
    const editor = as("editor", "me");
    expect(() => authorize(editor, "workflow:write", mine)).not.toThrow();
    expect(() => authorize(editor, "workflow:write", theirs)).toThrow(
      expect.objectContaining({
        code: ErrorCodes.FORBIDDEN,
        message: expect.stringContaining("belongs to another user") as unknown,
      }) as Error,
    );
    expect(() => authorize(editor, "workflow:write", ownerless)).toThrow(/has no owner/);
    expect(() => authorize(editor, "workflow:write", { kind: "workflow", name: "x" })).toThrow(
      /has no owner/,
    );
    for (const r of [mine, theirs, ownerless])
      expect(can(as("admin"), "workflow:write", r)).toBe(true);
    // Reading and running are not owner-bound.
    expect(can(editor, "workflow:read", theirs)).toBe(true);
    expect(can(editor, "run:trigger", theirs)).toBe(true);
    expect(can(as("viewer", "me"), "workflow:write", mine)).toBe(false);
  });
});
