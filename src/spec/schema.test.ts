import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { workflowJsonSchema } from "./schema.js";
import { TASK_TYPES } from "./types.js";

describe("workflowJsonSchema", () => {
  it("is plain JSON that a stock draft-07 validator compiles", () => {
    const copy = JSON.parse(JSON.stringify(workflowJsonSchema)) as object;
    expect(copy).toEqual(workflowJsonSchema);
    const validate = new Ajv({ allowUnionTypes: true }).compile(copy);
    expect(validate({ name: "ok", tasks: { a: { type: "empty" } } })).toBe(true);
    expect(validate({ name: "ok", tasks: { a: { type: "empty", bogus: 1 } } })).toBe(false);
  });

  it("has a definition per task type, each described", () => {
    const defs = workflowJsonSchema["definitions"] as Record<string, { description?: string }>;
    const task = defs["task"] as unknown as {
      allOf: { if: { properties: { type: { enum: string[] } } } }[];
    };
    const covered = task.allOf.flatMap((branch) => branch.if.properties.type.enum);
    expect([...covered].sort()).toEqual([...TASK_TYPES].sort());
    for (const [name, def] of Object.entries(defs)) expect(def.description, name).toBeTruthy();
  });

  it("describes every workflow field", () => {
    const props = workflowJsonSchema["properties"] as Record<string, { description?: string }>;
    for (const [name, prop] of Object.entries(props)) expect(prop.description, name).toBeTruthy();
  });
});
