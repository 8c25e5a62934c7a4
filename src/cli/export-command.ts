/**
 * `updraft export airflow FILE... -o DAGS_DIR`: one `<workflow name>.py` per valid
 * workflow file. Invalid files are reported like `updraft validate` and nothing is
 * written for them; the exit code says whether every file was exported.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { generateAirflowDag } from "../airflow/dag-codegen.js";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { loadWorkflow } from "./load-workflow.js";
import { validateCommand } from "./validate-command.js";

/** Options of {@link exportAirflowCommand}. */
export interface ExportAirflowOptions {
  files: readonly string[];
  outDir: string;
  /** `start_date` of every DAG (`YYYY-MM-DD`). */
  startDate?: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Exports the files; resolves with the exit code (0 when every file was written). */
export function exportAirflowCommand(o: ExportAirflowOptions): number {
  if (o.startDate !== undefined && !DATE_RE.test(o.startDate)) {
    throw new UpdraftError(
      ErrorCodes.USAGE,
      `--start-date must be YYYY-MM-DD, got "${o.startDate}"`,
    );
  }
  const outDir = resolve(o.outDir);
  mkdirSync(outDir, { recursive: true });
  const written = new Map<string, string>();
  let bad = 0;
  for (const file of o.files) {
    // Validation problems are printed exactly as `updraft validate` prints them.
    const silent = { write: () => true } as unknown as NodeJS.WritableStream;
    if (validateCommand([file], silent, o.stderr) !== 0) {
      bad++;
      continue;
    }
    const { workflow } = loadWorkflow(file);
    const earlier = written.get(workflow.name);
    if (earlier !== undefined) {
      o.stderr.write(`${file}: workflow ${workflow.name} was already exported from ${earlier}\n`);
      bad++;
      continue;
    }
    const source = relative(process.cwd(), resolve(file)) || file;
    const code = generateAirflowDag(workflow, {
      version: 1,
      source,
      ...(o.startDate !== undefined ? { startDate: o.startDate } : {}),
    });
    const target = join(outDir, `${workflow.name}.py`);
    // Write then rename: Airflow's parser never sees a half-written DAG file.
    const tmp = join(outDir, `.${workflow.name}.py.tmp`);
    writeFileSync(tmp, code);
    renameSync(tmp, target);
    written.set(workflow.name, file);
    o.stdout.write(`${file}: wrote ${target}\n`);
  }
  return bad === 0 ? 0 : 1;
}
