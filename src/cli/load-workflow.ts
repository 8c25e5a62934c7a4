/** Reads and parses a workflow file for the CLI, turning file-system errors into user errors. */
import { readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { parseWorkflowText } from "../spec/parse.js";
import type { Workflow } from "../spec/types.js";

/** A parsed workflow and where it came from. */
export interface LoadedWorkflow {
  workflow: Workflow;
  path: string;
  /** Directory relative task paths are resolved against. */
  baseDir: string;
}

/** Refuses files larger than this before reading them. */
export const MAX_WORKFLOW_BYTES = 5 * 1024 * 1024;

/** Reads a file as UTF-8 text with a clear error when it is missing, a directory or too big. */
export function readUserFile(path: string, what: string, maxBytes = MAX_WORKFLOW_BYTES): string {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) {
      throw new UpdraftError(ErrorCodes.FILE, `${what} ${path} is a directory, not a file`);
    }
    size = st.size;
  } catch (err) {
    if (err instanceof UpdraftError) throw err;
    throw new UpdraftError(
      ErrorCodes.FILE,
      `cannot read ${what} ${path}: ${describeFsError(err)}`,
      {
        cause: err,
      },
    );
  }
  if (size > maxBytes) {
    throw new UpdraftError(
      ErrorCodes.FILE,
      `${what} ${path} is ${Math.round(size / 1024)} KiB; the limit is ${maxBytes / 1024} KiB`,
    );
  }
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new UpdraftError(
      ErrorCodes.FILE,
      `cannot read ${what} ${path}: ${describeFsError(err)}`,
      {
        cause: err,
      },
    );
  }
}

/** Loads and validates a workflow file; throws ValidationError listing every problem. */
export function loadWorkflow(path: string): LoadedWorkflow {
  const abs = resolve(path);
  const text = readUserFile(abs, "workflow file");
  const workflow = parseWorkflowText(text, { filename: path });
  return { workflow, path: abs, baseDir: dirname(abs) };
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
      return "permission denied";
    case "EISDIR":
      return "it is a directory";
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
