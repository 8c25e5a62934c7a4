/**
 * Hostile input against every operation of the live OpenAPI document, on SQLite and on the
 * real PostgreSQL: path parameters, query strings and bodies no client should send, as
 * admin. Each answer is a 2xx where the value is legitimately accepted, else a 4xx with an
 * `{error: {code, message}}` body holding no stack trace and no long echo of the input;
 * never a 5xx, never a hang. Afterwards the service and everything seeded are intact.
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { TEST_PG_URL, testSchemas } from "../src/store/test-postgres.js";
import {
  sendRaw,
  startTestService,
  tempCatalog,
  type Answer,
  type TestService,
} from "./server-helpers.js";

type Schema = Record<string, unknown>;

/** One operation of the OpenAPI document. */
interface Op {
  method: string;
  /** The OpenAPI path, e.g. `/api/v1/runs/{id}`. */
  template: string;
  pathParams: string[];
  query: string[];
  body?: { required: boolean; schema: Schema; ignored: boolean };
}

/** One hostile request and what answers it may get. */
interface Case {
  label: string;
  method: string;
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** A 2xx is fine too (the value is legitimately accepted or the body ignored). */
  allow2xx: boolean;
  /** Only these statuses (e.g. 413 or 400 for an oversized body). */
  only?: number[];
}

const TIMEOUT_MS = 8_000;
const CONCURRENCY = 4;
const WORKFLOW = "hostile-seed";
const CONNECTION = "seed_conn";
const NOTEBOOK = "seed/prep.ipynb";
const MISSING_RUN = "00000000-0000-4000-8000-000000000000";
// Answering these revokes the token used: each gets a token of its own.
const SELF_REVOKING = new Set(["POST /api/v1/auth/logout"]);

const SEED_YAML = [
  `name: ${WORKFLOW}`,
  "description: seeded for the hostile-input matrix",
  "params:",
  "  who: { type: string, default: world }",
  "tasks:",
  "  greet:",
  "    type: shell",
  '    params: { who: "{{ params.who }}" }',
  `    command: 'printf "hello %s\\n" "$UPDRAFT_PARAM_WHO"'`,
  "",
].join("\n");

const SQL = "'; DROP TABLE runs; --";
/** Path segments exactly as sent (already escaped where they need to be). */
const HOSTILE_SEGMENTS: Record<string, string> = {
  traversal: "..%2f..%2fetc%2fpasswd",
  "raw traversal": "../../../etc/passwd",
  dotdot: "%2e%2e",
  nul: "%00",
  "malformed escape": "%zz",
  "lone surrogate as UTF-8 bytes": "%ED%A0%80",
  "10k segment": "a".repeat(10_000),
  "rtl override": encodeURIComponent("a\u202Egnp.exe"),
  emoji: encodeURIComponent("\u{1F600}"),
  "line separator": encodeURIComponent("a\u2028b"),
  sql: encodeURIComponent(SQL),
  template: encodeURIComponent("{{ x }}"),
};

const proto = "__proto__=1&__proto__%5Bpolluted%5D=1&constructor%5Bprototype%5D%5Bpolluted%5D=1";
/** Query strings by the value each query parameter gets. */
const HOSTILE_QUERIES: Record<string, (names: string[]) => string> = {
  huge: (n) => n.map((k) => `${k}=99999999999999999999999`).join("&"),
  negative: (n) => n.map((k) => `${k}=-1`).join("&"),
  "non-numeric": (n) => n.map((k) => `${k}=abc`).join("&"),
  repeated: (n) => n.map((k) => `${k}=1&${k}=2&${k}=`).join("&"),
  "__proto__ keys": (n) => `${proto}&${n.map((k) => `${k}=__proto__`).join("&")}`,
  "malformed escapes": (n) => `%zz=1&${n.map((k) => `${k}=%zz%00`).join("&")}`,
};

const nested = (depth: number, open: string, close: string, inner: string) =>
  open.repeat(depth) + inner + close.repeat(depth);

// A string with NUL, lone surrogates and SQL; JSON.stringify writes the surrogates as \ud800.
const NASTY = `nul\u0000 \ud800 lone \udfff ${SQL}`;
const NASTY_FIELDS = "NUL, lone surrogates, SQL in every field";
const OVERSIZED = Buffer.from(`{"x": "${"c".repeat(7 * 1024 * 1024)}"}`);

