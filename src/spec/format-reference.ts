/**
 * Renders the workflow format reference (docs/format-reference.md) from the JSON Schema,
 * so the reference cannot drift from what `updraft validate` accepts. Pure: schema in,
 * markdown out; `scripts/gen-format-reference.ts` formats it with prettier and writes it.
 */
import type { JsonObject, JsonValue } from "./types.js";

/**
 * The JSON Schema keywords this renderer shows or deliberately skips (structure only).
 * A schema using another keyword fails the reference's test, so a new constraint cannot
 * silently go missing from the docs.
 */
export const RENDERED_KEYWORDS: ReadonlySet<string> = new Set([
  ...["$schema", "$id", "$ref", "title", "description", "definitions", "allOf", "if", "then"],
  ...["type", "properties", "required", "additionalProperties", "items", "propertyNames"],
  ...["default", "enum", "pattern", "minimum", "maximum", "minLength", "maxLength"],
  ...["minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties"],
]);

/** One row of a field table. */
interface FieldRow {
  path: string;
  schema: JsonObject;
  required: boolean;
}

/** A task definition of the schema and the task types that use it. */
interface TaskSection {
  definition: string;
  types: string[];
  schema: JsonObject;
}

const isObj = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const objAt = (o: JsonObject, key: string): JsonObject => {
  const v = o[key];
  return isObj(v) ? v : {};
};

const strings = (v: JsonValue | undefined): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

/** Schema text as markdown text: `<NAME>` is not an HTML tag, `*` not emphasis. */
const prose = (text: string): string => text.replace(/[<*\\]/g, (c) => `\\${c}`);

/** Table cells cannot hold line breaks or bare pipes (not even inside code spans). */
const cell = (text: string): string => text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");

/** A code span that holds any text, backticks included. */
const code = (text: string): string => {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
};

const literal = (v: JsonValue): string => code(typeof v === "string" ? v : JSON.stringify(v));

/** The definition a `$ref` of this schema points at (`#/definitions/NAME`), if any. */
function refName(schema: JsonObject): string | undefined {
  const ref = schema["$ref"];
  if (typeof ref !== "string") return undefined;
  const m = /^#\/definitions\/(.+)$/.exec(ref);
  return m?.[1];
}

/** GitHub's anchor for a heading text. */
export function headingAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/\s/g, "-");
}

/** Renders schemas as markdown, linking `$ref`s to the sections that describe them. */
class Renderer {
  /** The section documenting each definition: its heading, and how a type names it. */
  readonly sectionOf = new Map<string, { heading: string; label: string }>();

  constructor(private readonly root: JsonObject) {}

  definition(name: string): JsonObject {
    return objAt(objAt(this.root, "definitions"), name);
  }

  /** The schema with a `$ref` resolved; the referring schema's own keywords win. */
  resolve(schema: JsonObject): JsonObject {
    const name = refName(schema);
    if (name === undefined) return schema;
    const { $ref: _ref, ...own } = schema;
    return { ...this.resolve(this.definition(name)), ...own };
  }

  typeOf(schema: JsonObject): string {
    const name = refName(schema);
    const section = name === undefined ? undefined : this.sectionOf.get(name);
    if (section !== undefined) return `[${section.label}](#${headingAnchor(section.heading)})`;
    const s = this.resolve(schema);
    const t = s["type"];
    const types = typeof t === "string" ? [t] : strings(t);
    if (types.length === 0)
      return Array.isArray(s["enum"]) ? "one of the values" : "any JSON value";
    return types
      .map((type) => {
        if (type === "array" && isObj(s["items"])) return `list of ${this.typeOf(s["items"])}`;
        if (type === "object" && isObj(s["additionalProperties"]) && !isObj(s["properties"])) {
          return `mapping of ${this.typeOf(s["additionalProperties"])}`;
        }
        if (type === "object") return isObj(s["properties"]) ? "object" : "mapping";
        return type;
      })
      .join(" or ");
  }

