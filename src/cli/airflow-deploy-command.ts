/**
 * `updraft airflow deploy DAGS_DIR`: the DAG file of the latest version of every
 * workflow in the store, written into an Airflow DAGs folder. Unchanged files are left
 * alone, files of workflows that are no longer in the store are removed (only files
 * Updraft generated), and every change is reported.
 */
import { relative } from "node:path";
import { generateAirflowDag } from "../airflow/dag-codegen.js";
import { syncDagFolder, type DagFile, type DagFolderEntry } from "../airflow/dag-folder.js";
import { ErrorCodes, UpdraftError, formatIssues } from "../spec/errors.js";
import { WORKFLOW_NAME_RE } from "../spec/names.js";
import { validateWorkflowDocument } from "../spec/parse.js";
import type { Store, WorkflowVersionRecord } from "../store/types.js";

/** Options of {@link airflowDeployCommand}. */
export interface AirflowDeployOptions {
  dagsDir: string;
  store: Store;
  /** How to name the store in messages (its file or URL). */
  storeLabel: string;
  /** `start_date` of every DAG (`YYYY-MM-DD`). */
  startDate?: string;
  /** Remove generated files of workflows that are not in the store (default true). */
  prune: boolean;
  dryRun: boolean;
  json: boolean;
  /** Paths in messages are shown relative to this directory. */
  cwd: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** One line of `--json` output. */
interface JsonEntry extends DagFolderEntry {
  version?: number;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Deploys; resolves with the exit code (0 when every workflow's file is in place). */
export async function airflowDeployCommand(o: AirflowDeployOptions): Promise<number> {
  if (o.startDate !== undefined && !DATE_RE.test(o.startDate)) {
    throw new UpdraftError(
      ErrorCodes.USAGE,
      `--start-date must be YYYY-MM-DD, got "${o.startDate}"`,
    );
  }
  const records = await o.store.listWorkflows();
  if (records.length === 0) {
    // Most likely the wrong store: pruning against it would empty the DAGs folder.
    throw new UpdraftError(
      ErrorCodes.NOT_FOUND,
      `the store ${o.storeLabel} holds no workflows, so nothing was deployed or removed; ` +
        "check --data-dir or --db",
    );
  }
  const files: DagFile[] = [];
  const versions = new Map<string, number>();
  // Workflows that cannot be generated keep their last good file.
  const keep = new Set<string>();
  let bad = 0;
  for (const record of records) {
    const file = dagFileOf(record, o);
    if (typeof file === "string") {
      o.stderr.write(`${file}\n`);
      bad++;
      if (WORKFLOW_NAME_RE.test(record.name)) keep.add(record.name);
      continue;
    }
    files.push(file);
    versions.set(record.name, record.version);
  }
  const report = syncDagFolder(o.dagsDir, files, { prune: o.prune, dryRun: o.dryRun, keep });
  const conflicts = report.entries.filter((e) => e.change === "conflict");
  for (const c of conflicts) {
    o.stderr.write(`${show(c.path, o.cwd)}: not written: ${c.reason ?? "conflict"}\n`);
  }
  if (o.json) {
    const entries: JsonEntry[] = report.entries.map((e) => {
      const version = versions.get(e.name);
      return e.change !== "removed" && version !== undefined ? { ...e, version } : e;
    });
    o.stdout.write(`${JSON.stringify({ dir: report.dir, dryRun: o.dryRun, entries }, null, 2)}\n`);
  } else {
    const verb = o.dryRun ? "would be " : "";
    for (const e of report.entries) {
      if (e.change === "unchanged" || e.change === "conflict") continue;
      const version = versions.get(e.name);
      const what = e.change === "removed" ? "no longer in the store" : `version ${version ?? "?"}`;
      o.stdout.write(`${verb}${e.change} ${show(e.path, o.cwd)} (${e.name}, ${what})\n`);
    }
    o.stdout.write(`${summary(report.entries, show(report.dir, o.cwd), o.dryRun)}\n`);
  }
  return bad === 0 && conflicts.length === 0 ? 0 : 1;
}

/** The DAG file of a stored version, or a message saying why there is none. */
function dagFileOf(record: WorkflowVersionRecord, o: AirflowDeployOptions): DagFile | string {
  const label = `workflow ${JSON.stringify(record.name)} version ${record.version}`;
  const { workflow, issues } = validateWorkflowDocument(record.document);
  if (workflow === undefined) {
    return (
      `${label} in the store is not valid for this version of Updraft; its DAG file is ` +
      `left as it is:\n${indent(formatIssues(issues))}`
    );
  }
  if (workflow.name !== record.name || !WORKFLOW_NAME_RE.test(record.name)) {
    return `${label} in the store names itself ${JSON.stringify(workflow.name)}; skipped`;
  }
  const code = generateAirflowDag(workflow, {
    version: record.version,
    ...(record.source !== undefined ? { source: record.source } : {}),
    ...(o.startDate !== undefined ? { startDate: o.startDate } : {}),
  });
  return { name: record.name, code };
}

function summary(entries: readonly DagFolderEntry[], dir: string, dryRun: boolean): string {
  const count = (c: DagFolderEntry["change"]) => entries.filter((e) => e.change === c).length;
  const parts = [
    `${count("created")} created`,
    `${count("updated")} updated`,
    `${count("unchanged")} unchanged`,
    `${count("removed")} removed`,
  ];
  const conflicts = count("conflict");
  if (conflicts > 0) parts.push(`${conflicts} not written`);
  return `${dryRun ? "dry run, nothing changed: " : ""}${dir}: ${parts.join(", ")}`;
}

function show(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
