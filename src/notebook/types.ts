/**
 * The Jupyter notebook model (nbformat 4) as Updraft reads and writes it. Readers keep
 * unknown fields on the objects at run time, so a notebook round-trips without loss.
 */
import type { JsonObject, JsonValue } from "../spec/types.js";

/** Multi-line text as nbformat stores it: one string or a list of lines. */
export type MultilineString = string | string[];

/** A `stream` output (stdout/stderr). */
export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
  [key: string]: JsonValue;
}

/** A `display_data` output; `transient.display_id` is not stored, as in nbclient. */
export interface DisplayDataOutput {
  output_type: "display_data";
  data: JsonObject;
  metadata: JsonObject;
  [key: string]: JsonValue;
}

/** An `execute_result` output. */
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: JsonObject;
  metadata: JsonObject;
  [key: string]: JsonValue;
}

/** An `error` output. */
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
  [key: string]: JsonValue;
}

/** Any output of a code cell. */
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

/** A code cell. */
export interface CodeCell {
  cell_type: "code";
  id?: string;
  source: MultilineString;
  metadata: JsonObject;
  outputs: Output[];
  execution_count: number | null;
}

/** A markdown or raw cell. */
export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: JsonObject;
  attachments?: JsonObject;
}

/** Any cell. */
export type Cell = CodeCell | TextCell;

/** A whole notebook. */
export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: JsonObject;
  cells: Cell[];
}
