/**
 * Records a kernel's iopub messages into a code cell's outputs the way Jupyter's
 * nbclient does: streams merged, execute counts, display updates by display id, and
 * clear_output (including `wait=True`, which clears only when the next output arrives).
 */
import type { JsonObject, JsonValue } from "../spec/types.js";
import type { CodeCell, Output } from "./types.js";

/** The parts of an iopub message the recorder reads. */
export interface IopubMessage {
  header: { msg_type: string };
  /** Decoded from JSON by the wire layer, so every value is a JSON value. */
  content: { [key: string]: unknown };
}

/** Where outputs carrying a display id live, across every cell of the notebook. */
export type DisplayIndex = Map<string, { cell: CodeCell; index: number }[]>;

/** Applies iopub messages to one cell; one instance per cell execution. */
export class OutputRecorder {
  private clearOnNext = false;

  constructor(
    private readonly cell: CodeCell,
    private readonly displays: DisplayIndex,
    /** Called with each new or merged output (for logging). */
    private readonly onOutput?: (output: Output) => void,
  ) {}

  /** Applies one message. Unknown message types are ignored, as in nbclient. */
  handle(msg: IopubMessage): void {
    const c = msg.content as JsonObject;
    switch (msg.header.msg_type) {
      case "execute_input":
        if (typeof c["execution_count"] === "number") {
          this.cell.execution_count = c["execution_count"];
        }
        return;
      case "clear_output":
        if (c["wait"] === true) this.clearOnNext = true;
        else this.clear();
        return;
      case "update_display_data":
        this.updateDisplay(c);
        return;
      case "stream":
        this.stream(c);
        return;
      case "display_data":
      case "execute_result":
      case "error":
        this.add(msg.header.msg_type, c);
        return;
      default:
        return;
    }
  }

  private clear(): void {
    this.clearOnNext = false;
    // Display ids pointing into this cell's outputs no longer have a target.
    for (const [id, targets] of this.displays) {
      const kept = targets.filter((t) => t.cell !== this.cell);
      if (kept.length === 0) this.displays.delete(id);
      else this.displays.set(id, kept);
    }
    this.cell.outputs = [];
  }

  private stream(c: JsonObject): void {
    if (this.clearOnNext) this.clear();
    const name = c["name"] === "stderr" ? "stderr" : "stdout";
    const text = typeof c["text"] === "string" ? c["text"] : "";
    const last = this.cell.outputs[this.cell.outputs.length - 1];
    if (last && last.output_type === "stream" && last.name === name) {
      last.text = joinText(last.text) + text;
      this.onOutput?.({ output_type: "stream", name, text });
      return;
    }
    const out: Output = { output_type: "stream", name, text };
    this.cell.outputs.push(out);
    this.onOutput?.(out);
  }

  private add(type: "display_data" | "execute_result" | "error", c: JsonObject): void {
    if (this.clearOnNext) this.clear();
    let out: Output;
    if (type === "error") {
      out = {
        output_type: "error",
        ename: textOf(c["ename"]),
        evalue: textOf(c["evalue"]),
        traceback: Array.isArray(c["traceback"]) ? c["traceback"].map(textOf) : [],
      };
    } else if (type === "execute_result") {
      out = {
        output_type: "execute_result",
        execution_count: typeof c["execution_count"] === "number" ? c["execution_count"] : null,
        data: asObject(c["data"]),
        metadata: asObject(c["metadata"]),
      };
    } else {
      out = {
        output_type: "display_data",
        data: asObject(c["data"]),
        metadata: asObject(c["metadata"]),
      };
    }
    this.cell.outputs.push(out);
    const displayId = displayIdOf(c);
    if (displayId !== undefined) {
      const targets = this.displays.get(displayId) ?? [];
      targets.push({ cell: this.cell, index: this.cell.outputs.length - 1 });
      this.displays.set(displayId, targets);
    }
    this.onOutput?.(out);
  }

  // update_display_data replaces every output shown under that id, in any cell.
  private updateDisplay(c: JsonObject): void {
    const displayId = displayIdOf(c);
    if (displayId === undefined) return;
    for (const { cell, index } of this.displays.get(displayId) ?? []) {
      const out = cell.outputs[index];
      if (out && (out.output_type === "display_data" || out.output_type === "execute_result")) {
        out.data = asObject(c["data"]);
        out.metadata = asObject(c["metadata"]);
      }
    }
  }
}

function displayIdOf(c: JsonObject): string | undefined {
  const transient = c["transient"];
  if (transient && typeof transient === "object" && !Array.isArray(transient)) {
    const id = transient["display_id"];
    if (typeof id === "string") return id;
  }
  return undefined;
}

function asObject(v: JsonValue | undefined): JsonObject {
  return v && typeof v === "object" && !Array.isArray(v) ? v : {};
}

function joinText(t: string | string[]): string {
  return Array.isArray(t) ? t.join("") : t;
}

/** A message field as text: strings as they are, other JSON values as JSON, absent as "". */
export function textOf(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}
