/**
 * Connections encrypted at rest: validates, seals with the current key (AAD = the
 * connection's name, so an envelope copied onto another connection is refused), opens
 * with whichever key of the keyring sealed it. The server authorizes callers
 * (`connection:manage` to change, `connection:read` to list) before calling in; the engine
 * calls `resolve` to grant connections to a task.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { validateConnection, type Connection } from "./connection.js";
import type { ConnectionStore, StoredConnection } from "./connection-store.js";
import { open, seal } from "./secret-envelope.js";
import type { SecretKey } from "./secret-key.js";

/** A connection as listings show it: secret values replaced by null. */
export interface ConnectionSummary {
  name: string;
  type: string;
  fields: Record<string, string | null>;
  secretFields: string[];
  createdAt: string;
  updatedAt: string;
  /** Set instead of fields when the connection cannot be decrypted (wrong key, altered data). */
  error?: string;
}

/** The AAD context of a connection's envelope. */
export function connectionContext(name: string): string {
  return `connection ${name}`;
}

/** Options of ConnectionVault. */
export interface ConnectionVaultOptions {
  /** Older keys, still accepted for decryption during a key rotation. */
  previousKeys?: readonly SecretKey[];
  /** Clock in ms since the epoch (default Date.now). */
  now?: () => number;
}

/** Saves and reads connections through a ConnectionStore, encrypted with `key`. */
export class ConnectionVault {
  private readonly keyring: readonly SecretKey[];
  private readonly now: () => number;

  constructor(
    private readonly store: ConnectionStore,
    private readonly key: SecretKey,
    options: ConnectionVaultOptions = {},
  ) {
    this.keyring = [key, ...(options.previousKeys ?? [])];
    this.now = options.now ?? Date.now;
  }

  /** Validates and saves (creates or replaces) a connection; returns its summary. */
  async save(input: unknown): Promise<ConnectionSummary> {
    const connection = validateConnection(input);
    const existing = await this.store.getConnection(connection.name);
    const at = new Date(this.now()).toISOString();
    const stored: StoredConnection = {
      name: connection.name,
      type: connection.type,
      keyId: this.key.id,
      envelope: seal(
        this.key,
        JSON.stringify({ fields: connection.fields, secretFields: connection.secretFields }),
        connectionContext(connection.name),
      ),
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
    };
    await this.store.putConnection(stored);
    return summarize(stored, connection);
  }

  /** The connection with its values, or undefined; E_SECRET when it cannot be decrypted. */
  async get(name: string): Promise<Connection | undefined> {
    const stored = await this.store.getConnection(name);
    return stored === undefined ? undefined : this.decrypt(stored);
  }

  /** Every connection, secrets hidden; one that cannot be decrypted is listed with its error. */
  async list(): Promise<ConnectionSummary[]> {
    return (await this.store.listConnections()).map((stored) => {
      try {
        return summarize(stored, this.decrypt(stored));
      } catch (err) {
        return {
          name: stored.name,
          type: stored.type,
          fields: {},
          secretFields: [],
          createdAt: stored.createdAt,
          updatedAt: stored.updatedAt,
          error: (err as Error).message,
        };
      }
    });
  }

  /** Deletes a connection; false when there was none. */
  delete(name: string): Promise<boolean> {
    return this.store.deleteConnection(name);
  }

  /** The connections granted to a task, by name; E_NOT_FOUND naming every unknown one. */
  async resolve(names: readonly string[]): Promise<Connection[]> {
    const unique = [...new Set(names)];
    const found = await Promise.all(
      unique.map(async (name) => ({ name, connection: await this.get(name) })),
    );
    const missing = found.filter((f) => f.connection === undefined).map((f) => f.name);
    if (missing.length > 0)
      throw new UpdraftError(
        ErrorCodes.NOT_FOUND,
        `Unknown connection${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: an admin must create ${missing.length > 1 ? "them" : "it"} first (or fix the name in the workflow).`,
      );
    return found.map((f) => f.connection as Connection);
  }

  private decrypt(stored: StoredConnection): Connection {
    const plain = open(this.keyring, stored.envelope, connectionContext(stored.name));
    let payload: unknown;
    try {
      payload = JSON.parse(plain);
    } catch (err) {
      throw new UpdraftError(
        ErrorCodes.SECRET,
        `Connection ${stored.name} decrypted to something that is not JSON; restore it from a backup.`,
        { cause: err },
      );
    }
    // Shape only: the policy (e.g. the minimum secret length) applied when it was saved,
    // and a stricter policy later must not make existing connections unreadable.
    const { fields, secretFields } = (payload ?? {}) as {
      fields?: unknown;
      secretFields?: unknown;
    };
    const isStrings = (v: unknown): boolean =>
      typeof v === "object" && v !== null && Object.values(v).every((x) => typeof x === "string");
    if (!isStrings(fields) || !Array.isArray(secretFields) || !isStrings(secretFields))
      throw new UpdraftError(
        ErrorCodes.SECRET,
        `Connection ${stored.name} decrypted to an unexpected shape; restore it from a backup.`,
      );
    return {
      name: stored.name,
      type: stored.type,
      fields: { ...(fields as Record<string, string>) },
      secretFields: [...(secretFields as string[])],
    };
  }
}

function summarize(stored: StoredConnection, c: Connection): ConnectionSummary {
  const fields: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(c.fields)) fields[k] = c.secretFields.includes(k) ? null : v;
  return {
    name: c.name,
    type: c.type,
    fields,
    secretFields: [...c.secretFields],
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  };
}