  constraintsOf(schema: JsonObject): string {
    const s = this.resolve(schema);
    const out: string[] = [];
    if (Array.isArray(s["enum"])) out.push(s["enum"].map(literal).join(", "));
    if (typeof s["pattern"] === "string") out.push(`matches ${code(s["pattern"])}`);
    const min = s["minimum"];
    const max = s["maximum"];
    if (typeof min === "number" && typeof max === "number") out.push(`${min} to ${max}`);
    else if (typeof min === "number") out.push(`at least ${min}`);
    else if (typeof max === "number") out.push(`at most ${max}`);
    if (s["minLength"] === 1) out.push("not empty");
    else if (typeof s["minLength"] === "number") out.push(`${s["minLength"]} characters or more`);
    if (typeof s["maxLength"] === "number") out.push(`${s["maxLength"]} characters at most`);
    const count = (n: JsonValue | undefined, bound: string, one: string, many: string) => {
      if (typeof n === "number") out.push(`${bound} ${n} ${n === 1 ? one : many}`);
    };
    count(s["minItems"], "at least", "item", "items");
    count(s["maxItems"], "at most", "item", "items");
    if (s["uniqueItems"] === true) out.push("no duplicates");
    count(s["minProperties"], "at least", "entry", "entries");
    count(s["maxProperties"], "at most", "entry", "entries");
    const keys = objAt(s, "propertyNames")["pattern"];
    if (typeof keys === "string") out.push(`keys match ${code(keys)}`);
    const items = isObj(s["items"]) ? this.resolve(s["items"]) : {};
    if (typeof items["pattern"] === "string") out.push(`items match ${code(items["pattern"])}`);
    return out.join("; ");
  }

  descriptionOf(schema: JsonObject): string {
    const s = this.resolve(schema);
    const text = (v: JsonValue | undefined) => (typeof v === "string" ? prose(v) : "");
    const parts = [text(s["description"])];
    const values = s["additionalProperties"];
    // A mapping's values are described on the value schema; a linked section says it there.
    if (
      isObj(values) &&
      refName(values) === undefined &&
      !isObj(values["properties"]) &&
      typeof values["description"] === "string"
    ) {
      parts.push(`Values: ${text(values["description"])}`);
    }
    const items = s["items"];
    if (isObj(items) && typeof items["description"] === "string") {
      parts.push(`Items: ${text(items["description"])}`);
    }
    return parts.filter((p) => p !== "").join(" ");
  }

  /** Rows for an object's properties, then the properties of nested objects under them. */
  rows(schema: JsonObject, prefix = "", names?: readonly string[]): FieldRow[] {
    const s = this.resolve(schema);
    const props = objAt(s, "properties");
    const required = new Set(strings(s["required"]));
    const out: FieldRow[] = [];
    for (const name of names ?? Object.keys(props)) {
      const prop = objAt(props, name);
      const path = `${prefix}${name}`;
      out.push({ path, schema: prop, required: required.has(name) });
      out.push(...this.nested(prop, path));
    }
    return out;
  }

  /** Rows inside a field: its own properties, or those of its mapping's values. */
  private nested(prop: JsonObject, path: string): FieldRow[] {
    if (refName(prop) !== undefined && this.sectionOf.has(refName(prop) ?? "")) return [];
    const s = this.resolve(prop);
    if (isObj(s["properties"])) return this.rows(s, `${path}.`);
    const values = s["additionalProperties"];
    if (isObj(values) && refName(values) === undefined && isObj(values["properties"])) {
      return [
        { path: `${path}.<key>`, schema: values, required: false },
        ...this.rows(values, `${path}.<key>.`),
      ];
    }
    return [];
  }

  table(rows: FieldRow[]): string {
    const head = "| field | type | required | default | allowed values | description |";
    const rule = "| --- | --- | --- | --- | --- | --- |";
    const body = rows.map((r) => {
      const s = this.resolve(r.schema);
      const dflt = s["default"] === undefined ? "" : literal(s["default"]);
      return `| ${[
        code(r.path),
        this.typeOf(r.schema),
        r.required ? "yes" : "",
        dflt,
        this.constraintsOf(r.schema),
        this.descriptionOf(r.schema),
      ]
        .map(cell)
        .join(" | ")} |`;
    });
    return [head, rule, ...body].join("\n");
  }
}

/** The task definitions the schema's `task` definition dispatches to, by `type`. */
export function taskSections(schema: JsonObject): TaskSection[] {
  const defs = objAt(schema, "definitions");
  const branches = objAt(defs, "task")["allOf"];
  const out: TaskSection[] = [];
  for (const branch of Array.isArray(branches) ? branches : []) {
    if (!isObj(branch)) continue;
    const types = strings(objAt(objAt(objAt(branch, "if"), "properties"), "type")["enum"]);
    const definition = refName(objAt(branch, "then"));
    if (definition === undefined) continue;
    out.push({ definition, types, schema: objAt(defs, definition) });
  }
  return out;
}