/** Resolves `$ref`s into the document's components (one level of `oneOf`: the first). */
function resolveSchema(s: unknown, doc: Schema): Schema {
  let schema = (s ?? {}) as Schema;
  for (let i = 0; i < 5; i++) {
    const ref = schema["$ref"];
    const first = (schema["oneOf"] as unknown[] | undefined)?.[0];
    if (typeof ref === "string") {
      const name = ref.split("/").at(-1) ?? "";
      schema = ((doc["components"] as Schema)["schemas"] as Record<string, Schema>)[name] ?? {};
    } else if (first !== undefined) schema = first as Schema;
    else break;
  }
  return schema;
}

/** A value of `schema` with every string `str` (wrong: of the wrong type), `depth` levels. */
function fill(s: unknown, doc: Schema, str: string, wrong: boolean, depth = 0): unknown {
  const schema = resolveSchema(s, doc);
  const types = ([] as unknown[]).concat(schema["type"] ?? []);
  const props = schema["properties"] as Record<string, unknown> | undefined;
  if (props || types.includes("object")) {
    // The body itself stays an object: its fields get the wrong types.
    if (wrong && depth > 0) return str;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props ?? {}))
      out[k] = depth < 3 ? fill(v, doc, str, wrong, depth + 1) : str;
    // A free-form object (params, fields) gets a hostile key too.
    if (!wrong && (!props || schema["additionalProperties"] !== false)) out[str] = str;
    return out;
  }
  if (types.includes("array")) return wrong ? { a: 1 } : [str];
  if (types.includes("boolean")) return wrong ? str : false;
  if (types.includes("integer") || types.includes("number")) return wrong ? "1.5e999x" : 1;
  if (Array.isArray(schema["enum"])) return wrong ? 123 : str;
  return wrong ? 12345 : str;
}

/** Every operation of the live document. */
async function operations(port: number): Promise<{ ops: Op[]; doc: Schema }> {
  const a = await sendRaw(port, "GET", "/api/v1/openapi.json");
  expect(a.status).toBe(200);
  const doc = a.json<Schema>();
  const ops: Op[] = [];
  for (const [template, methods] of Object.entries(doc["paths"] as Record<string, Schema>)) {
    for (const [m, raw] of Object.entries(methods)) {
      const op = raw as Schema;
      const params = (op["parameters"] ?? []) as { in: string; name: string }[];
      const rb = op["requestBody"] as { required: boolean; content: Record<string, Schema> };
      const schema = rb ? resolveSchema(rb.content["application/json"]?.["schema"], doc) : {};
      ops.push({
        method: m.toUpperCase(),
        template,
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        query: params.filter((p) => p.in === "query").map((p) => p.name),
        ...(rb
          ? { body: { required: rb.required, schema, ignored: Object.keys(schema).length === 0 } }
          : {}),
      });
    }
  }
  return { ops, doc };
}

/** What was seeded in a store's service, by the collection a path parameter indexes. */
interface Seeded {
  runId: string;
  userId: string;
}

// A parameter's value: an existing thing, or a well-formed name of nothing (safe to DELETE).
function paramValue(template: string, param: string, seeded: Seeded, existing: boolean): string {
  const before = template.split("/").at(template.split("/").indexOf(`{${param}}`) - 1);
  const values: Record<string, [string, string]> = {
    workflows: [WORKFLOW, "no-such-workflow"],
    connections: [CONNECTION, "no_such_connection"],
    runs: [seeded.runId, MISSING_RUN],
    users: [seeded.userId, "no-such-user"],
    tokens: ["no-such-token", "no-such-token"],
    tasks: ["greet", "nosuch"],
    versions: ["1", "999"],
    notebooks: [NOTEBOOK, "none/none.ipynb"],
  };
  const pair = values[before ?? ""] ?? ["x", "x"];
  return existing ? pair[0] : pair[1];
}

