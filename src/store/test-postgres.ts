/**
 * Test helpers (imported only by tests) for the real PostgreSQL service: its URL, an
 * admin connection, and fresh schemas that are dropped when the test file ends.
 */
import pg from "pg";
import { afterAll } from "vitest";

/** The test database: `$UPDRAFT_TEST_PG_URL`, else the machine's service (trust auth). */
export const TEST_PG_URL =
  process.env["UPDRAFT_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

/** Runs `fn` on a fresh admin connection, closed afterwards. */
export async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * Returns a maker of schema names no other test (or test process) uses, named after
 * `prefix`; every schema it made, and every role passed to `dropRole`, goes at the end.
 */
export function testSchemas(prefix: string): {
  fresh: () => string;
  dropRole: (r: string) => void;
} {
  const schemas: string[] = [];
  const roles: string[] = [];
  afterAll(async () => {
    await pgAdmin(async (c) => {
      for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      for (const r of roles) await c.query(`DROP ROLE IF EXISTS "${r}"`);
    });
  });
  return {
    fresh: () => {
      const s = `${prefix}${process.pid}_${schemas.length}`;
      schemas.push(s);
      return s;
    },
    dropRole: (r) => roles.push(r),
  };
}
