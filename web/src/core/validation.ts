/**
 * Validation with the server's own validator (src/spec), so the designer shows exactly
 * the errors a save would get, and the mapping of each error's path onto the canvas:
 * `tasks.train.params.x` -> node `train`, field `params.x`.
 */
import type { ValidationIssue } from "../../../src/spec/errors.js";
import { validateWorkflowDocument } from "../../../src/spec/parse.js";
import { writeDocument } from "./document-io.js";
import type { DesignDoc } from "./model.js";

export type { ValidationIssue };

/** An issue placed on a node or on the workflow form. */
export interface PlacedIssue {
  /** The field inside the task or workflow, e.g. `params.x`, `needs[0]`; "" for the whole thing. */
  field: string;
  message: string;
  /** The full path as the validator reported it. */
  path: string;
}

/** Issues by where the designer shows them. */
export interface IssueMap {
  /** Issues of each task, by task id. */
  tasks: Map<string, PlacedIssue[]>;
  /** Issues of the workflow itself (name, params, schedule, …) and of the whole document. */
  workflow: PlacedIssue[];
  /** Every issue, in the validator's order. */
  all: ValidationIssue[];
}

/** Every validation issue of the document, as the server would report it on save. */
export function validateDoc(doc: DesignDoc): ValidationIssue[] {
  return validateWorkflowDocument(writeDocument(doc)).issues;
}

function rest(path: string, prefix: string): string {
  const tail = path.slice(prefix.length);
  return tail.startsWith(".") ? tail.slice(1) : tail;
}

/**
 * Places issues on nodes and fields. A path under `tasks.ID` goes to task ID (the
 * longest known id that matches, so an invalid id holding dots still lands right);
 * `ui.positions.ID` goes to task ID's `position` field; everything else is the workflow's.
 */
export function placeIssues(
  issues: readonly ValidationIssue[],
  taskIds: Iterable<string>,
): IssueMap {
  const ids = [...taskIds].sort((a, b) => b.length - a.length);
  const tasks = new Map<string, PlacedIssue[]>();
  const workflow: PlacedIssue[] = [];
  const add = (id: string, issue: PlacedIssue): void => {
    const list = tasks.get(id);
    if (list === undefined) tasks.set(id, [issue]);
    else list.push(issue);
  };
  for (const issue of issues) {
    const { path, message } = issue;
    const match = (root: string): string | undefined =>
      ids.find((id) => {
        const prefix = `${root}.${id}`;
        return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
      });
    const task = path.startsWith("tasks.") ? match("tasks") : undefined;
    if (task !== undefined) {
      add(task, { field: rest(path, `tasks.${task}`), message, path });
      continue;
    }
    const placed = path.startsWith("ui.positions.") ? match("ui.positions") : undefined;
    if (placed !== undefined) {
      add(placed, { field: "position", message, path });
      continue;
    }
    workflow.push({ field: path, message, path });
  }
  return { tasks, workflow, all: [...issues] };
}

/** Validates the document and places the issues on its tasks and fields. */
export function checkDoc(doc: DesignDoc): IssueMap {
  return placeIssues(validateDoc(doc), Object.keys(doc.tasks));
}

/** The issues of one field of a task (`params.x`) or of the workflow (`schedule`), including those below it. */
export function issuesAt(list: readonly PlacedIssue[] | undefined, field: string): PlacedIssue[] {
  if (list === undefined) return [];
  return list.filter(
    (i) => i.field === field || i.field.startsWith(`${field}.`) || i.field.startsWith(`${field}[`),
  );
}
