/**
 * A structural check of an OpenAPI 3.1 document, for the tests of the generated one: every
 * `$ref` resolves, every path has operations with responses, path templates match their
 * parameters, operation ids are unique. (No validator package: a full one is large, and
 * these are the mistakes a hand-built document makes.)
 */

type Json = unknown;

const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/** Problems found in the document, each with where; empty when it is sound. */
export function checkOpenApiDocument(doc: Json): string[] {
  const problems: string[] = [];
  if (!isObj(doc)) return ["the document is not an object"];
  if (typeof doc["openapi"] !== "string" || !doc["openapi"].startsWith("3.1.")) {
    problems.push("openapi: must be a 3.1.x version string");
  }
  const info = doc["info"];
  if (!isObj(info) || typeof info["title"] !== "string" || typeof info["version"] !== "string") {
    problems.push("info: needs a title and a version");
  }
  const paths = doc["paths"];
  if (!isObj(paths) || Object.keys(paths).length === 0) {
    problems.push("paths: none");
  } else {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(paths)) {
      checkPath(path, item, ids, problems);
    }
  }
  checkRefs(doc, doc, "#", problems);
  return problems;
}

function checkPath(path: string, item: Json, ids: Set<string>, problems: string[]): void {
  if (!path.startsWith("/")) problems.push(`${path}: a path must start with /`);
  if (!isObj(item)) {
    problems.push(`${path}: not an object`);
    return;
  }
  const templated = [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? "");
  const ops = Object.entries(item).filter(([k]) => METHODS.has(k));
  if (ops.length === 0) problems.push(`${path}: no operations`);
  for (const key of Object.keys(item)) {
    if (!METHODS.has(key) && !["summary", "description", "parameters", "servers"].includes(key)) {
      problems.push(`${path}: unknown field ${key}`);
    }
  }
  for (const [method, op] of ops) {
    const where = `${method.toUpperCase()} ${path}`;
    if (!isObj(op)) {
      problems.push(`${where}: not an object`);
      continue;
    }
    const id = op["operationId"];
    if (typeof id === "string") {
      if (ids.has(id)) problems.push(`${where}: duplicate operationId ${id}`);
      ids.add(id);
    }
    const responses = op["responses"];
    if (!isObj(responses) || Object.keys(responses).length === 0) {
      problems.push(`${where}: no responses`);
    } else {
      for (const [status, r] of Object.entries(responses)) {
        if (!/^([1-5][0-9][0-9]|[1-5]XX|default)$/.test(status)) {
          problems.push(`${where}: bad response key ${status}`);
        }
        if (!isObj(r) || (r["$ref"] === undefined && typeof r["description"] !== "string")) {
          problems.push(`${where} ${status}: a response needs a description`);
        }
      }
    }
    const params = Array.isArray(op["parameters"]) ? (op["parameters"] as Json[]) : [];
    const inPath = params.filter((p) => isObj(p) && p["in"] === "path");
    const names = inPath.map((p) => (isObj(p) ? String(p["name"]) : ""));
    for (const t of templated) {
      if (!names.includes(t)) problems.push(`${where}: no path parameter for {${t}}`);
    }
    for (const p of inPath) {
      if (!isObj(p)) continue;
      if (!templated.includes(String(p["name"]))) {
        problems.push(`${where}: path parameter ${String(p["name"])} is not in the path`);
      }
      if (p["required"] !== true) problems.push(`${where}: path parameters must be required`);
    }
    for (const p of params) {
      if (!isObj(p) || typeof p["name"] !== "string" || !isObj(p["schema"])) {
        problems.push(`${where}: a parameter needs a name and a schema`);
      }
    }
  }
}

// Walks everything; a schema with `$id` starts a resource its local refs resolve against.
function checkRefs(node: Json, base: Json, where: string, problems: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => checkRefs(v, base, `${where}/${i}`, problems));
    return;
  }
  if (!isObj(node)) return;
  const resource = typeof node["$id"] === "string" ? node : base;
  const ref = node["$ref"];
  if (ref !== undefined) {
    if (typeof ref !== "string" || !ref.startsWith("#")) {
      problems.push(`${where}: $ref ${JSON.stringify(ref)} is not a local reference`);
    } else if (resolvePointer(resource, ref.slice(1)) === undefined) {
      problems.push(`${where}: $ref ${ref} does not resolve`);
    }
  }
  for (const [k, v] of Object.entries(node)) {
    checkRefs(v, resource, `${where}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`, problems);
  }
}

/** The value a JSON pointer (`/a/b~1c`) designates, or undefined. */
export function resolvePointer(root: Json, pointer: string): Json {
  if (pointer === "") return root;
  if (!pointer.startsWith("/")) return undefined;
  let node = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObj(node) && Object.hasOwn(node, key)) node = node[key];
    else return undefined;
  }
  return node;
}

function isObj(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
