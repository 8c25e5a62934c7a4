/**
 * Persistence of encrypted connections. Only the name, the type and timestamps are in the
 * clear; fields and secrets are inside the envelope. Implemented by SqliteConnectionStore
 * here; the main store is expected to implement it too.
 */

/** A connection as stored. */
export interface StoredConnection {
  name: string;
  type: string;
  /** The id of the key the envelope is sealed with (also inside the envelope). */
  keyId: string;
  /** `v1.<key id>.<iv>.<ciphertext>.<tag>` (see secret-envelope.ts). */
  envelope: string;
  createdAt: string;
  updatedAt: string;
}

/** Storage of encrypted connections. Every method may reject with an E_STORE UpdraftError. */
export interface ConnectionStore {
  /** Inserts or replaces the connection named `connection.name`. */
  putConnection(connection: StoredConnection): Promise<void>;
  /**
   * Replaces the envelope only if it is still `expectedEnvelope` (compare-and-set, so a key
   * rotation never overwrites a concurrent edit); false when it changed or is gone.
   */
  replaceEnvelope(
    name: string,
    expectedEnvelope: string,
    keyId: string,
    envelope: string,
  ): Promise<boolean>;
  getConnection(name: string): Promise<StoredConnection | undefined>;
  /** Every connection, by name. */
  listConnections(): Promise<StoredConnection[]>;
  /** False when there was no such connection. */
  deleteConnection(name: string): Promise<boolean>;
  close(): Promise<void>;
}
