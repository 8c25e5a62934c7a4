import { describe, expect, it } from "vitest";
import { ErrorCodes } from "../spec/errors.js";
import { connectionEnv } from "./connection-env.js";

const warehouse = {
  name: "warehouse",
  type: "postgres",
  fields: { host: "db", user: "etl", password: "correct-horse" },
  secretFields: ["password"],
};

describe("connectionEnv", () => {
  it("maps fields to UPDRAFT_CONN_<NAME>_<FIELD> and the whole connection to JSON", () => {
    const grant = connectionEnv([warehouse]);
    expect(grant.env).toEqual({
      UPDRAFT_CONN_WAREHOUSE: JSON.stringify({
        name: "warehouse",
        type: "postgres",
        host: "db",
        user: "etl",
        password: "correct-horse",
      }),
      UPDRAFT_CONN_WAREHOUSE_HOST: "db",
      UPDRAFT_CONN_WAREHOUSE_USER: "etl",
      UPDRAFT_CONN_WAREHOUSE_PASSWORD: "correct-horse",
    });
    expect(grant.secrets).toEqual(["correct-horse"]);
  });

  it("skips empty secrets for masking and merges several connections", () => {
    const lake = {
      name: "data_lake",
      type: "s3",
      fields: { key_id: "AKIA", secret: "" },
      secretFields: ["secret"],
    };
    const grant = connectionEnv([warehouse, lake]);
    expect(Object.keys(grant.env).sort()).toEqual([
      "UPDRAFT_CONN_DATA_LAKE",
      "UPDRAFT_CONN_DATA_LAKE_KEY_ID",
      "UPDRAFT_CONN_DATA_LAKE_SECRET",
      "UPDRAFT_CONN_WAREHOUSE",
      "UPDRAFT_CONN_WAREHOUSE_HOST",
      "UPDRAFT_CONN_WAREHOUSE_PASSWORD",
      "UPDRAFT_CONN_WAREHOUSE_USER",
    ]);
    expect(grant.secrets).toEqual(["correct-horse"]);
    expect(connectionEnv([])).toEqual({ env: {}, secrets: [] });
  });

  it("refuses connections whose variables would collide, naming both", () => {
    const a = { name: "a", type: "http", fields: { b_c: "1" }, secretFields: [] };
    const ab = { name: "a_b", type: "http", fields: { c: "2" }, secretFields: [] };
    expect(() => connectionEnv([a, ab])).toThrow(
      "Connections clash: connection a field b_c and connection a_b field c both become the environment variable UPDRAFT_CONN_A_B_C; rename one of the connections or fields.",
    );
    const abJson = { name: "a_b", type: "http", fields: {}, secretFields: [] };
    const aField = { name: "a", type: "http", fields: { b: "x" }, secretFields: [] };
    try {
      connectionEnv([abJson, aField]);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({
        code: ErrorCodes.VALIDATION,
        message: expect.stringContaining("UPDRAFT_CONN_A_B;") as unknown,
      });
    }
  });
});
