import { describe, expect, it } from "vitest";
import { ValidationError } from "../spec/errors.js";
import { validateConnection } from "./connection.js";

function issues(input: unknown): string[] {
  try {
    validateConnection(input);
  } catch (err) {
    if (err instanceof ValidationError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

const good = {
  name: "warehouse",
  type: "postgres",
  fields: { host: "db", user: "etl", password: "s3cret-pass" },
  secretFields: ["password"],
};

describe("validateConnection", () => {
  it("accepts a well-formed connection and copies it", () => {
    const c = validateConnection(good);
    expect(c).toEqual(good);
    expect(c.fields).not.toBe(good.fields);
    expect(
      validateConnection({ name: "api", type: "http", fields: { url: "https://x" } }).secretFields,
    ).toEqual([]);
    expect(
      validateConnection({ ...good, fields: { ...good.fields, password: "" } }).fields.password,
    ).toBe("");
  });

  it("reports every problem at once with its path", () => {
    expect(
      issues({
        name: "Bad-Name",
        type: "",
        fields: { Host: 1, ok: "x", type: "t" },
        secretFields: ["ok", "ok", "missing"],
        extra: true,
      }),
    ).toEqual([
      "extra: Unknown field; a connection has name, type, fields and secretFields.",
      "name: The name must be 1-63 characters: a lower-case letter, then lower-case letters, digits or '_'.",
      "type: The type must be 1-32 characters: a lower-case letter, then lower-case letters, digits, '_' or '-' (e.g. postgres, s3, http).",
      "fields.Host: A field name must be 1-63 characters: a lower-case letter, then lower-case letters, digits or '_'.",
      "fields.Host: A field value must be a string (environment variables are strings).",
      "fields.type: The field names name and type are reserved.",
      "fields.ok: A secret value must be at least 8 characters, or it cannot be masked in logs safely.",
      "secretFields.ok: Listed twice.",
      "secretFields.missing: Not one of the connection's fields.",
    ]);
  });

  it("refuses hostile input: non-objects, prototype keys, NUL, oversized values, too many fields", () => {
    for (const bad of [
      null,
      42,
      "x",
      [],
      { ...good, fields: [] },
      { ...good, secretFields: "password" },
      { ...good, secretFields: [1] },
    ])
      expect(issues(bad).length, JSON.stringify(bad)).toBeGreaterThan(0);
    expect(issues({ ...good, secretFields: ["constructor"] })).toEqual([
      "secretFields.constructor: Not one of the connection's fields.",
    ]);
    expect(issues(JSON.parse('{"name":"a","type":"b","fields":{"__proto__":"x"}}'))).toHaveLength(
      1,
    );
    expect(issues({ ...good, fields: { host: "a\u0000b" } })[0]).toMatch(/NUL/);
    expect(issues({ ...good, fields: { blob: "x".repeat(70_000) }, secretFields: [] })[0]).toMatch(
      /longer than 65536 bytes/,
    );
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, "v"]));
    expect(issues({ ...good, fields: many, secretFields: [] })).toEqual([
      "fields: A connection has at most 64 fields.",
    ]);
    const big = Object.fromEntries(
      Array.from({ length: 5 }, (_, i) => [`f${i}`, "v".repeat(60_000)]),
    );
    expect(issues({ ...good, fields: big, secretFields: [] })).toEqual([
      "fields: The values total more than 262144 bytes.",
    ]);
    expect(issues({ ...good, name: "x".repeat(100_000) })[0]).toMatch(/^name: /);
  });
});
