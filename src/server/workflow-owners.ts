/**
 * Who owns each workflow: the user who created it through the API. Kept in memory (loaded
 * once at start) because every list and every write asks; persisted through the store.
 * Workflows loaded from files have no owner, which makes them admin-only to modify.
 */
import type { Store } from "../store/types.js";
import type { AuthStore } from "./auth/auth-store.js";
import type { Principal } from "./auth/principal.js";

/** Workflow owners, with their usernames for display. */
export class WorkflowOwners {
  private readonly owners = new Map<string, string>();
  private readonly usernames = new Map<string, string>();

  private constructor(private readonly store: Store) {}

  /** Loads every owner from `store` and the usernames from `users`. */
  static async load(store: Store, users: AuthStore): Promise<WorkflowOwners> {
    const owners = new WorkflowOwners(store);
    for (const state of await store.listWorkflowStates())
      if (state.ownerId !== null) owners.owners.set(state.name, state.ownerId);
    for (const user of await users.listUsers()) owners.usernames.set(user.id, user.username);
    return owners;
  }

  /** The owner's user id, or null. */
  ownerId(workflow: string): string | null {
    return this.owners.get(workflow) ?? null;
  }

  /** The owner's username, or null (no owner, or the owner's account was deleted). */
  ownerName(workflow: string): string | null {
    const id = this.owners.get(workflow);
    return id === undefined ? null : (this.usernames.get(id) ?? null);
  }

  /** Makes `principal` the owner of `workflow` (on create). */
  async claim(workflow: string, principal: Principal, at: string): Promise<void> {
    await this.store.setOwner(workflow, principal.userId, at);
    this.owners.set(workflow, principal.userId);
    this.usernames.set(principal.userId, principal.username);
  }

  /** Forgets a deleted user's name; their workflows show no owner (and become admin-only). */
  userDeleted(userId: string): void {
    this.usernames.delete(userId);
  }
}
