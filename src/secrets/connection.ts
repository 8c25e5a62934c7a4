/**
 * Connections: named credentials for the platform's data systems (a warehouse, a bucket,
 * an HTTP API), with the fields a task needs and which of them are secret. This module is
 * the model and its validation; storage is connection-vault.ts.
 */
import { ErrorCodes, ValidationError, type ValidationIssue } from "../spec/errors.js";
import { CONNECTION_NAME_RE } from "../spec/names.js";
import { MIN_SECRET_LENGTH } from "./secret-variants.js";

/** A connection with its values in the clear (only ever in memory). */
export interface Connection {
  /** `[a-z][a-z0-9_]{0,62}`; unique; becomes part of environment variable names. */
  name: string;
  /** What it connects to, e.g. postgres, s3, http: `[a-z][a-z0-9_-]{0,31}`. */
  type: string;
  /** Every field and its value, secret ones included. */
  fields: Record<string, string>;
  /** Names of the fields whose values are secret: encrypted, never shown, masked in logs. */
  secretFields: string[];
}

/** Connection and field names (the workflow format's rule, so a task can name every connection). */
export const CONNECTION_NAME: RegExp = CONNECTION_NAME_RE;
const TYPE = /^[a-z][a-z0-9_-]{0,31}$/;
/** Field names that would clash with the keys of the connection's JSON variable. */
export const RESERVED_FIELDS: readonly string[] = ["name", "type"];
const MAX_FIELDS = 64;
const MAX_VALUE_BYTES = 64 * 1024;
const MAX_TOTAL_BYTES = 256 * 1024;

/** Throws a ValidationError (every issue) unless `input` is a well-formed connection. */
export function validateConnection(input: unknown): Connection {
  const issues: ValidationIssue[] = [];
  const issue = (path: string, message: string): void => void issues.push({ path, message });
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new ValidationError([
      { path: "", message: "A connection must be an object {name, type, fields, secretFields}." },
    ]);
  const obj = input as Record<string, unknown>;
  for (const key of Object.keys(obj))
    if (!["name", "type", "fields", "secretFields"].includes(key))
      issue(
        key.slice(0, 64),
        "Unknown field; a connection has name, type, fields and secretFields.",
      );
  const { name, type, fields, secretFields } = obj;
  if (typeof name !== "string" || !CONNECTION_NAME.test(name))
    issue(
      "name",
      "The name must be 1-63 characters: a lower-case letter, then lower-case letters, digits or '_'.",
    );
  if (typeof type !== "string" || !TYPE.test(type))
    issue(
      "type",
      "The type must be 1-32 characters: a lower-case letter, then lower-case letters, digits, '_' or '-' (e.g. postgres, s3, http).",
    );
  const clean: Record<string, string> = {};
  if (typeof fields !== "object" || fields === null || Array.isArray(fields))
    issue("fields", "fields must be an object of field names to string values.");
  else {
    const entries = Object.entries(fields as Record<string, unknown>);
    if (entries.length > MAX_FIELDS)
      issue("fields", `A connection has at most ${MAX_FIELDS} fields.`);
    let total = 0;
    for (const [field, value] of entries.slice(0, MAX_FIELDS)) {
      const path = `fields.${field.slice(0, 64)}`;
      if (!CONNECTION_NAME.test(field))
        issue(
          path,
          "A field name must be 1-63 characters: a lower-case letter, then lower-case letters, digits or '_'.",
        );
      else if (RESERVED_FIELDS.includes(field))
        issue(path, `The field names ${RESERVED_FIELDS.join(" and ")} are reserved.`);
      if (typeof value !== "string") {
        issue(path, "A field value must be a string (environment variables are strings).");
        continue;
      }
      const bytes = Buffer.byteLength(value, "utf8");
      total += bytes;
      if (bytes > MAX_VALUE_BYTES)
        issue(path, `The value is longer than ${MAX_VALUE_BYTES} bytes.`);
      if (value.includes("\u0000"))
        issue(
          path,
          "The value contains a NUL character, which an environment variable cannot hold.",
        );
      clean[field] = value;
    }
    if (total > MAX_TOTAL_BYTES)
      issue("fields", `The values total more than ${MAX_TOTAL_BYTES} bytes.`);
  }
  const secrets: string[] = [];
  if (secretFields === undefined) {
    // No secret fields: allowed (e.g. a public HTTP endpoint).
  } else if (!Array.isArray(secretFields) || !secretFields.every((f) => typeof f === "string"))
    issue("secretFields", "secretFields must be a list of field names.");
  else
    for (const field of secretFields) {
      const path = `secretFields.${field.slice(0, 64)}`;
      if (secrets.includes(field)) issue(path, "Listed twice.");
      else if (!Object.hasOwn(clean, field)) issue(path, "Not one of the connection's fields.");
      else {
        secrets.push(field);
        const value = clean[field] ?? "";
        // Empty means "no value" and is never masked; anything shorter than the minimum
        // cannot be masked without blanking ordinary log text, so it is refused.
        if (value !== "" && [...value].length < MIN_SECRET_LENGTH)
          issue(
            `fields.${field}`,
            `A secret value must be at least ${MIN_SECRET_LENGTH} characters, or it cannot be masked in logs safely.`,
          );
      }
    }
  if (issues.length > 0) throw new ValidationError(issues, { code: ErrorCodes.VALIDATION });
  return { name: name as string, type: type as string, fields: clean, secretFields: secrets };
}
