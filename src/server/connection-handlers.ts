/**
 * `/api/v1/connections`: admins create, change and delete connections; editors list them
 * (names, types, non-secret fields) to grant them to tasks. Secret values never leave the
 * server: listings show them as null, and a PUT may send null for a secret field to keep
 * the stored value (so an edit form need not know the secret).
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { getOwn, isObject } from "../spec/json.js";
import type { ConnectionVault } from "../secrets/connection-vault.js";
import { CONNECTION_NAME } from "../secrets/connection.js";
import type { ApiRoute } from "./access.js";
import { badRequest, notFound } from "./http-errors.js";
import { json, NO_CONTENT } from "./reply.js";
import { drain, readJsonBody } from "./request-body.js";

// Sized for the connection model's limits (64 fields of at most 64 KiB, 256 KiB in all).
const CONNECTION_BODY_LIMIT = 512 * 1024;

function checkName(name: string): string {
  if (!CONNECTION_NAME.test(name))
    throw badRequest(
      `${JSON.stringify(name.slice(0, 80))} is not a connection name: 1-63 characters, a lower-case letter, then lower-case letters, digits or '_'`,
    );
  return name;
}

/** The connection routes over `vault`. */
export function connectionRoutes(vault: ConnectionVault): ApiRoute[] {
  return [
    {
      method: "GET",
      pattern: "/api/v1/connections",
      access: "connection:read",
      handler: async () => json(200, { connections: await vault.list() }),
    },
    {
      method: "GET",
      pattern: "/api/v1/connections/:name",
      access: "connection:read",
      handler: async ({ params }) => {
        const name = checkName(params["name"] ?? "");
        const found = (await vault.list()).find((c) => c.name === name);
        if (!found) throw notFound(`no connection named ${name}`);
        return json(200, found);
      },
    },
    {
      method: "PUT",
      pattern: "/api/v1/connections/:name",
      access: "connection:manage",
      handler: async ({ req, params }) => {
        const name = checkName(params["name"] ?? "");
        const body = await readJsonBody(req, CONNECTION_BODY_LIMIT);
        if (!isObject(body))
          throw badRequest(
            'the request body must be a JSON object such as {"type": "postgres", "fields": {"host": "db", "password": "..."}, "secretFields": ["password"]}',
          );
        const given = getOwn(body, "name");
        if (given !== undefined && given !== name)
          throw badRequest(`the body names connection ${JSON.stringify(given)}, the path ${name}`);
        const fields = await keepSecrets(vault, name, getOwn(body, "fields"));
        const saved = await vault.save({ ...body, name, ...(fields ? { fields } : {}) });
        return json(200, saved);
      },
    },
    {
      method: "DELETE",
      pattern: "/api/v1/connections/:name",
      access: "connection:manage",
      handler: async ({ req, params }) => {
        await drain(req);
        const name = checkName(params["name"] ?? "");
        if (!(await vault.delete(name))) throw notFound(`no connection named ${name}`);
        return NO_CONTENT;
      },
    },
  ];
}

// Null for a field that is secret in the stored connection means "keep the stored value".
async function keepSecrets(
  vault: ConnectionVault,
  name: string,
  fields: unknown,
): Promise<Record<string, unknown> | undefined> {
  if (!isObject(fields)) return undefined;
  const nulls = Object.entries(fields).filter(([, v]) => v === null);
  if (nulls.length === 0) return undefined;
  const stored = await vault.get(name);
  const out: Record<string, unknown> = { ...fields };
  for (const [field] of nulls) {
    const kept = stored?.secretFields.includes(field) ? stored.fields[field] : undefined;
    if (kept === undefined)
      throw new UpdraftError(
        ErrorCodes.VALIDATION,
        `fields.${field} is null, which keeps a stored secret, but connection ${name} has no secret field ${field}; send its value`,
        { details: [{ path: `fields.${field}`, message: "null keeps a stored secret only" }] },
      );
    out[field] = kept;
  }
  return out;
}
