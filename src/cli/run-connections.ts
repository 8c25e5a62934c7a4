/**
 * The connection vault `updraft run` grants connections from: the one beside the run's
 * store (`--db`, else the data directory's SQLite file), with the key from
 * UPDRAFT_SECRET_KEY or the data directory's key file. Opened only for a workflow that
 * names connections, so other runs never touch key material.
 */
import type { ConnectionResolver } from "../engine/connection-grant.js";
import type { ConnectionStore } from "../secrets/connection-store.js";
import { ConnectionVault } from "../secrets/connection-vault.js";
import { openConnectionStore } from "../secrets/open-connection-store.js";
import { resolveSecretKey } from "../secrets/secret-key.js";
import type { Workflow } from "../spec/types.js";

/** An opened vault and how to close it. */
export interface RunConnections {
  resolver: ConnectionResolver;
  close(): Promise<void>;
}

/** Every connection name the workflow's tasks list, once each. */
export function connectionNames(workflow: Workflow): string[] {
  return [...new Set(Object.values(workflow.tasks).flatMap((t) => t.connections ?? []))];
}

/**
 * The vault for `workflow`, or undefined when it names no connection. Throws E_SECRET for
 * an unusable key (before any task runs: every task naming a connection would fail).
 */
export async function openRunConnections(
  workflow: Workflow,
  where: { dataDir: string; db?: string },
  secretKey: string | undefined,
): Promise<RunConnections | undefined> {
  if (connectionNames(workflow).length === 0) return undefined;
  const key = resolveSecretKey(secretKey, where.dataDir);
  const store: ConnectionStore = await openConnectionStore(where);
  return { resolver: new ConnectionVault(store, key), close: () => store.close() };
}
