/** The stored form of a workflow: plain JSON in a stable key order. */
import { normalizeWorkflow } from "./normalize.js";
import type { JsonObject, Workflow } from "./types.js";

/**
 * Plain JSON of a workflow for storage and the API, keys in a fixed order and every
 * normalized default written out; `validateWorkflowDocument` of it gives back an equal
 * Workflow.
 */
export function workflowToDocument(workflow: Workflow): JsonObject {
  // A Workflow is itself a valid document, and normalizing fixes the key order.
  return normalizeWorkflow(workflow as unknown as Record<string, unknown>) as unknown as JsonObject;
}