function fillPath(op: Op, seeded: Seeded, existing: boolean, hostile?: [string, string]): string {
  let path = op.template;
  for (const p of op.pathParams) {
    const v = hostile?.[0] === p ? hostile[1] : paramValue(op.template, p, seeded, existing);
    path = path.replace(`{${p}}`, hostile?.[0] === p ? v : encodeURIComponent(v));
  }
  return path;
}

// A body that would be accepted where it matters, so that a hostile path parameter is reached.
const BENIGN: Record<string, string> = {
  "PATCH /api/v1/users/{id}": '{"role":"viewer"}',
  "PUT /api/v1/connections/{name}": '{"type":"postgres","fields":{"host":"db"}}',
};

/** Every hostile request for `op`. */
function casesFor(op: Op, doc: Schema, seeded: Seeded): Case[] {
  const key = `${op.method} ${op.template}`;
  const json = { "content-type": "application/json" };
  const benign = op.body ? (BENIGN[key] ?? "{}") : undefined;
  const out: Case[] = [];
  const segs = Object.entries(HOSTILE_SEGMENTS);
  if (op.pathParams.length === 0) {
    // No parameter: the hostile segment goes after the path (and into whatever route matches).
    for (const [what, seg] of segs) {
      const path = `${op.template}/${seg}`;
      out.push({
        label: `${key} + /${what}`,
        method: op.method,
        path,
        allow2xx: !path.startsWith("/api/"),
      });
    }
  }
  for (const p of op.pathParams)
    for (const [what, seg] of segs)
      out.push({
        label: `${key} {${p}}=${what}`,
        method: op.method,
        path: fillPath(op, seeded, true, [p, seg]),
        ...(benign !== undefined ? { body: benign, headers: json } : {}),
        allow2xx: false,
      });
  // Query strings: a DELETE names nothing that exists, so that it deletes nothing.
  const names = [...new Set([...op.query, "limit", "offset", "q"])];
  const base = fillPath(op, seeded, op.method !== "DELETE");
  for (const [what, q] of Object.entries(HOSTILE_QUERIES))
    out.push({
      label: `${key} ?${what}`,
      method: op.method,
      path: `${base}?${q(names)}`,
      allow2xx: true,
    });
  // One 8 KB value per request: several would pass Node's 16 KB header limit (a bare 431).
  for (const k of names)
    out.push({
      label: `${key} ?${k}=8 KB`,
      method: op.method,
      path: `${base}?${k}=${"b".repeat(8192)}`,
      allow2xx: true,
    });
  if (!op.body) return out;
  // Bodies, sent to the operation on existing things.
  const { schema, ignored } = op.body;
  const first = Object.keys((schema["properties"] as Schema | undefined) ?? {})[0] ?? "x";
  const ct = (type: string) => ({ "content-type": type });
  // [what, body, headers (JSON unless given)]: each must be refused, but for MAY_PASS.
  const bodies: [string, string | Buffer | undefined, Record<string, string>?][] = [
    ["no body", undefined, {}],
    ["null", "null"],
    ["[]", "[]"],
    ["a string", '"text"'],
    ["a number", "1e999"],
    ["truncated", '{"a": [1, 2'],
    ["trailing garbage", "{} garbage"],
    ["BOM", `\uFEFF${benign ?? "{}"}`],
    ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ["10k-deep unclosed [", "[".repeat(10_000)],
    ["10k-deep []", nested(10_000, "[", "]", "")],
    [`10k-deep in "${first}"`, `{"${first}": ${nested(10_000, '{"a":', "}", "1")}}`],
    ["text/plain", "{}", ct("text/plain")],
    ["no content type", "{}", {}],
    ["form-encoded", "a=b&c=d", ct("application/x-www-form-urlencoded")],
    ["garbage multipart", "--x\r\nnope", ct("multipart/form-data; boundary=x")],
    ["multipart without boundary", "x", ct("multipart/form-data")],
    ["__proto__", '{"__proto__": {"polluted": 1}}'],
    ["constructor.prototype", '{"constructor": {"prototype": {"polluted": 1}}}'],
    [NASTY_FIELDS, JSON.stringify(fill(schema, doc, NASTY, false))],
    ["wrong types", JSON.stringify(fill(schema, doc, "x", true))],
    ["unknown field", JSON.stringify({ ...(JSON.parse(benign ?? "{}") as Schema), zz_unknown: 1 })],
    ["7 MB", OVERSIZED],
  ];
  const mayPass = new Set(["BOM", NASTY_FIELDS, ...(op.body.required ? [] : ["no body"])]);
  const path = fillPath(op, seeded, true);
  for (const [what, body, headers = json] of bodies)
    out.push({
      label: `${key} body: ${what}`,
      method: op.method,
      path,
      ...(body !== undefined ? { body } : {}),
      headers,
      // An operation that ignores its body (cancel, pause) may accept anything.
      allow2xx: mayPass.has(what) || ignored,
      ...(what === "7 MB" && !ignored ? { only: [400, 413] } : {}),
    });
  return out;
}

