/** Workflow documents in, validated and normalized Workflows out. */
import { ErrorCodes, ValidationError, type ValidationIssue } from "./errors.js";
import { describeType, inspectJson, isObject } from "./json.js";
import { normalizeWorkflow } from "./normalize.js";
import { formatPath, type PositionLookup, type Problem } from "./path.js";
import { checkSchema } from "./schema-check.js";
import { readSourceText } from "./source-text.js";
import type { Workflow } from "./types.js";
import { checkSemantics } from "./validate.js";

/** Most issues reported for one document; a hostile file cannot flood the output. */
export const MAX_ISSUES = 1000;

function toIssues(problems: Problem[], positions: PositionLookup | undefined): ValidationIssue[] {
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const p of problems) {
    const path = formatPath(p.path);
    const key = `${path}\u0000${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const pos = positions?.(p.path);
    issues.push(
      pos === undefined ? { path, message: p.message } : { path, message: p.message, ...pos },
    );
  }
  // Source order reads best; issues without a position (whole document) come first.
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  if (issues.length > MAX_ISSUES) {
    const more = issues.length - MAX_ISSUES;
    issues.length = MAX_ISSUES;
    issues.push({ path: "", message: `… and ${more} more issues` });
  }
  return issues;
}

/**
 * Validates a parsed document (from a file, the API or the designer) and normalizes
 * it. Returns every issue at once, each with its path and, when `positions` is given,
 * its line and column; `workflow` is set only when there is no issue. Never throws on
 * bad input.
 */
export function validateWorkflowDocument(
  doc: unknown,
  positions?: PositionLookup,
): { workflow?: Workflow; issues: ValidationIssue[] } {
  if (!isObject(doc)) {
    const what = doc === null || doc === undefined ? "empty" : describeType(doc);
    return {
      issues: [
        {
          path: "",
          message: `a workflow document must be a mapping with at least name and tasks, but it is ${what}`,
        },
      ],
    };
  }
  // Raw-shape problems (deep nesting, NUL, non-JSON values) stop here: the checks
  // below recurse and assume JSON.
  const raw = inspectJson(doc);
  if (raw.length > 0) return { issues: toIssues(raw, positions) };
  const problems = [...checkSchema(doc), ...checkSemantics(doc)];
  if (problems.length > 0) return { issues: toIssues(problems, positions) };
  return { workflow: normalizeWorkflow(doc), issues: [] };
}

/**
 * Parses a workflow file's text (YAML, or JSON: by a `.json` filename or a leading
 * `{`) and validates it. Throws ValidationError listing every issue with line and
 * column: code E_PARSE for syntax and safety problems (size over 5 MB, control
 * characters, alias bombs, nesting over 64 levels, duplicate keys), E_VALIDATION
 * otherwise.
 */
export function parseWorkflowText(text: string, opts: { filename?: string } = {}): Workflow {
  const source = readSourceText(text, opts.filename);
  if (source.issues.length > 0) {
    throw new ValidationError(source.issues, { code: ErrorCodes.PARSE });
  }
  const { workflow, issues } = validateWorkflowDocument(source.value, source.positionOf);
  if (workflow === undefined) throw new ValidationError(issues);
  return workflow;
}
