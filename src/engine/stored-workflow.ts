/**
 * Loads the workflow a stored run executes from the store (its exact version), for
 * crash recovery and repair. Relative paths resolve against the directory of the file
 * the version came from, unless the caller knows better (the server's library root).
 */
import { dirname } from "node:path";
import { validateWorkflowDocument } from "../spec/parse.js";
import type { Store, WorkflowVersionRecord } from "../store/types.js";
import type { RunWorkflowLoader } from "./engine.js";

/** A loader reading run versions from `store`; `baseDirOf` picks the base directory. */
export function storedWorkflowLoader(
  store: Store,
  baseDirOf: (version: WorkflowVersionRecord) => string = (v) =>
    v.source ? dirname(v.source) : process.cwd(),
): RunWorkflowLoader {
  return async (run) => {
    const version = await store.getWorkflow(run.workflow, run.version);
    if (!version) return undefined;
    const { workflow } = validateWorkflowDocument(version.document);
    return workflow ? { workflow, baseDir: baseDirOf(version) } : undefined;
  };
}
