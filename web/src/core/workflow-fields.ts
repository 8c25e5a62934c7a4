/**
 * Editing the workflow itself: name, description, schedule, timezone and the other
 * top-level fields, `defaults`, and the typed workflow params (rename rewrites every
 * `{{ params.X }}` reference).
 */
import { IDENTIFIER_PATTERN, RESERVED_IDENTIFIERS } from "../../../src/spec/names.js";
import { PARAM_TYPES, type ParamSpec } from "../../../src/spec/types.js";
import {
  accept,
  getOwn,
  isObject,
  refuse,
  renameKey,
  setOwn,
  withKey,
  type DesignDoc,
  type JsonObject,
  type JsonValue,
  type OpResult,
  type TaskDraft,
} from "./model.js";
import { renameParamReferences, renameParamReferencesIn } from "./references.js";

const IDENTIFIER_RE = new RegExp(IDENTIFIER_PATTERN);

/** Top-level fields the workflow form edits (tasks and ui have their own operations). */
export type TopField =
  "name" | "description" | "schedule" | "timezone" | "catchup" | "maxActiveRuns" | "defaults";

/** Sets (or with undefined, removes) a top-level field. */
export function setTopField(
  doc: DesignDoc,
  field: TopField,
  value: JsonValue | undefined,
): DesignDoc {
  return { ...doc, top: withKey(doc.top, field, value) };
}

/** The workflow params as written (a mapping, or empty when absent or malformed). */
export function workflowParams(doc: DesignDoc): Record<string, JsonObject> {
  const params = getOwn(doc.top, "params");
  const out: Record<string, JsonObject> = {};
  if (!isObject(params)) return out;
  for (const name of Object.keys(params)) {
    const spec = params[name];
    setOwn(out, name, isObject(spec) ? spec : {});
  }
  return out;
}

function paramNameProblem(name: string): string | undefined {
  if (!IDENTIFIER_RE.test(name)) {
    return `param name ${JSON.stringify(name.slice(0, 80))} is not valid: use ASCII letters, digits and "_", not starting with a digit`;
  }
  if (RESERVED_IDENTIFIERS.has(name))
    return `param name ${JSON.stringify(name)} is reserved (a Python or R keyword)`;
  return undefined;
}

/** Adds or replaces workflow param `name` with `spec`; refuses an invalid name or type. */
export function setWorkflowParam(doc: DesignDoc, name: string, spec: ParamSpec): OpResult {
  const problem = paramNameProblem(name);
  if (problem !== undefined) return refuse(problem);
  if (!(PARAM_TYPES as readonly string[]).includes(spec.type)) {
    return refuse(`param type must be one of ${PARAM_TYPES.join(", ")}`);
  }
  const params = getOwn(doc.top, "params");
  const base: JsonObject = isObject(params) ? params : {};
  const clean: JsonObject = {};
  for (const [k, v] of Object.entries(spec)) if (v !== undefined) setOwn(clean, k, v as JsonValue);
  return accept({ ...doc, top: withKey(doc.top, "params", withKey(base, name, clean)) });
}

/** Removes workflow param `name`; references to it stay for the validator to flag. */
export function removeWorkflowParam(doc: DesignDoc, name: string): DesignDoc {
  const params = getOwn(doc.top, "params");
  if (!isObject(params) || !Object.hasOwn(params, name)) return doc;
  const rest = withKey(params, name, undefined);
  return {
    ...doc,
    top: withKey(doc.top, "params", Object.keys(rest).length > 0 ? rest : undefined),
  };
}

/** Renames workflow param `from` to `to`, rewriting `{{ params.from... }}` in tasks and defaults. */
export function renameWorkflowParam(doc: DesignDoc, from: string, to: string): OpResult {
  const params = getOwn(doc.top, "params");
  if (!isObject(params) || !Object.hasOwn(params, from))
    return refuse(`there is no param ${JSON.stringify(from)}`);
  if (from === to) return accept(doc);
  const problem = paramNameProblem(to);
  if (problem !== undefined) return refuse(problem);
  if (Object.hasOwn(params, to)) return refuse(`there is already a param ${JSON.stringify(to)}`);
  let top = withKey(doc.top, "params", renameKey(params, from, to));
  const defaults = getOwn(top, "defaults");
  if (defaults !== undefined)
    top = withKey(top, "defaults", renameParamReferencesIn(defaults, from, to));
  const tasks: Record<string, TaskDraft> = {};
  for (const [id, task] of Object.entries(doc.tasks))
    setOwn(tasks, id, renameParamReferences(task, from, to));
  return accept({ ...doc, top, tasks });
}
