/**
 * Granting connections to a task: each connection becomes environment variables.
 *
 * Naming: connection `warehouse` with fields host, user, password gives
 * `UPDRAFT_CONN_WAREHOUSE_HOST`, `UPDRAFT_CONN_WAREHOUSE_USER`,
 * `UPDRAFT_CONN_WAREHOUSE_PASSWORD`, and `UPDRAFT_CONN_WAREHOUSE` holding JSON
 * `{"name":"warehouse","type":"postgres","host":...,"user":...,"password":...}`. Names
 * and fields are upper-cased; both are `[a-z][a-z0-9_]*`, so the result is a valid
 * variable name. Two connections whose variables would coincide (connection `a` field
 * `b_c` and connection `a_b` field `c`) are refused together rather than one silently
 * overwriting the other.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { Connection } from "./connection.js";

/** Prefix of every connection variable. */
export const CONNECTION_ENV_PREFIX = "UPDRAFT_CONN_";

/** What a task receives: its variables, and the values its log must mask. */
export interface ConnectionGrant {
  env: Record<string, string>;
  /** Non-empty secret values, for MaskingLogSink. */
  secrets: string[];
}

/** The environment variables and secrets of `connections`. */
export function connectionEnv(connections: readonly Connection[]): ConnectionGrant {
  const env: Record<string, string> = {};
  const origin = new Map<string, string>();
  const secrets = new Set<string>();
  const put = (name: string, value: string, from: string): void => {
    const previous = origin.get(name);
    if (previous !== undefined)
      throw new UpdraftError(
        ErrorCodes.VALIDATION,
        `Connections clash: ${previous} and ${from} both become the environment variable ${name}; rename one of the connections or fields.`,
      );
    origin.set(name, from);
    env[name] = value;
  };
  for (const c of connections) {
    const base = CONNECTION_ENV_PREFIX + c.name.toUpperCase();
    put(base, JSON.stringify({ name: c.name, type: c.type, ...c.fields }), `connection ${c.name}`);
    for (const [field, value] of Object.entries(c.fields)) {
      put(`${base}_${field.toUpperCase()}`, value, `connection ${c.name} field ${field}`);
      if (c.secretFields.includes(field) && value !== "") secrets.add(value);
    }
  }
  return { env, secrets: [...secrets] };
}
