import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FORMAT_REFERENCE_PATH, formatReferenceText } from "../../scripts/gen-format-reference.js";
import {
  RENDERED_KEYWORDS,
  headingAnchor,
  renderFormatReference,
  schemaPropertyNames,
  taskSections,
} from "./format-reference.js";
import { workflowJsonSchema } from "./schema.js";
import { TASK_TYPES, type JsonObject, type JsonValue } from "./types.js";

const committed = readFileSync(FORMAT_REFERENCE_PATH, "utf8");

/** Every value of `key` anywhere in the schema. */
function collect(v: JsonValue | undefined, key: string, out: JsonValue[] = []): JsonValue[] {
  if (Array.isArray(v)) v.forEach((x) => collect(x, key, out));
  else if (typeof v === "object" && v !== null) {
    for (const [k, child] of Object.entries(v)) {
      if (k === key) out.push(child);
      collect(child, key, out);
    }
  }
  return out;
}

/** Every keyword used by a schema node (keys of `properties`/`definitions` are names, not keywords). */
function keywords(v: JsonValue | undefined, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => keywords(x, out));
  else if (typeof v === "object" && v !== null) {
    for (const [k, child] of Object.entries(v)) {
      out.add(k);
      if ((k === "properties" || k === "definitions") && typeof child === "object" && child) {
        Object.values(child).forEach((c) => keywords(c, out));
      } else keywords(child, out);
    }
  }
  return out;
}

const squash = (s: string) => s.replace(/\s+/g, " ");

describe("docs/format-reference.md", () => {
  it("is what the generator produces from the schema", async () => {
    const expected = await formatReferenceText();
    // A plain message instead of a huge diff: the fix is always the same command.
    if (committed !== expected) {
      expect.fail("docs/format-reference.md is out of date: run npm run docs:reference");
    }
  });

  it("lists every property the schema defines, as a field row", () => {
    const names = schemaPropertyNames(workflowJsonSchema);
    expect(names.size).toBeGreaterThan(40);
    const fields = new Set(
      [...committed.matchAll(/^\| `([^`]+)` /gm)].map((m) => m[1]?.split(".").pop()),
    );
    const missing = [...names].filter((n) => !fields.has(n));
    expect(missing).toEqual([]);
  });

  it("carries every description and enum value of the schema", () => {
    const text = squash(committed.replace(/\\([|<*\\])/g, "$1"));
    const descriptions = collect(workflowJsonSchema, "description").filter(
      (d): d is string => typeof d === "string",
    );
    expect(descriptions.length).toBeGreaterThan(40);
    expect(descriptions.filter((d) => !text.includes(squash(d)))).toEqual([]);
    const values = collect(workflowJsonSchema, "enum").flatMap((e) => (Array.isArray(e) ? e : []));
    const shown = (v: JsonValue) => `\`${typeof v === "string" ? v : JSON.stringify(v)}\``;
    expect(values.filter((v) => !text.includes(shown(v)))).toEqual([]);
  });

  it("has a section for every task type", () => {
    const covered = taskSections(workflowJsonSchema).flatMap((s) => s.types);
    expect([...covered].sort()).toEqual([...TASK_TYPES].sort());
    for (const t of TASK_TYPES) expect(committed).toContain(`\`${t}\``);
  });

  it("is rendered by a renderer that knows every keyword the schema uses", () => {
    const unknown = [...keywords(workflowJsonSchema)].filter((k) => !RENDERED_KEYWORDS.has(k));
    // A new keyword (say exclusiveMinimum) must be shown by src/spec/format-reference.ts.
    expect(unknown).toEqual([]);
  });
});

describe("renderFormatReference", () => {
  const tiny: JsonObject = {
    $id: "x",
    description: "A tiny schema.",
    type: "object",
    required: ["name"],
    properties: {
      name: { type: "string", pattern: "^(a|b)$", description: "Line one\nline | two." },
      count: { type: "integer", minimum: 1, maximum: 3, default: 2, description: "How many." },
      tags: { type: "array", items: { type: "string" }, uniqueItems: true, maxItems: 4 },
      tasks: {
        type: "object",
        additionalProperties: { $ref: "#/definitions/task" },
        description: "Tasks.",
      },
    },
    definitions: {
      param: { type: "object", properties: {} },
      policy: { type: "object", properties: {} },
      task: {
        type: "object",
        required: ["type"],
        allOf: [
          {
            if: { properties: { type: { enum: ["one"] } } },
            then: { $ref: "#/definitions/oneTask" },
          },
        ],
      },
      oneTask: {
        type: "object",
        description: "The only type.",
        required: ["type", "what"],
        properties: { type: { type: "string", enum: ["one"] }, what: { type: "string" } },
      },
    },
  };

  it("keeps each field on one table row, pipes escaped", () => {
    const md = renderFormatReference(tiny);
    const row = md.split("\n").find((l) => l.startsWith("| `name`"));
    expect(row).toContain("matches `^(a\\|b)$`");
    expect(row).toContain("Line one line \\| two.");
    expect(md).toContain("| `count` | integer |  | `2` | 1 to 3 | How many. |");
    expect(md).toMatch(/\| `tags` \| list of string \|.*at most 4 items; no duplicates/);
    expect(md).toContain("mapping of [task](#fields-of-every-task)");
    expect(md).toContain("## `one` tasks");
    expect(md).toContain("Required: `what`.");
  });

  it("changes when the schema gains a field, which the drift check then catches", () => {
    const grown = JSON.parse(JSON.stringify(workflowJsonSchema)) as JsonObject;
    (grown["properties"] as JsonObject)["owner"] = { type: "string", description: "Who." };
    const md = renderFormatReference(grown);
    expect(md).toContain("| `owner` | string |");
    expect(md).not.toEqual(renderFormatReference(workflowJsonSchema));
  });

  it("makes GitHub's heading anchors", () => {
    expect(headingAnchor("`python`, `r` tasks")).toBe("python-r-tasks");
    expect(headingAnchor("Fields of every task")).toBe("fields-of-every-task");
  });
});