/** What is wrong with an answer to `c`, or undefined. */
function problem(c: Case, a: Answer): string | undefined {
  const where = `${c.label} (${c.method} ${c.path.slice(0, 120)}) -> ${a.status}`;
  if (a.status >= 500) return `${where}: ${a.text.slice(0, 300)}`;
  if (c.only && !c.only.includes(a.status)) return `${where}: expected ${c.only.join(" or ")}`;
  if (a.status >= 200 && a.status < 300) return c.allow2xx ? undefined : `${where}: expected a 4xx`;
  if (a.status < 400) return `${where}: unexpected status`;
  if (/\n\s+at /.test(a.text)) return `${where}: a stack trace in ${a.text.slice(0, 300)}`;
  // Every long hostile value is a run of one character: an echo shows as such a run.
  if (/(.)\1{200}/su.test(a.text)) return `${where}: echoes the input (${a.text.length} chars)`;
  let body: { error?: { code?: unknown; message?: unknown } };
  try {
    body = a.json();
  } catch {
    return `${where}: not JSON: ${a.text.slice(0, 200)}`;
  }
  const e = body.error;
  if (typeof e?.code !== "string" || e.code === "")
    return `${where}: no error code: ${a.text.slice(0, 200)}`;
  if (typeof e.message !== "string" || e.message.trim() === "") return `${where}: no message`;
  return undefined;
}

