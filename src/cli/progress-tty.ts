/**
 * Live progress for a terminal: one line per task (state, attempt, elapsed time),
 * redrawn in place. Large runs show the tasks that are active plus counts per state,
 * so the block never grows past the screen.
 */
import type { EngineEvent } from "../engine/engine.js";
import type { TaskState } from "../store/types.js";

const COLORS: Record<TaskState, string> = {
  pending: "\x1b[90m",
  queued: "\x1b[90m",
  running: "\x1b[36m",
  succeeded: "\x1b[32m",
  failed: "\x1b[31m",
  retrying: "\x1b[33m",
  upstream_failed: "\x1b[35m",
  skipped: "\x1b[90m",
  cancelled: "\x1b[33m",
};
const RESET = "\x1b[0m";
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

interface Row {
  state: TaskState;
  attempt: number;
  startedAt: number | null;
  endedAt: number | null;
}

/** Output stream of a terminal. */
export interface TtyStream {
  write(s: string): boolean;
  rows?: number;
  columns?: number;
}

/** Redraws the task table on every event and on a timer (for elapsed times). */
export class TtyProgress {
  private readonly rows = new Map<string, Row>();
  private drawn = 0;
  private frame = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly out: TtyStream,
    taskIds: readonly string[],
    private readonly now: () => number = Date.now,
  ) {
    for (const id of taskIds) {
      this.rows.set(id, { state: "pending", attempt: 0, startedAt: null, endedAt: null });
    }
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref();
  }

  /** Reports one state change. */
  onEvent(e: EngineEvent): void {
    if (e.kind !== "task") return;
    const row = this.rows.get(e.taskId);
    if (!row) return;
    row.state = e.state;
    row.attempt = e.attempt;
    if (e.state === "running") {
      row.startedAt = e.at;
      row.endedAt = null;
    } else if (e.state !== "queued" && e.state !== "pending") {
      row.endedAt = e.at;
    }
  }

  /** Draws the final table and stops the timer. */
  stop(): void {
    clearInterval(this.timer);
    this.draw();
  }

  private draw(): void {
    this.frame++;
    const lines = this.render();
    let s = this.drawn > 0 ? `\x1b[${this.drawn}F` : "";
    for (const line of lines) s += `\x1b[2K${line}\n`;
    // Clear leftovers when the block shrank.
    for (let i = lines.length; i < this.drawn; i++) s += "\x1b[2K\n";
    const extra = Math.max(0, this.drawn - lines.length);
    if (extra > 0) s += `\x1b[${extra}F`;
    this.out.write(s);
    this.drawn = lines.length;
  }

  private render(): string[] {
    const width = Math.max(40, (this.out.columns ?? 100) - 1);
    const maxLines = Math.max(5, (this.out.rows ?? 30) - 3);
    const entries = [...this.rows.entries()];
    const nameWidth = Math.min(32, Math.max(4, ...entries.map(([id]) => id.length)));
    let shown = entries;
    const lines: string[] = [];
    if (entries.length > maxLines) {
      const counts = new Map<TaskState, number>();
      for (const [, r] of entries) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
      lines.push(
        [...counts.entries()]
          .map(([state, n]) => `${COLORS[state]}${n} ${state}${RESET}`)
          .join("  "),
      );
      const active = entries.filter(
        ([, r]) => r.state === "running" || r.state === "retrying" || r.state === "failed",
      );
      shown = active.slice(0, maxLines - 1);
    }
    for (const [id, r] of shown) {
      const name = id.length > nameWidth ? `${id.slice(0, nameWidth - 1)}…` : id.padEnd(nameWidth);
      const icon = r.state === "running" ? SPINNER[this.frame % SPINNER.length]! : " ";
      const attempt = r.attempt > 1 ? ` attempt ${r.attempt}` : "";
      const elapsed =
        r.startedAt === null ? "" : ` ${formatElapsed((r.endedAt ?? this.now()) - r.startedAt)}`;
      const line = `${icon} ${name} ${COLORS[r.state]}${r.state}${RESET}${attempt}${elapsed}`;
      lines.push(line.length > width + 10 ? line.slice(0, width + 10) : line);
    }
    return lines;
  }
}

/** Formats milliseconds as `0.4s`, `12.0s`, `3m05s`, `1h02m`. */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