/** Property names every task definition shares with the same schema. */
function commonTaskFields(sections: TaskSection[]): string[] {
  const [first, ...rest] = sections;
  if (first === undefined) return [];
  const props = objAt(first.schema, "properties");
  return Object.keys(props).filter((name) =>
    rest.every((s) => {
      const other = objAt(s.schema, "properties")[name];
      return other !== undefined && JSON.stringify(other) === JSON.stringify(props[name]);
    }),
  );
}

const GENERATED_NOTE =
  "<!-- Generated from the JSON Schema in src/spec/schema.ts by `npm run docs:reference`: do not edit by hand. -->";

/** The markdown of the workflow format reference for a workflow JSON Schema. */
export function renderFormatReference(schema: JsonObject): string {
  const r = new Renderer(schema);
  const sections = taskSections(schema);
  const headings = {
    workflow: "The workflow document",
    param: "Workflow params",
    policy: "Task defaults",
    task: "Fields of every task",
  };
  r.sectionOf.set("param", { heading: headings.param, label: "param" });
  r.sectionOf.set("policy", { heading: headings.policy, label: "task defaults" });
  r.sectionOf.set("task", { heading: headings.task, label: "task" });
  const typeHeading = (s: TaskSection) => s.types.map((t) => `\`${t}\``).join(", ") + " tasks";
  const common = commonTaskFields(sections);
  const required = (s: JsonObject) => strings(s["required"]);
  const describe = (s: JsonObject) =>
    typeof s["description"] === "string" ? prose(s["description"]) : "";

  const out: string[] = [
    GENERATED_NOTE,
    "",
    "# Workflow format reference",
    "",
    `Every field of a workflow document, generated from the JSON Schema that \`updraft validate\`, the HTTP API and the designer use (\`$id\` ${code(typeof schema["$id"] === "string" ? schema["$id"] : "")}, served in \`GET /api/v1/openapi.json\` as \`components.schemas.Workflow\`). [The workflow format](workflow-format.md) explains names, expressions and limits that the schema alone does not express; validation also checks references, cycles, cron expressions, durations and param defaults.`,
    "",
    `Task types: ${sections.map((s) => `[${s.types.map((t) => `\`${t}\``).join(", ")}](#${headingAnchor(typeHeading(s))})`).join(", ")}.`,
    "",
    `## ${headings.workflow}`,
    "",
    describe(schema),
    "",
    r.table(r.rows(schema)),
    "",
    `## ${headings.param}`,
    "",
    `Each entry of \`params\`. ${describe(r.definition("param"))}`,
    "",
    r.table(r.rows(r.definition("param"))),
    "",
    `## ${headings.policy}`,
    "",
    `\`defaults\`: ${describe(r.definition("policy"))} A task's own value wins; \`env\` and \`resources\` are merged key by key.`,
    "",
    r.table(r.rows(r.definition("policy"))),
    "",
    `## ${headings.task}`,
    "",
    `Each entry of \`tasks\`, keyed by task id. ${describe(r.definition("task"))} These fields are allowed on every type; \`type\` is required.`,
    "",
    r.table(r.rows(sections[0]?.schema ?? {}, "", common)),
  ];
  for (const s of sections) {
    const own = Object.keys(objAt(s.schema, "properties")).filter((n) => !common.includes(n));
    const req = required(s.schema).filter((n) => n !== "type");
    out.push("", `## ${typeHeading(s)}`, "", describe(s.schema));
    if (req.length > 0) out.push("", `Required: ${req.map((n) => `\`${n}\``).join(", ")}.`);
    out.push(
      "",
      own.length === 0
        ? "No fields beyond those of every task."
        : r.table(r.rows(s.schema, "", own)),
    );
  }
  return out.join("\n") + "\n";
}

/**
 * The name of every property the schema defines anywhere, found by walking the raw schema
 * independently of the renderer: what a complete reference must list.
 */
export function schemaPropertyNames(schema: JsonObject): Set<string> {
  const names = new Set<string>();
  const walk = (v: JsonValue | undefined, underIf: boolean): void => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, underIf));
    if (!isObj(v)) return;
    for (const [key, child] of Object.entries(v)) {
      // `if` branches restate `type` only to select a definition; they define nothing.
      if (key === "properties" && isObj(child) && !underIf) {
        for (const name of Object.keys(child)) names.add(name);
      }
      walk(child, underIf || key === "if");
    }
  };
  walk(schema, false);
  return names;
}
