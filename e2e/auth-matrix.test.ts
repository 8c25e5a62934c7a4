/**
 * Auth on the real service: every operation of the live OpenAPI document refuses a missing,
 * malformed, unknown and revoked token (401) and every role below the one it needs (403);
 * the roles it allows get through; editors modify only their own workflows; API tokens,
 * logout and the login rate limit work; connections reach a task masked.
 * The table below is the spec: a new endpoint fails this test until it has a row.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../src/engine/run-view.js";
import {
  loginToken,
  sendRaw,
  startTestService,
  tempCatalog,
  type Answer,
  type TestService,
} from "./server-helpers.js";

type Need = "public" | "viewer" | "editor" | "admin";
const RANK: Record<Exclude<Need, "public">, number> = { viewer: 0, editor: 1, admin: 2 };

/** The least role each operation needs. */
const NEEDS: Record<string, Need> = {
  "GET /api/v1/health": "public",
  "GET /api/v1/openapi.json": "public",
  "GET /api/v1/docs": "public",
  "POST /api/v1/auth/login": "public",
  "POST /api/v1/auth/logout": "viewer",
  "GET /api/v1/auth/me": "viewer",
  "PUT /api/v1/auth/password": "viewer",
  "GET /api/v1/auth/tokens": "viewer",
  "POST /api/v1/auth/tokens": "viewer",
  "DELETE /api/v1/auth/tokens/{id}": "viewer",
  "GET /api/v1/users": "admin",
  "POST /api/v1/users": "admin",
  "PATCH /api/v1/users/{id}": "admin",
  "DELETE /api/v1/users/{id}": "admin",
  "GET /api/v1/connections": "editor",
  "GET /api/v1/connections/{name}": "editor",
  "PUT /api/v1/connections/{name}": "admin",
  "DELETE /api/v1/connections/{name}": "admin",
  "GET /metrics": "viewer",
  "GET /api/v1/events": "viewer",
  "GET /api/v1/workflows": "viewer",
  "POST /api/v1/workflows": "editor",
  "GET /api/v1/workflows/{name}": "viewer",
  "PUT /api/v1/workflows/{name}": "editor",
  "DELETE /api/v1/workflows/{name}": "editor",
  "GET /api/v1/workflows/{name}/versions": "viewer",
  "GET /api/v1/workflows/{name}/versions/{version}": "viewer",
  "GET /api/v1/workflows/{name}/airflow": "viewer",
  "POST /api/v1/workflows/{name}/runs": "editor",
  "POST /api/v1/workflows/{name}/backfill": "editor",
  "POST /api/v1/workflows/{name}/pause": "editor",
  "POST /api/v1/workflows/{name}/unpause": "editor",
  "GET /api/v1/runs": "viewer",
  "GET /api/v1/runs/{id}": "viewer",
  "POST /api/v1/runs/{id}/cancel": "editor",
  "POST /api/v1/runs/{id}/repair": "editor",
  "GET /api/v1/runs/{id}/tasks/{task}/log": "viewer",
  "GET /api/v1/runs/{id}/tasks/{task}/notebook": "viewer",
  "GET /api/v1/notebooks": "viewer",
  "POST /api/v1/notebooks": "editor",
  "GET /api/v1/notebooks/{path}/params": "viewer",
  "GET /api/v1/notebooks/{path}": "viewer",
};

const SECRET = "hunter2-the-warehouse-password";
const { tmp, catalog } = tempCatalog("updraft-auth-matrix-", {
  "hello.yaml": [
    "name: hello",
    "params:",
    "  who: { type: string, default: world }",
    "tasks:",
    "  greet: { type: shell, command: 'echo hello $UPDRAFT_PARAM_WHO' }",
    "",
  ].join("\n"),
});
let service: TestService;
const tokens: Record<"admin" | "editor" | "editor2" | "viewer", string> = {
  admin: "",
  editor: "",
  editor2: "",
  viewer: "",
};
let runId = "";

