/** Run params from the command line: `-f` files, then `-p`/`-r` pairs, checked against the workflow. */
import { parseCliValue, parseParamsFile, resolveRunParams } from "../spec/params.js";
import type { JsonObject, Workflow } from "../spec/types.js";
import { readUserFile } from "./load-workflow.js";
import type { ParamPair } from "./param-args.js";

/** Resolves a run's params from params files and -p/-r pairs (later wins). */
export function resolveCliParams(
  workflow: Workflow,
  pairs: readonly ParamPair[],
  paramFiles: readonly string[],
): JsonObject {
  const given: JsonObject = {};
  for (const f of paramFiles) {
    Object.assign(given, parseParamsFile(readUserFile(f, "params file"), f));
  }
  // A declared string param keeps the text as typed (papermill's parsing would turn
  // "1.10" into 1.1); every other value is parsed as papermill does.
  for (const { name, value, raw } of pairs) {
    given[name] = raw || workflow.params[name]?.type === "string" ? value : parseCliValue(value);
  }
  return resolveRunParams(workflow.params, given);
}