/** Runs `tasks` with at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

const { fresh } = testSchemas("updraft_hostile_");

describe.each([
  ["SQLite", () => ({})],
  ["PostgreSQL", () => ({ db: `${TEST_PG_URL}?schema=${fresh()}` })],
])("hostile input to every operation on %s", (_store, dbOption) => {
  let service: TestService;
  let tmp: string;
  let seeded: Seeded;
  const send = (method: string, path: string, body?: unknown, auth = service.auth) =>
    sendRaw(service.port, method, path, {
      headers: { ...auth, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      timeoutMs: TIMEOUT_MS,
    });
  const runToEnd = async (params: Schema = {}): Promise<{ id: string; state: string }> => {
    const started = await send("POST", `/api/v1/workflows/${WORKFLOW}/runs`, { params });
    expect(started.status, started.text).toBe(201);
    const { id } = started.json<{ id: string }>();
    for (const until = Date.now() + 20_000; Date.now() < until;) {
      const run = (await send("GET", `/api/v1/runs/${id}`)).json<{ id: string; state: string }>();
      if (["succeeded", "failed", "cancelled"].includes(run.state)) return run;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`run ${id} did not end`);
  };

  afterAll(async () => {
    await service?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("seeds a workflow, a run, a notebook, a connection and a user", async () => {
    const made = tempCatalog("updraft-hostile-", { [`${WORKFLOW}.yaml`]: SEED_YAML });
    tmp = made.tmp;
    service = await startTestService(tmp, { examples: made.catalog, ...dbOption() });
    const run = await runToEnd();
    expect(run.state).toBe("succeeded");
    const nb = { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 };
    const up = await send("POST", "/api/v1/notebooks", { path: NOTEBOOK, content: nb });
    expect(up.status, up.text).toBe(201);
    const conn = {
      type: "postgres",
      fields: { host: "db", password: "seed-secret-pw" },
      secretFields: ["password"],
    };
    const put = await send("PUT", `/api/v1/connections/${CONNECTION}`, conn);
    expect(put.status, put.text).toBe(200);
    const user = { username: "victim", password: "victim-password-1", role: "viewer" };
    const made2 = await send("POST", "/api/v1/users", user);
    expect(made2.status, made2.text).toBe(201);
    seeded = { runId: run.id, userId: made2.json<{ id: string }>().id };
  });

  it("answers every hostile request with a 2xx or a clean 4xx, never a 5xx or a hang", async () => {
    const started = Date.now();
    const { ops, doc } = await operations(service.port);
    expect(ops.length).toBeGreaterThan(40);
    const cases = ops.flatMap((op) =>
      casesFor(op, doc, seeded).map((c) => ({
        c,
        revokes: SELF_REVOKING.has(`${op.method} ${op.template}`),
      })),
    );
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    await pool(cases, CONCURRENCY, async ({ c, revokes }) => {
      let auth = service.auth;
      if (revokes) {
        const pat = await send("POST", "/api/v1/auth/tokens", { name: "disposable" });
        auth = { authorization: `Bearer ${pat.json<{ token: string }>().token}` };
      }
      try {
        const a = await sendRaw(service.port, c.method, c.path, {
          headers: { ...auth, ...c.headers },
          ...(c.body !== undefined ? { body: c.body } : {}),
          timeoutMs: TIMEOUT_MS,
          stopAtEventStream: true,
        });
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        const p = problem(c, a);
        if (p) failures.push(p);
      } catch (err) {
        failures.push(`${c.label} (${c.method} ${c.path.slice(0, 120)}): ${String(err)}`);
      }
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(
      `hostile matrix on ${_store}: ${cases.length} requests over ${ops.length} operations in ${seconds} s; ` +
        `statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}\n`,
    );
    if (failures.length > 0) process.stderr.write(`FAILURES ${_store}:\n${failures.join("\n")}\n`);
    expect(failures).toEqual([]);
    // The seeded things were reached: some hostile values were accepted, every oversized body refused.
    expect([...statuses].some(([s]) => s >= 200 && s < 300)).toBe(true);
    expect(statuses.get(413) ?? 0).toBeGreaterThanOrEqual(
      ops.filter((o) => o.body && !o.body.ignored).length - 1,
    );
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  }, 180_000);

  it("is intact afterwards: healthy, seeded things present, runs still succeed", async () => {
    expect((await send("GET", "/api/v1/health")).json()).toEqual({ status: "ok" });
    const me = await send("GET", "/api/v1/auth/me");
    expect(me.status, "the admin's session survived").toBe(200);
    const users = (await send("GET", "/api/v1/users")).json<{ users: { username: string }[] }>();
    expect(users.users.map((u) => u.username)).toEqual(expect.arrayContaining(["admin", "victim"]));
    const list = (await send("GET", "/api/v1/workflows")).json<{ workflows: { name: string }[] }>();
    expect(list.workflows.map((w) => w.name)).toContain(WORKFLOW);
    const versions = await send("GET", `/api/v1/workflows/${WORKFLOW}/versions`);
    expect(versions.json<{ versions: { version: number }[] }>().versions.length).toBeGreaterThan(0);
    const runs = (await send("GET", `/api/v1/runs?workflow=${WORKFLOW}`)).json<{
      runs: { id: string }[];
    }>();
    expect(runs.runs.map((r) => r.id)).toContain(seeded.runId);
    expect((await send("GET", `/api/v1/connections/${CONNECTION}`)).status).toBe(200);
    expect((await send("GET", `/api/v1/notebooks/${NOTEBOOK}`)).status).toBe(200);
    await send("POST", `/api/v1/workflows/${WORKFLOW}/unpause`);
    expect((await runToEnd()).state).toBe("succeeded");
    expect(service.stderr()).not.toMatch(/failed: /);
  });

  it("runs with NUL, lone surrogates and SQL in a string param, and shows the run", async () => {
    const run = await runToEnd({ who: NASTY });
    expect(["succeeded", "failed"]).toContain(run.state);
    const shown = (await send("GET", `/api/v1/runs/${run.id}`)).json<{ params: Schema }>();
    expect(shown.params["who"], "the param comes back as sent").toBe(NASTY);
    const log = await send("GET", `/api/v1/runs/${run.id}/tasks/greet/log`);
    expect(log.status).toBeLessThan(500);
  });
});