function send(
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<Answer> {
  return sendRaw(service.port, method, path, {
    headers: {
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

async function ok<T>(a: Promise<Answer>): Promise<T> {
  const got = await a;
  if (got.status >= 300) throw new Error(`${got.status} ${got.text}`);
  return (got.text ? got.json<T>() : undefined) as T;
}

// A JSON body for the methods that carry one (Node sends a DELETE body unframed).
const withBody = (method: string) => (["POST", "PUT", "PATCH"].includes(method) ? {} : undefined);

// Sample values for the captures of an OpenAPI path.
function concrete(path: string): string {
  return path
    .replace("{name}", "hello")
    .replace("{version}", "1")
    .replace("{id}", runId || "00000000-0000-0000-0000-000000000000")
    .replace("{task}", "greet")
    .replace("{path}", "nb.ipynb");
}

async function operations(): Promise<string[]> {
  const doc = await ok<{ paths: Record<string, Record<string, unknown>> }>(
    send("GET", "/api/v1/openapi.json", undefined),
  );
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );
}

beforeAll(async () => {
  service = await startTestService(tmp, { examples: catalog });
  tokens.admin = service.token;
  for (const [username, role] of [
    ["ed", "editor"],
    ["edna", "editor"],
    ["vi", "viewer"],
  ] as const) {
    await ok(
      send("POST", "/api/v1/users", tokens.admin, {
        username,
        password: `pw-of-${username}-1234`,
        role,
      }),
    );
  }
  tokens.editor = await loginToken(service.url, "ed", "pw-of-ed-1234");
  tokens.editor2 = await loginToken(service.url, "edna", "pw-of-edna-1234");
  tokens.viewer = await loginToken(service.url, "vi", "pw-of-vi-1234");
  runId = (await ok<RunView>(send("POST", "/api/v1/workflows/hello/runs", tokens.editor, {}))).id;
});

afterAll(async () => {
  await service.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe("every operation", () => {
  it("has a row in the table, and every row an operation", async () => {
    const ops = await operations();
    expect(
      ops.filter((o) => !(o in NEEDS)),
      "operations without a row",
    ).toEqual([]);
    expect(
      Object.keys(NEEDS).filter((o) => !ops.includes(o)),
      "rows of no operation",
    ).toEqual([]);
  });

  it("refuses a missing, malformed, unknown and revoked token with 401", async () => {
    const revoked = await loginToken(service.url);
    await ok(send("POST", "/api/v1/auth/logout", revoked));
    const badTokens: (string | undefined)[] = [
      undefined,
      "garbage",
      `upd_s_${"A".repeat(43)}`,
      `upd_pat_${"b".repeat(43)}`,
      revoked,
    ];
    const refusals: string[] = [];
    for (const op of Object.keys(NEEDS)) {
      if (NEEDS[op] === "public") continue;
      const [method = "", path = ""] = op.split(" ");
      for (const token of badTokens) {
        const a = await send(method, concrete(path), token, withBody(method));
        const code = a.status === 401 ? a.json<{ error: { code: string } }>().error.code : "";
        if (a.status !== 401 || code !== "E_UNAUTHENTICATED")
          refusals.push(`${op} with ${token?.slice(0, 12) ?? "no token"}: ${a.status}`);
      }
    }
    expect(refusals).toEqual([]);
  });

  it("refuses every role below the one an operation needs with 403, before doing anything", async () => {
    const wrong: string[] = [];
    for (const [op, need] of Object.entries(NEEDS)) {
      if (need === "public") continue;
      const [method = "", path = ""] = op.split(" ");
      for (const role of ["viewer", "editor"] as const) {
        if (RANK[role] >= RANK[need]) continue;
        const a = await send(method, concrete(path), tokens[role], withBody(method));
        if (a.status !== 403 || a.json<{ error: { code: string } }>().error.code !== "E_FORBIDDEN")
          wrong.push(`${op} as ${role}: ${a.status} ${a.text.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
    // Nothing a refused request asked for happened.
    const users = await ok<{ users: { username: string }[] }>(
      send("GET", "/api/v1/users", tokens.admin),
    );
    expect(users.users.map((u) => u.username).sort()).toEqual(["admin", "ed", "edna", "vi"]);
    expect((await send("GET", "/api/v1/workflows/hello", tokens.viewer)).status).toBe(200);
  });

  it("lets each role read what it may", async () => {
    const denied: string[] = [];
    for (const [op, need] of Object.entries(NEEDS)) {
      const [method = "", path = ""] = op.split(" ");
      if (method !== "GET" || path === "/api/v1/events" || need === "public") continue;
      for (const role of ["viewer", "editor", "admin"] as const) {
        if (RANK[role] < RANK[need]) continue;
        const a = await send(method, concrete(path), tokens[role]);
        // 404 is fine (e.g. no notebook nb.ipynb): the request got past the guard.
        if (a.status === 401 || a.status === 403 || a.status >= 500)
          denied.push(`${op} as ${role}: ${a.status} ${a.text.slice(0, 120)}`);
      }
    }
    expect(denied).toEqual([]);
    const ac = new AbortController();
    const events = await fetch(`${service.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${tokens.viewer}` },
      signal: ac.signal,
    });
    expect(events.status).toBe(200);
    ac.abort();
  });
});

describe("ownership", () => {
  const flow = (echo: string) => ({
    document: { name: "eds-flow", tasks: { a: { type: "shell", command: `echo ${echo}` } } },
  });

  it("lets an editor modify only the workflows they created; an admin modifies any", async () => {
    const created = await ok<{ owner: string }>(
      send("POST", "/api/v1/workflows", tokens.editor, flow("one")),
    );
    expect(created.owner).toBe("ed");
    await ok(send("PUT", "/api/v1/workflows/eds-flow", tokens.editor, flow("two")));
    const other = await send("PUT", "/api/v1/workflows/eds-flow", tokens.editor2, flow("three"));
    expect(other.status).toBe(403);
    expect(other.json<{ error: { message: string } }>().error.message).toContain(
      "belongs to another user",
    );
    expect((await send("DELETE", "/api/v1/workflows/eds-flow", tokens.editor2)).status).toBe(403);
    // A workflow from a file has no owner: only an admin modifies it.
    const file = await send("PUT", "/api/v1/workflows/hello", tokens.editor, {
      document: { name: "hello", tasks: { greet: { type: "empty" } } },
    });
    expect(file.status).toBe(403);
    expect(file.json<{ error: { message: string } }>().error.message).toContain("has no owner");
    await ok(send("PUT", "/api/v1/workflows/eds-flow", tokens.admin, flow("four")));

    const versions = await ok<{ versions: { version: number; createdBy: string | null }[] }>(
      send("GET", "/api/v1/workflows/eds-flow/versions", tokens.viewer),
    );
    expect(versions.versions.map((v) => [v.version, v.createdBy])).toEqual([
      [3, "admin"],
      [2, "ed"],
      [1, "ed"],
    ]);
    const list = await ok<{ workflows: { name: string; owner: string | null }[] }>(
      send("GET", "/api/v1/workflows", tokens.viewer),
    );
    expect(list.workflows.map((w) => [w.name, w.owner])).toEqual([
      ["eds-flow", "ed"],
      ["hello", null],
    ]);
    await ok(send("DELETE", "/api/v1/workflows/eds-flow", tokens.editor));
  });
});

describe("tokens and logins", () => {
  it("issues API tokens that work until revoked, and logout ends a session", async () => {
    const made = await ok<{ id: string; token: string; kind: string }>(
      send("POST", "/api/v1/auth/tokens", tokens.editor, { name: "ci", expiresInDays: 30 }),
    );
    expect(made.kind).toBe("pat");
    expect(made.token).toMatch(/^upd_pat_/);
    const me = await ok<{ username: string; role: string }>(
      send("GET", "/api/v1/auth/me", made.token),
    );
    expect(me).toMatchObject({ username: "ed", role: "editor" });
    const listed = await ok<{ tokens: { id: string; hash?: string }[] }>(
      send("GET", "/api/v1/auth/tokens", tokens.editor),
    );
    expect(listed.tokens.some((t) => t.id === made.id)).toBe(true);
    expect(JSON.stringify(listed)).not.toContain(made.token);
    // Another user cannot revoke it (and cannot tell it exists).
    expect((await send("DELETE", `/api/v1/auth/tokens/${made.id}`, tokens.viewer)).status).toBe(
      404,
    );
    await ok(send("DELETE", `/api/v1/auth/tokens/${made.id}`, tokens.editor));
    expect((await send("GET", "/api/v1/auth/me", made.token)).status).toBe(401);

    const session = await loginToken(service.url, "vi", "pw-of-vi-1234");
    await ok(send("POST", "/api/v1/auth/logout", session));
    const after = await send("GET", "/api/v1/auth/me", session);
    expect(after.status).toBe(401);
    expect(after.json<{ error: { message: string } }>().error.message).toContain("revoked");
  });

  it("answers bad logins alike and slows a guesser down with 429 and Retry-After", async () => {
    const unknown = await send("POST", "/api/v1/auth/login", undefined, {
      username: "nobody",
      password: "whatever-1",
    });
    const wrong = await send("POST", "/api/v1/auth/login", undefined, {
      username: "edna",
      password: "whatever-1",
    });
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect(unknown.json<unknown>()).toEqual(wrong.json<unknown>());
    let last: Answer = wrong;
    for (let i = 0; i < 6 && last.status !== 429; i++)
      last = await send("POST", "/api/v1/auth/login", undefined, {
        username: "edna",
        password: `guess-${i}`,
      });
    expect(last.status).toBe(429);
    expect(Number(last.headers["retry-after"])).toBeGreaterThan(0);
    // The right password is refused too while blocked: the block is per user and address.
    const blocked = await send("POST", "/api/v1/auth/login", undefined, {
      username: "edna",
      password: "pw-of-edna-1234",
    });
    expect(blocked.status).toBe(429);
  });
});

describe("connections through the API", () => {
  it("are managed by admins, listed without secrets, and reach a task masked", async () => {
    const conn = {
      type: "postgres",
      fields: { host: "db.internal", password: SECRET },
      secretFields: ["password"],
    };
    expect((await send("PUT", "/api/v1/connections/warehouse", tokens.editor, conn)).status).toBe(
      403,
    );
    await ok(send("PUT", "/api/v1/connections/warehouse", tokens.admin, conn));
    const listed = await send("GET", "/api/v1/connections", tokens.editor);
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(SECRET);
    expect(listed.json<{ connections: unknown[] }>().connections).toEqual([
      expect.objectContaining({
        name: "warehouse",
        fields: { host: "db.internal", password: null },
      }),
    ]);
    // Null keeps the stored secret: an edit form never needs to know it.
    await ok(
      send("PUT", "/api/v1/connections/warehouse", tokens.admin, {
        ...conn,
        fields: { host: "db2.internal", password: null },
      }),
    );
    // A viewer may not grant connections (cannot even create workflows); an editor may.
    const doc = {
      document: {
        name: "uses-warehouse",
        tasks: {
          peek: {
            type: "shell",
            connections: ["warehouse"],
            command:
              'echo "host=$UPDRAFT_CONN_WAREHOUSE_HOST"; echo "pw=$UPDRAFT_CONN_WAREHOUSE_PASSWORD"; ' +
              'echo "len=${#UPDRAFT_CONN_WAREHOUSE_PASSWORD}" >> "$UPDRAFT_OUTPUTS"',
            outputs: ["len"],
          },
        },
      },
    };
    expect((await send("POST", "/api/v1/workflows", tokens.viewer, doc)).status).toBe(403);
    await ok(send("POST", "/api/v1/workflows", tokens.editor, doc));
    let run = await ok<RunView>(
      send("POST", "/api/v1/workflows/uses-warehouse/runs", tokens.editor, {}),
    );
    while (!["succeeded", "failed", "cancelled"].includes(run.state)) {
      await new Promise((r) => setTimeout(r, 50));
      run = await ok<RunView>(send("GET", `/api/v1/runs/${run.id}`, tokens.viewer));
    }
    expect(run.state).toBe("succeeded");
    expect(run.tasks["peek"]?.outputs["len"]).toBe(SECRET.length);
    const log = await send("GET", `/api/v1/runs/${run.id}/tasks/peek/log`, tokens.viewer);
    expect(log.text).toContain("host=db2.internal");
    expect(log.text).toContain("pw=***");
    expect(log.text).not.toContain(SECRET);
  });
});
