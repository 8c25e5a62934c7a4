/** Paths of fields inside a workflow document, as segments and as display strings. */

/** One step into a document: an object key or an array index. */
export type PathSegment = string | number;

/** A 1-based position in a source file. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Maps a field's path to its position in the source text, when known. */
export type PositionLookup = (path: readonly PathSegment[]) => SourcePosition | undefined;

/** Formats a path as `tasks.train.params.x` with array indices as `needs[0]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}

/** A problem at a path, before it becomes a ValidationIssue with a position. */
export interface Problem {
  path: PathSegment[];
  message: string;
}
