/**
 * The names notebooks may have in the library: relative `/`-separated paths of plain
 * segments ending in `.ipynb`. Checked as text before the file system is touched, so no
 * request can name anything outside the library (symbolic links are the library's check).
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** Longest library path accepted, in characters. */
export const MAX_LIBRARY_PATH_CHARS = 1024;

/** Longest single path segment accepted, in UTF-8 bytes (the limit of common file systems). */
export const MAX_LIBRARY_SEGMENT_BYTES = 255;

/** Deepest library path accepted, in segments (the file included). */
export const MAX_LIBRARY_DEPTH = 16;

/** The extension every library notebook has. */
export const NOTEBOOK_EXTENSION = ".ipynb";

// C0 controls, DEL and C1 controls: never part of a name someone typed on purpose.
// eslint-disable-next-line no-control-regex -- these are exactly the characters refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function refuse(path: unknown, message: string): never {
  throw new UpdraftError(ErrorCodes.VALIDATION, message, {
    details: { path: typeof path === "string" ? path.slice(0, 200) : null },
  });
}

/**
 * Checks a library path and returns its segments.
 * @throws UpdraftError E_VALIDATION when it is not a string, empty, too long or too deep,
 * absolute, has empty, `.`, `..` or dot-prefixed segments, backslashes or control
 * characters, or does not end in `.ipynb`.
 */
export function checkLibraryPath(path: unknown): string[] {
  if (typeof path !== "string") refuse(path, "a notebook path must be a string");
  if (path === "") refuse(path, "the notebook path is empty");
  if (path.length > MAX_LIBRARY_PATH_CHARS) {
    refuse(path, `the notebook path is longer than ${MAX_LIBRARY_PATH_CHARS} characters`);
  }
  if (CONTROL.test(path)) refuse(path, "the notebook path contains control characters");
  if (path.includes("\\")) {
    refuse(path, "the notebook path contains a backslash; separate folders with /");
  }
  if (path.startsWith("/")) {
    refuse(path, "the notebook path must be relative to the library, not start with /");
  }
  const segments = path.split("/");
  if (segments.length > MAX_LIBRARY_DEPTH) {
    refuse(path, `the notebook path is deeper than ${MAX_LIBRARY_DEPTH} levels`);
  }
  for (const segment of segments) {
    if (segment === "") refuse(path, "the notebook path has an empty segment (// or a trailing /)");
    if (segment === "." || segment === "..") {
      refuse(path, "the notebook path may not contain . or .. segments");
    }
    // Hidden names are left to tools (.ipynb_checkpoints) and to our own temporary files.
    if (segment.startsWith(".")) refuse(path, "notebook and folder names may not start with .");
    if (Buffer.byteLength(segment) > MAX_LIBRARY_SEGMENT_BYTES) {
      refuse(
        path,
        `a segment of the notebook path is longer than ${MAX_LIBRARY_SEGMENT_BYTES} bytes`,
      );
    }
  }
  const last = segments.at(-1) ?? "";
  if (!last.endsWith(NOTEBOOK_EXTENSION) || last.length === NOTEBOOK_EXTENSION.length) {
    refuse(path, `the notebook path must name a ${NOTEBOOK_EXTENSION} file`);
  }
  return segments;
}
