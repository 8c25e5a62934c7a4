/** Opening the PostgreSQL store: URLs, unreachable servers, migrations, on the real server. */
import { TEST_PG_URL, pgAdmin, testSchemas } from "./test-postgres.js";
import { createServer } from "node:net";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { UpdraftError } from "../spec/errors.js";
import { parsePostgresUrl } from "./postgres-connection.js";
import { PG_MIGRATIONS, currentPgSchemaVersion, migratePostgres } from "./postgres-migrations.js";
import { PostgresStore } from "./postgres-store.js";
import { sampleRun, sampleTask } from "./store-suite.js";

const { fresh: freshSchema, dropRole } = testSchemas("updraft_open_");

/** The error `PostgresStore.open` rejects with. */
async function openError(url: string, schema?: string): Promise<UpdraftError> {
  let error: unknown;
  try {
    const store = await PostgresStore.open(url, { ...(schema ? { schema } : {}) });
    await store.close();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(UpdraftError);
  return error as UpdraftError;
}

function withUrl(change: (u: URL) => void): string {
  const u = new URL(TEST_PG_URL);
  change(u);
  return u.toString();
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("parsePostgresUrl", () => {
  it("takes the schema from the options, then ?schema=, then public, and sets search_path", () => {
    const t = parsePostgresUrl(
      "postgresql://ann:pw@db.example:6543/prod?schema=upd&sslmode=disable",
    );
    expect(t.schema).toBe("upd");
    expect(t.location).toBe("postgresql://ann@db.example:6543/prod (schema upd)");
    const u = new URL(t.connectionString);
    expect(u.searchParams.get("schema")).toBeNull();
    expect(u.searchParams.get("sslmode")).toBe("disable");
    expect(u.searchParams.get("options")).toBe("-c synchronous_commit=off -c search_path=upd");
    expect(parsePostgresUrl("postgres://h/db", "other").schema).toBe("other");
    expect(parsePostgresUrl("postgres://h/db?schema=x", "other").schema).toBe("other");
    expect(parsePostgresUrl("postgres://h/db").schema).toBe("public");
    const kept = parsePostgresUrl(
      "postgres://h/db?options=-c%20statement_timeout%3D5000&synchronous_commit=on",
    );
    expect(new URL(kept.connectionString).searchParams.get("options")).toBe(
      "-c synchronous_commit=on -c statement_timeout=5000 -c search_path=public",
    );
    expect(new URL(kept.connectionString).searchParams.has("synchronous_commit")).toBe(false);
  });

  it.each([
    ["not a url at all", /is not a URL/],
    ["http://user:s3cret@host/db", /starts with "http:"/],
    ["postgres:///db", /names no server/],
    ["postgres://user:s3cret@host/db?schema=Upper", /not a plain identifier/],
    ["postgres://user:s3cret@host/db?schema=a;drop%20table%20x", /not a plain identifier/],
    ["postgres://user:s3cret@host/db?schema=" + "a".repeat(64), /not a plain identifier/],
    ["postgres://user:s3cret@[::1/db", /is not a URL/],
    ["postgres://user:s3cret@host/db?synchronous_commit=maybe", /synchronous_commit=maybe/],
  ])("refuses %s with E_STORE, an example, and no password", (url, why) => {
    let error: unknown;
    try {
      parsePostgresUrl(url);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: "E_STORE" });
    const message = (error as Error).message;
    expect(message).toMatch(why);
    expect(message).toContain("postgres://USER:PASSWORD@HOST:5432/DATABASE");
    expect(message).not.toContain("s3cret");
  });
});

describe("PostgreSQL session settings", () => {
  it("commits without waiting for the disk unless the URL asks, and keeps search_path", async () => {
    const schema = freshSchema();
    const show = async (url: string) => {
      const store = await PostgresStore.open(url, { schema });
      await store.close();
      const c = new pg.Client(parsePostgresUrl(url, schema).connectionString);
      await c.connect();
      try {
        const r = await c.query<{ s: string; p: string }>(
          "SELECT current_setting('synchronous_commit') AS s, current_setting('search_path') AS p",
        );
        return r.rows[0];
      } finally {
        await c.end();
      }
    };
    expect(await show(TEST_PG_URL)).toEqual({ s: "off", p: schema });
    expect(await show(`${TEST_PG_URL}?synchronous_commit=on`)).toEqual({ s: "on", p: schema });
    const userOptions = `${TEST_PG_URL}?options=${encodeURIComponent("-c synchronous_commit=local -c search_path=evil")}`;
    expect(await show(userOptions)).toEqual({ s: "local", p: schema });
  });
});

describe("PostgresStore.open failures", () => {
  it("says nothing listens when the server is down, naming host and port but not the password", async () => {
    const port = await closedPort();
    const e = await openError(`postgres://postgres:s3cret@127.0.0.1:${port}/test`);
    expect(e.code).toBe("E_STORE");
    expect(e.message).toContain(`127.0.0.1:${port}/test`);
    expect(e.message).toMatch(/ECONNREFUSED.*check that PostgreSQL is running/s);
    expect(e.message).not.toContain("s3cret");
    expect(e.cause).toBeDefined();
  });

  it("says how to create a database that does not exist", async () => {
    const e = await openError(withUrl((u) => (u.pathname = "/updraft_no_such_database")));
    expect(e.code).toBe("E_STORE");
    expect(e.message).toMatch(/updraft_no_such_database.*does not exist.*createdb/s);
  });

  it("says the login was refused for an unknown user", async () => {
    const e = await openError(withUrl((u) => (u.username = "updraft_no_such_role")));
    expect(e.code).toBe("E_STORE");
    expect(e.message).toMatch(/updraft_no_such_role.*refused the login/s);
  });

  it("says which privilege is missing when the user may not create the schema", async () => {
    const role = `updraft_weak_${process.pid}`;
    dropRole(role);
    await pgAdmin((c) => c.query(`CREATE ROLE "${role}" LOGIN`));
    const e = await openError(
      withUrl((u) => (u.username = role)),
      freshSchema(),
    );
    expect(e.code).toBe("E_STORE");
    expect(e.message).toMatch(/creating the schema.*permission denied.*42501.*grant it CREATE/s);
  });
});

describe("PostgreSQL migrations", () => {
  it("applies each migration once when two servers start at the same moment", async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([
      PostgresStore.open(TEST_PG_URL, { schema }),
      PostgresStore.open(TEST_PG_URL, { schema }),
    ]);
    await a.createRun(sampleRun("r1"), [sampleTask("r1", "t")]);
    expect((await b.getRun("r1"))?.tasks).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
    const rows = await pgAdmin((c) => c.query(`SELECT id FROM "${schema}".schema_migrations`));
    expect(rows.rows).toEqual(PG_MIGRATIONS.map((m) => ({ id: m.id })));
  });

  it("makes the second of two concurrent migrations apply nothing", async () => {
    const schema = freshSchema();
    const clients = [new pg.Client(TEST_PG_URL), new pg.Client(TEST_PG_URL)];
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const applied = await Promise.all(clients.map((c) => migratePostgres(c, schema, "test")));
      expect(applied.map((ids) => ids.length).sort()).toEqual([0, PG_MIGRATIONS.length]);
      expect(await currentPgSchemaVersion(clients[0]!, schema)).toBe(PG_MIGRATIONS.at(-1)!.id);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it("keeps data across reopening and does not run migrations again", async () => {
    const schema = freshSchema();
    const first = await PostgresStore.open(TEST_PG_URL, { schema });
    await first.createRun(sampleRun("r1", { params: { a: [1] } }), [sampleTask("r1", "t")]);
    await first.saveWorkflow("wf", { tasks: {} }, "wf.yaml");
    await first.close();
    const read = () =>
      pgAdmin((c) => c.query(`SELECT * FROM "${schema}".schema_migrations ORDER BY id`));
    const before = (await read()).rows;
    const second = await PostgresStore.open(`${TEST_PG_URL}?schema=${schema}`);
    try {
      expect((await second.getRun("r1"))?.params).toEqual({ a: [1] });
      expect(await second.getWorkflow("wf")).toMatchObject({ version: 1, source: "wf.yaml" });
    } finally {
      await second.close();
    }
    expect((await read()).rows).toEqual(before);
  });

  it("upgrades a schema at migration 2 with rows to the latest, keeping them", async () => {
    const schema = freshSchema();
    await pgAdmin(async (c) => {
      expect(await migratePostgres(c, schema, "test", PG_MIGRATIONS.slice(0, 2))).toEqual([1, 2]);
      await c.query(
        `INSERT INTO "${schema}".workflows (name, version, document, document_hash, source, created_at)
         VALUES ('wf', 1, '{"tasks":{}}', 'h', 'wf.yaml', '2024-01-01T00:00:00.000Z')`,
      );
      await c.query(
        `INSERT INTO "${schema}".workflow_states (name, paused, updated_at)
         VALUES ('wf', 0, '2024-01-02T00:00:00.000Z')`,
      );
    });
    const store = await PostgresStore.open(TEST_PG_URL, { schema });
    try {
      expect(await store.getWorkflow("wf")).toEqual({
        name: "wf",
        version: 1,
        document: { tasks: {} },
        source: "wf.yaml",
        createdBy: null,
        createdAt: "2024-01-01T00:00:00.000Z",
      });
      expect(await store.listWorkflowStates()).toEqual([
        {
          name: "wf",
          paused: false,
          updatedAt: "2024-01-02T00:00:00.000Z",
          deletedAt: null,
          ownerId: null,
        },
      ]);
      await store.setOwner("wf", "u1", "2024-01-03T00:00:00.000Z");
      expect(await store.saveWorkflow("wf", { tasks: { a: {} } }, undefined, "ann")).toMatchObject({
        version: 2,
        createdBy: "ann",
      });
      expect((await store.listWorkflowStates())[0]?.ownerId).toBe("u1");
    } finally {
      await store.close();
    }
    const ids = await pgAdmin((c) =>
      c.query(`SELECT id FROM "${schema}".schema_migrations ORDER BY id`),
    );
    expect(ids.rows).toEqual(PG_MIGRATIONS.map((m) => ({ id: m.id })));
  });

  it("refuses a schema written by a newer Updraft", async () => {
    const schema = freshSchema();
    await (await PostgresStore.open(TEST_PG_URL, { schema })).close();
    await pgAdmin((c) =>
      c.query(`INSERT INTO "${schema}".schema_migrations VALUES (999, 'from the future', 'x')`),
    );
    const e = await openError(TEST_PG_URL, schema);
    expect(e.code).toBe("E_STORE");
    expect(e.message).toMatch(/schema version 999.*newer Updraft/s);
  });

  it("rolls back a failed migration completely and says why", async () => {
    const schema = freshSchema();
    // Another program's table where the first migration wants to create one.
    await pgAdmin(async (c) => {
      await c.query(`CREATE SCHEMA "${schema}"`);
      await c.query(`CREATE TABLE "${schema}".runs (x int)`);
    });
    const e = await openError(TEST_PG_URL, schema);
    expect(e.code).toBe("E_STORE");
    expect(e.message).toMatch(
      /applying migration 1 \(initial schema\).*"runs" already exists.*schema version 0.*another schema/s,
    );
    const tables = await pgAdmin((c) =>
      c.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
        [schema],
      ),
    );
    // Transactional DDL: neither the other tables nor the version table were left behind.
    expect(tables.rows.map((r) => r.table_name)).toEqual(["runs"]);
  });
});
