/** `updraft validate FILE...`: every problem of every file, each with its path. */
import { ValidationError, toUpdraftError } from "../spec/errors.js";
import { loadWorkflow } from "./load-workflow.js";

/** Validates files; resolves with the exit code (0 when all are valid). */
export function validateCommand(
  files: readonly string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): number {
  let bad = 0;
  for (const file of files) {
    try {
      const { workflow } = loadWorkflow(file);
      out.write(`${file}: ok (${workflow.name}, ${Object.keys(workflow.tasks).length} tasks)\n`);
    } catch (e) {
      bad++;
      if (e instanceof ValidationError) {
        for (const issue of e.issues) {
          const where = issue.line !== undefined ? `:${issue.line}:${issue.column ?? 1}` : "";
          const path = issue.path === "" ? "" : `${issue.path}: `;
          err.write(`${file}${where}: ${path}${issue.message}\n`);
        }
      } else {
        const u = toUpdraftError(e);
        if (!u.isUserError) throw u;
        err.write(`${file}: ${u.message}\n`);
      }
    }
  }
  return bad === 0 ? 0 : 1;
}
