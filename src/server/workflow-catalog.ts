/**
 * The workflows a minimal server offers: loaded once from a directory of workflow files,
 * each saved to the store to get its version. A file that does not parse or validate is
 * reported and skipped; it never stops the server.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { workflowToDocument } from "../spec/document.js";
import { UpdraftError, ValidationError, formatIssues } from "../spec/errors.js";
import { parseWorkflowText, validateWorkflowDocument } from "../spec/parse.js";
import type { Workflow } from "../spec/types.js";
import type { Store } from "../store/types.js";

/** A workflow the server can run. */
export interface CatalogEntry {
  workflow: Workflow;
  /** Directory relative task paths are resolved against. */
  baseDir: string;
  /** The stored version runs of it execute. */
  version: number;
  /** The file it was loaded from. */
  path: string;
}

/** In-memory map of workflow name -> entry, in name order. */
export class WorkflowCatalog {
  private readonly entries = new Map<string, CatalogEntry>();
  // Listing 10,000 workflows on every request must not sort them every time.
  private sorted: CatalogEntry[] | undefined;

  /** Adds an entry; false (and nothing added) when the name is taken. */
  add(entry: CatalogEntry): boolean {
    if (this.entries.has(entry.workflow.name)) return false;
    this.entries.set(entry.workflow.name, entry);
    this.sorted = undefined;
    return true;
  }

  /** Adds or replaces the entry of a workflow (a new version saved through the API). */
  set(entry: CatalogEntry): void {
    this.entries.set(entry.workflow.name, entry);
    this.sorted = undefined;
  }

  /** Removes a workflow (deleted through the API). */
  remove(name: string): void {
    if (this.entries.delete(name)) this.sorted = undefined;
  }

  /** The entry of a workflow, if the catalog has it. */
  get(name: string): CatalogEntry | undefined {
    return this.entries.get(name);
  }

  /** Every entry, sorted by name (code-point order, as the store lists them). */
  list(): readonly CatalogEntry[] {
    this.sorted ??= [...this.entries.values()].sort((a, b) =>
      a.workflow.name < b.workflow.name ? -1 : a.workflow.name > b.workflow.name ? 1 : 0,
    );
    return this.sorted;
  }
}

/** Workflow files larger than this are skipped unread. */
const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** How deep below the directory workflow files are looked for (`examples/<name>/<name>.yaml`). */
const MAX_DEPTH = 3;
const WORKFLOW_FILE = /\.(ya?ml|json)$/i;

/**
 * Loads every workflow file under `dir` into a new catalog and saves each to the store.
 * Problems are written to `report` (one block per file) and the file skipped.
 */
export async function loadWorkflowCatalog(
  dir: string,
  store: Store,
  report: (message: string) => void,
): Promise<WorkflowCatalog> {
  const catalog = new WorkflowCatalog();
  const root = resolve(dir);
  const deleted = await deletedWorkflows(store);
  for (const path of findWorkflowFiles(root, report)) {
    const shown = relative(process.cwd(), path) || path;
    let workflow: Workflow;
    try {
      workflow = parseWorkflowText(readSmallFile(path), { filename: shown });
    } catch (err) {
      report(`skipping ${shown}:\n${indent(describe(err))}`);
      continue;
    }
    if (catalog.get(workflow.name)) {
      report(
        `skipping ${shown}: workflow "${workflow.name}" is already loaded from ` +
          `${relative(process.cwd(), catalog.get(workflow.name)?.path ?? "")}`,
      );
      continue;
    }
    if (deleted.has(workflow.name)) {
      report(`skipping ${shown}: workflow "${workflow.name}" was deleted through the API`);
      continue;
    }
    // A workflow changed through the API keeps that version: the file does not overwrite it.
    const latest = await store.getWorkflow(workflow.name);
    if (latest && latest.source !== path) {
      report(
        `skipping ${shown}: workflow "${workflow.name}" has a newer version saved through the API`,
      );
      continue;
    }
    const saved = await store.saveWorkflow(workflow.name, workflowToDocument(workflow), path);
    catalog.add({ workflow, baseDir: dirname(path), version: saved.version, path });
  }
  return catalog;
}

/**
 * Adds the stored workflows the catalog does not hold yet (those saved through the API),
 * at their latest version; relative paths in them resolve against `libraryDir`.
 */
export async function addStoredWorkflows(
  catalog: WorkflowCatalog,
  store: Store,
  libraryDir: string,
  report: (message: string) => void,
): Promise<void> {
  const deleted = await deletedWorkflows(store);
  for (const v of await store.listWorkflows()) {
    if (catalog.get(v.name) || deleted.has(v.name)) continue;
    const { workflow, issues } = validateWorkflowDocument(v.document);
    if (!workflow) {
      report(`skipping stored workflow ${v.name} v${v.version}:\n${indent(formatIssues(issues))}`);
      continue;
    }
    const source = v.source;
    catalog.add({
      workflow,
      baseDir: source !== undefined && isAbsolute(source) ? dirname(source) : libraryDir,
      version: v.version,
      path: v.source ?? "",
    });
  }
}

async function deletedWorkflows(store: Store): Promise<Set<string>> {
  const states = await store.listWorkflowStates();
  return new Set(states.filter((s) => s.deletedAt !== null).map((s) => s.name));
}

// Workflow files in a stable order; dot-directories and node_modules are not searched.
function findWorkflowFiles(root: string, report: (message: string) => void): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      report(`cannot read the directory ${dir}: ${(err as Error).message}`);
      return;
    }
    for (const name of names) {
      if (name.startsWith(".") || name === "node_modules") continue;
      const path = join(dir, name);
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        continue; // A dangling symlink or a file removed meanwhile: nothing to load.
      }
      if (isDir) {
        if (depth < MAX_DEPTH) walk(path, depth + 1);
      } else if (WORKFLOW_FILE.test(name)) {
        found.push(path);
      }
    }
  };
  walk(root, 1);
  return found;
}

function readSmallFile(path: string): string {
  const size = statSync(path).size;
  if (size > MAX_FILE_BYTES) {
    throw new Error(`the file is ${Math.round(size / 1024)} KiB; the limit is 5 MiB`);
  }
  return readFileSync(path, "utf8");
}

function describe(err: unknown): string {
  if (err instanceof ValidationError) return formatIssues(err.issues);
  if (err instanceof UpdraftError || err instanceof Error) return err.message;
  return String(err);
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
