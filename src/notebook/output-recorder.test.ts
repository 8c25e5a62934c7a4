import { describe, expect, it } from "vitest";
import type { JsonObject } from "../spec/types.js";
import { OutputRecorder, type DisplayIndex } from "./output-recorder.js";
import type { CodeCell } from "./types.js";

function cell(): CodeCell {
  return { cell_type: "code", source: "", metadata: {}, outputs: [], execution_count: null };
}
const msg = (msg_type: string, content: JsonObject) => ({ header: { msg_type }, content });

describe("OutputRecorder", () => {
  it("merges consecutive streams of the same name only", () => {
    const c = cell();
    const r = new OutputRecorder(c, new Map());
    r.handle(msg("stream", { name: "stdout", text: "a\n" }));
    r.handle(msg("stream", { name: "stdout", text: "b\n" }));
    r.handle(msg("stream", { name: "stderr", text: "warn\n" }));
    r.handle(msg("stream", { name: "stdout", text: "c\n" }));
    expect(c.outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "a\nb\n" },
      { output_type: "stream", name: "stderr", text: "warn\n" },
      { output_type: "stream", name: "stdout", text: "c\n" },
    ]);
  });

  it("records execute counts, results, displays and errors", () => {
    const c = cell();
    const r = new OutputRecorder(c, new Map());
    r.handle(msg("status", { execution_state: "busy" }));
    r.handle(msg("execute_input", { code: "1+1", execution_count: 4 }));
    r.handle(msg("display_data", { data: { "text/plain": "x" }, metadata: {} }));
    r.handle(
      msg("execute_result", { execution_count: 4, data: { "text/plain": "2" }, metadata: {} }),
    );
    r.handle(msg("error", { ename: "ValueError", evalue: "bad", traceback: ["line 1", "line 2"] }));
    expect(c.execution_count).toBe(4);
    expect(c.outputs.map((o) => o.output_type)).toEqual([
      "display_data",
      "execute_result",
      "error",
    ]);
    expect(c.outputs[1]).toMatchObject({ execution_count: 4, data: { "text/plain": "2" } });
    expect(c.outputs[2]).toEqual({
      output_type: "error",
      ename: "ValueError",
      evalue: "bad",
      traceback: ["line 1", "line 2"],
    });
  });

  it("updates displays by id across cells and does not store the transient id", () => {
    const displays: DisplayIndex = new Map();
    const a = cell();
    const b = cell();
    const ra = new OutputRecorder(a, displays);
    ra.handle(
      msg("display_data", {
        data: { "text/plain": "0%" },
        metadata: {},
        transient: { display_id: "p" },
      }),
    );
    const rb = new OutputRecorder(b, displays);
    rb.handle(
      msg("update_display_data", {
        data: { "text/plain": "100%" },
        metadata: {},
        transient: { display_id: "p" },
      }),
    );
    expect(a.outputs).toEqual([
      { output_type: "display_data", data: { "text/plain": "100%" }, metadata: {} },
    ]);
    expect(b.outputs).toEqual([]);
  });

  it("clears at once, or on the next output with wait=True", () => {
    const c = cell();
    const r = new OutputRecorder(c, new Map());
    r.handle(msg("stream", { name: "stdout", text: "1" }));
    r.handle(msg("clear_output", { wait: false }));
    expect(c.outputs).toEqual([]);
    r.handle(msg("stream", { name: "stdout", text: "2" }));
    r.handle(msg("clear_output", { wait: true }));
    expect(c.outputs).toHaveLength(1);
    r.handle(msg("stream", { name: "stdout", text: "3" }));
    expect(c.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "3" }]);
  });

  it("survives malformed content from a misbehaving kernel", () => {
    const c = cell();
    const r = new OutputRecorder(c, new Map());
    r.handle(msg("stream", { name: 42, text: null }));
    r.handle(msg("error", { ename: null, traceback: "not a list" }));
    r.handle(msg("display_data", { data: [1, 2], metadata: "x" }));
    r.handle(msg("update_display_data", { transient: "nope" }));
    r.handle(msg("execute_input", { execution_count: "7" }));
    expect(c.execution_count).toBeNull();
    expect(c.outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "" },
      { output_type: "error", ename: "", evalue: "", traceback: [] },
      { output_type: "display_data", data: {}, metadata: {} },
    ]);
  });
});
