/** Progress as plain log lines, for when stderr is not a terminal (CI logs, pipes). */
import type { EngineEvent } from "../engine/engine.js";

/** Writes one line per state change. */
export class PlainProgress {
  constructor(private readonly out: NodeJS.WritableStream) {}

  /** Reports one state change. */
  onEvent(e: EngineEvent): void {
    const at = new Date(e.at).toISOString();
    if (e.kind === "run") {
      this.out.write(`${at} run ${e.runId} ${e.state}\n`);
      return;
    }
    const attempt = e.attempt > 1 ? ` (attempt ${e.attempt})` : "";
    const error = e.error ? `: ${e.error.message}` : "";
    this.out.write(`${at} task ${e.taskId} ${e.state}${attempt}${error}\n`);
  }

  /** Nothing to redraw at the end. */
  stop(): void {}
}
