import { describe, expect, it } from "vitest";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { grantConnectionsFromEnv, parseTaskExecInput } from "./task-exec-input.js";

function input(task: Record<string, unknown>): unknown {
  return {
    workflow: "wf",
    runId: "run-1",
    taskId: "a",
    attempt: 1,
    task: { type: "shell", command: "true", ...task },
    params: {},
    baseDir: ".",
  };
}

// What the Airflow operator puts in the environment for an Airflow connection.
const WAREHOUSE = {
  name: "warehouse",
  type: "postgres",
  host: "db.internal",
  port: "5432",
  login: "etl",
  password: "correct-horse-battery",
  api_token: "tok-1234567890",
  secretFields: ["password", "api_token"],
};

function envOf(...conns: Record<string, unknown>[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const c of conns) env[`UPDRAFT_CONN_${String(c["name"]).toUpperCase()}`] = JSON.stringify(c);
  return env;
}

function errorOf(fn: () => unknown): UpdraftError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UpdraftError) return err;
    throw err;
  }
  throw new Error("expected an error");
}

describe("parseTaskExecInput and connections", () => {
  it("accepts a list of connection names, and an empty one", () => {
    const parsed = parseTaskExecInput(input({ connections: ["warehouse", "lake_2"] }));
    expect(parsed.task.connections).toEqual(["warehouse", "lake_2"]);
    expect(parseTaskExecInput(input({ connections: [] })).task.connections).toEqual([]);
  });

  it.each([
    ["a string", "warehouse"],
    ["an upper-case name", ["Warehouse"]],
    ["a name that is not a variable name", ["ware-house"]],
    ["a name given twice", ["a", "a"]],
    ["a non-string", [1]],
    ["too many names", Array.from({ length: 33 }, (_, i) => `c${i}`)],
    ["a hostile name", ["x\nUPDRAFT_SECRET_KEY=1"]],
  ])("refuses %s", (_what, connections) => {
    expect(() => parseTaskExecInput(input({ connections }))).toThrow(
      /input\.task\.connections: must be a list of at most 32 different connection names/,
    );
  });
});

describe("grantConnectionsFromEnv", () => {
  it("rebuilds the engine's variables from the JSON one, without secretFields", () => {
    const grant = grantConnectionsFromEnv(["warehouse"], envOf(WAREHOUSE), "a");
    const { secretFields: _listed, ...json } = WAREHOUSE;
    expect(grant.env).toEqual({
      UPDRAFT_CONN_WAREHOUSE: JSON.stringify(json),
      UPDRAFT_CONN_WAREHOUSE_HOST: "db.internal",
      UPDRAFT_CONN_WAREHOUSE_PORT: "5432",
      UPDRAFT_CONN_WAREHOUSE_LOGIN: "etl",
      UPDRAFT_CONN_WAREHOUSE_PASSWORD: "correct-horse-battery",
      UPDRAFT_CONN_WAREHOUSE_API_TOKEN: "tok-1234567890",
    });
    const text = grant.masker.text(
      "pw=correct-horse-battery token=tok-1234567890 host=db.internal",
    );
    expect(text).toBe("pw=*** token=*** host=db.internal");
  });

  it("treats password as secret even when secretFields does not list it", () => {
    const { secretFields: _listed, ...plain } = WAREHOUSE;
    const grant = grantConnectionsFromEnv(["warehouse"], envOf(plain), "a");
    expect(grant.masker.text("correct-horse-battery tok-1234567890")).toBe("*** tok-1234567890");
  });

  it("masks nothing for a connection without secrets", () => {
    const api = { name: "public_api", type: "http", host: "api.example.com" };
    const grant = grantConnectionsFromEnv(["public_api"], envOf(api), "a");
    expect(grant.masker.active).toBe(false);
    expect(grant.env["UPDRAFT_CONN_PUBLIC_API_HOST"]).toBe("api.example.com");
  });

  it("names every missing variable, and is not retried", () => {
    const err = errorOf(() =>
      grantConnectionsFromEnv(["warehouse", "lake", "bucket"], envOf(WAREHOUSE), "export"),
    );
    expect(err.code).toBe(ErrorCodes.CONNECTION);
    expect(err.message).toMatch(
      /^task export names connections lake, bucket, but UPDRAFT_CONN_LAKE, UPDRAFT_CONN_BUCKET are not set: on Airflow the updraft_airflow operator/,
    );
    expect((err as UpdraftError & { retryable: boolean }).retryable).toBe(false);
    // Per-field variables alone are not enough: the JSON one is what names the fields.
    const single = errorOf(() =>
      grantConnectionsFromEnv(["lake"], { UPDRAFT_CONN_LAKE_HOST: "h" }, "export"),
    );
    expect(single.message).toMatch(/names connection lake, but UPDRAFT_CONN_LAKE is not set/);
  });

  it.each([
    ["not JSON", "{nope", /UPDRAFT_CONN_WAREHOUSE is not JSON/],
    ["not an object", "[1]", /must be a JSON object, got an? (array|list)/],
    [
      "another connection",
      JSON.stringify({ ...WAREHOUSE, name: "other" }),
      /holds connection "other"/,
    ],
    [
      "a bad secretFields",
      JSON.stringify({ ...WAREHOUSE, secretFields: "password" }),
      /secretFields/,
    ],
    [
      "a short password",
      JSON.stringify({ ...WAREHOUSE, password: "airflow" }),
      /at least 8 characters/,
    ],
    [
      "a listed field it lacks",
      JSON.stringify({ ...WAREHOUSE, secretFields: ["nope"] }),
      /Not one of the connection's fields/,
    ],
    [
      "a number value",
      JSON.stringify({ ...WAREHOUSE, port: 5432 }),
      /fields\.port: A field value must be a string/,
    ],
    ["a bad field name", JSON.stringify({ ...WAREHOUSE, "Bad-Key": "x" }), /fields\.Bad-Key/],
    [
      "a __proto__ field",
      '{"name":"warehouse","type":"pg","__proto__":{"x":"y"}}',
      /fields\.__proto__/,
    ],
    ["no type", JSON.stringify({ name: "warehouse", host: "h" }), /type: The type must be/],
    [
      "an oversized value",
      JSON.stringify({ ...WAREHOUSE, host: "h".repeat(70_000) }),
      /longer than 65536 bytes/,
    ],
  ])("refuses a variable with %s, naming the connection", (_what, text, why) => {
    const err = errorOf(() =>
      grantConnectionsFromEnv(["warehouse"], { UPDRAFT_CONN_WAREHOUSE: text }, "a"),
    );
    expect(err.code).toBe(ErrorCodes.CONNECTION);
    expect(err.message).toMatch(/^connection warehouse: UPDRAFT_CONN_WAREHOUSE /);
    expect(err.message).toMatch(why);
  });

  it("refuses two connections that give the same variable, as the engine does", () => {
    const a = { name: "a", type: "http", b_c: "1" };
    const ab = { name: "a_b", type: "http", c: "2" };
    const err = errorOf(() => grantConnectionsFromEnv(["a", "a_b"], envOf(a, ab), "t"));
    expect(err.code).toBe(ErrorCodes.CONNECTION);
    expect(err.message).toMatch(/^task t: Connections clash: .*UPDRAFT_CONN_A_B_C/);
  });
});
