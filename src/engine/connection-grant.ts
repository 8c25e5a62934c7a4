/**
 * Granting connections to a task attempt: resolves the names the task lists through the
 * engine's ConnectionResolver, turns them into environment variables and a SecretMasker for
 * everything the attempt writes (log, replica logs, notebook, outputs, error message).
 */
import { readFile, readdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Connection } from "../secrets/connection.js";
import { CONNECTION_ENV_PREFIX, connectionEnv } from "../secrets/connection-env.js";
import { SecretMasker } from "../secrets/secret-masker.js";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { OUTPUTS_FILE } from "../tasks/contract.js";
import { REPLICAS_DIR } from "../tasks/jobs/replica-group.js";

/** Finds connections by name (ConnectionVault is one); rejects naming the unknown ones. */
export interface ConnectionResolver {
  /** The connections named, values in the clear; rejects (E_NOT_FOUND) when one is unknown. */
  resolve(names: readonly string[]): Promise<Connection[]>;
}

/** What an attempt is granted. */
export interface ConnectionGrantResult {
  /** `UPDRAFT_CONN_*` variables. */
  env: Record<string, string>;
  masker: SecretMasker;
}

/** A connection failure of an attempt, and whether retrying it could help. */
export class ConnectionGrantError extends UpdraftError {
  constructor(
    message: string,
    readonly retryable: boolean,
    cause?: unknown,
  ) {
    super(ErrorCodes.CONNECTION, message, cause === undefined ? {} : { cause });
  }
}

// Codes that mean the configuration is wrong: the same attempt would fail the same way in
// a few seconds, so retrying only delays the error an admin or the author must fix.
const CONFIG_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.NOT_FOUND,
  ErrorCodes.SECRET,
  ErrorCodes.VALIDATION,
  ErrorCodes.CONNECTION,
]);

/** Resolves `names` for task `taskId`; throws ConnectionGrantError (E_CONNECTION). */
export async function grantConnections(
  resolver: ConnectionResolver | undefined,
  names: readonly string[],
  taskId: string,
): Promise<ConnectionGrantResult> {
  const list = names.join(", ");
  const plural = names.length > 1 ? "s" : "";
  if (resolver === undefined)
    throw new ConnectionGrantError(
      `task ${taskId} names connection${plural} ${list}, but this engine has no connection vault; run it with \`updraft serve\` or \`updraft run\`, which open the vault of their store`,
      false,
    );
  let connections: Connection[];
  try {
    connections = await resolver.resolve(names);
  } catch (err) {
    const code = err instanceof UpdraftError ? err.code : undefined;
    const why = err instanceof Error ? err.message : String(err);
    const retryable = code === undefined || !CONFIG_CODES.has(code);
    throw new ConnectionGrantError(
      `task ${taskId} cannot be granted connection${plural} ${list}: ${why}`,
      retryable,
      err,
    );
  }
  const byName = new Map(connections.map((c) => [c.name, c]));
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length > 0)
    throw new ConnectionGrantError(
      `task ${taskId}: unknown connection${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; an admin must create ${missing.length > 1 ? "them" : "it"} first (or fix the name in the workflow)`,
      false,
    );
  const granted = names.map((n) => byName.get(n) as Connection);
  let env: Record<string, string>;
  let secrets: string[];
  try {
    ({ env, secrets } = connectionEnv(granted));
  } catch (err) {
    throw new ConnectionGrantError(
      `task ${taskId}: ${err instanceof Error ? err.message : String(err)}`,
      false,
      err,
    );
  }
  for (const c of granted) {
    try {
      // One by one only to name the connection whose secret cannot be masked.
      new SecretMasker(c.secretFields.map((f) => c.fields[f] ?? ""));
    } catch (err) {
      throw new ConnectionGrantError(
        `task ${taskId}: connection ${c.name} cannot be granted: ${err instanceof Error ? err.message : String(err)} An admin must update the connection.`,
        false,
        err,
      );
    }
  }
  return { env, masker: new SecretMasker(secrets) };
}

/**
 * The environment of an attempt: the engine's base environment without inherited
 * connection variables or the vault's key (a task sees only the connections it names, and
 * never the key that decrypts them all), then the task's `env`, then the granted
 * connections. The runner adds the UPDRAFT_* contract variables last; connection variables
 * are all `UPDRAFT_CONN_*`, so they can never replace one of those.
 */
export function attemptEnv(
  baseEnv: NodeJS.ProcessEnv,
  taskEnv: Record<string, string> | undefined,
  granted: Record<string, string> | undefined,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(baseEnv))
    if (!key.startsWith(CONNECTION_ENV_PREFIX) && key !== SECRET_KEY_VARIABLE) env[key] = value;
  Object.assign(env, taskEnv);
  for (const [key, value] of Object.entries(granted ?? {}))
    if (key.startsWith(CONNECTION_ENV_PREFIX)) env[key] = value;
  return env;
}

/** The variable the vault's key may come from (see secrets/secret-key.ts). */
export const SECRET_KEY_VARIABLE = "UPDRAFT_SECRET_KEY";

/**
 * Masks, in place, the outputs files an attempt's processes wrote (`outputs.txt`, and each
 * replica's `replicas/<name>.outputs.txt`): their values are stored masked, and the raw
 * files must not keep the secrets on disk either. Missing files are fine.
 */
export async function maskOutputFiles(attemptDir: string, masker: SecretMasker): Promise<void> {
  const replicas = await readdir(join(attemptDir, REPLICAS_DIR)).catch(() => [] as string[]);
  const files = [
    join(attemptDir, OUTPUTS_FILE),
    ...replicas
      .filter((f) => f.endsWith(".outputs.txt"))
      .map((f) => join(attemptDir, REPLICAS_DIR, f)),
  ];
  for (const file of files) {
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    const masked = masker.text(text);
    if (masked === text) continue;
    // Replaced whole by a rename, so no reader sees a half-masked file.
    await writeFile(`${file}.tmp`, masked);
    await rename(`${file}.tmp`, file);
  }
}
