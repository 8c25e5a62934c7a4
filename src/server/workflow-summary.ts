/** A workflow as the API lists it: name, version, schedule state, size and params. */
import type { CatalogEntry } from "./workflow-catalog.js";
import type { WorkflowSchedules } from "./workflow-schedules.js";

/** A workflow as lists show it. */
export function summary(entry: CatalogEntry, schedules: WorkflowSchedules) {
  const w = entry.workflow;
  return {
    name: w.name,
    description: w.description ?? null,
    version: entry.version,
    schedule: w.schedule ?? null,
    ...schedules.status(w.name),
    tasks: Object.keys(w.tasks).length,
    params: w.params,
  };
}
