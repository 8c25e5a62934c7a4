/** The workflow format: types, schema, parsing, validation, expressions, graph. */
export * from "./types.js";
export * from "./errors.js";
export { workflowJsonSchema } from "./schema.js";
export { parseWorkflowText, validateWorkflowDocument, MAX_ISSUES } from "./parse.js";
export {
  checkSchedule,
  checkTimezone,
  MAX_TASKS,
  SCHEDULE_PRESETS,
  TEMPLATED_TASK_FIELDS,
} from "./validate.js";
export {
  analyzeExpressions,
  findReferences,
  hasTemplate,
  resolveValue,
  RUN_FIELDS,
  type ExpressionContext,
  type ExpressionProblem,
  type Reference,
} from "./expressions.js";
export { formatDuration, parseDuration } from "./duration.js";
export { parseCliValue, parseParamsFile, resolveRunParams } from "./params.js";
export {
  Ancestry,
  downstreamOf,
  findCycle,
  findCycles,
  formatCycle,
  topologicalOrder,
  upstreamOf,
  type GraphNode,
  type GraphTasks,
} from "./graph.js";
export { effectiveTask } from "./effective-task.js";
export { workflowToDocument } from "./document.js";
export {
  CONNECTION_NAME_PATTERN,
  ENV_NAME_PATTERN,
  MAX_TASK_CONNECTIONS,
  IDENTIFIER_PATTERN,
  RESERVED_IDENTIFIERS,
  TASK_ID_PATTERN,
  WORKFLOW_NAME_PATTERN,
  isIdentifier,
} from "./names.js";
export { formatPath, type PathSegment, type PositionLookup, type SourcePosition } from "./path.js";
export { MAX_ALIAS_COUNT, MAX_SOURCE_BYTES } from "./source-text.js";
export { MAX_DEPTH } from "./json.js";
