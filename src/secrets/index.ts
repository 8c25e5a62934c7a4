/** Connections (encrypted named credentials), the secret key, and log masking. */
export { validateConnection, type Connection } from "./connection.js";
export { CONNECTION_ENV_PREFIX, connectionEnv, type ConnectionGrant } from "./connection-env.js";
export type { ConnectionStore, StoredConnection } from "./connection-store.js";
export {
  ConnectionVault,
  type ConnectionSummary,
  type ConnectionVaultOptions,
} from "./connection-vault.js";
export {
  generateSecretKey,
  rotateConnectionKey,
  writeKeyFile,
  type RotationResult,
} from "./key-rotation.js";
export { MASK, MaskingLogSink, secretMatcher } from "./masking-log-sink.js";
export { SecretMasker } from "./secret-masker.js";
export {
  KEY_FILE_NAME,
  loadOrCreateKeyFile,
  parseSecretKey,
  resolveSecretKey,
  type SecretKey,
} from "./secret-key.js";
export { MIN_SECRET_LENGTH, secretVariants } from "./secret-variants.js";
export { SqliteConnectionStore } from "./sqlite-connection-store.js";
export { PostgresConnectionStore } from "./postgres-connection-store.js";
export { openConnectionStore } from "./open-connection-store.js";
export { dbLocation, type DbSpec } from "./db-location.js";
