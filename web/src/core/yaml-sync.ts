/**
 * Keeps the YAML tab and the canvas in sync both ways. Canvas edits rewrite the text;
 * typed text that reads as a workflow updates the document; text that does not read
 * stays exactly as typed, with its problems at line and column, and the canvas keeps
 * the last document that did read.
 */
import type { ValidationIssue } from "../../../src/spec/errors.js";
import { validateWorkflowDocument } from "../../../src/spec/parse.js";
import type { DesignDoc } from "./model.js";
import { parseYaml, toYaml } from "./yaml-text.js";

/** The YAML tab's state. */
export interface YamlState {
  /** The text in the editor, as the user left it. */
  text: string;
  /** The document the text was generated from or read as. */
  doc: DesignDoc;
  /** Syntax problems (the text does not read; the canvas shows `doc`). */
  parseIssues: ValidationIssue[];
  /** Validation problems of readable text, at their line and column. */
  issues: ValidationIssue[];
}

/** The YAML tab showing `doc`. */
export function yamlFromDoc(doc: DesignDoc): YamlState {
  const text = toYaml(doc);
  return { text, doc, parseIssues: [], issues: issuesOfText(text) };
}

function issuesOfText(text: string): ValidationIssue[] {
  const read = parseYaml(text);
  if (!read.ok) return read.issues;
  return validateWorkflowDocument(read.value, read.positionOf).issues;
}

/**
 * The user typed `text`. When it reads, `doc` becomes what it says (the caller commits
 * it to history) and validation issues carry line and column; when it does not, the
 * text is kept with its parse issues and `doc` stays the last one that read.
 */
export function yamlEdited(state: YamlState, text: string): YamlState {
  const read = parseYaml(text);
  if (!read.ok) return { ...state, text, parseIssues: read.issues, issues: [] };
  const issues = validateWorkflowDocument(read.value, read.positionOf).issues;
  return { text, doc: read.doc, parseIssues: [], issues };
}

/**
 * The document changed on the canvas (or by undo). Text that does not read is the
 * user's unfinished work and is kept (the caller offers to discard it); otherwise the
 * text is regenerated from the document.
 */
export function yamlDocChanged(state: YamlState, doc: DesignDoc): YamlState {
  if (doc === state.doc) return state;
  if (state.parseIssues.length > 0) return { ...state, doc };
  return yamlFromDoc(doc);
}
