/**
 * The run page's data, framework-free: live events folded into a run view, what the
 * buttons may do in each state, durations in words, the grid of recent runs by tasks and
 * the Gantt bars. Pure functions of their inputs (the clock is a parameter).
 */
import type { LiveEvent } from "../api/live.js";
import type { RunState, RunView, TaskState, TaskView } from "../api/types.js";

/** Every task state with the words shown beside its colour (never colour alone). */
export const TASK_STATE_LABEL: Record<TaskState, string> = {
  pending: "pending",
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  retrying: "retrying",
  upstream_failed: "upstream failed",
  skipped: "skipped",
  cancelled: "cancelled",
};

/** The words of a state, known or not (a newer server may send a state this app lacks). */
export function stateLabel(state: string): string {
  return (TASK_STATE_LABEL as Record<string, string>)[state] ?? state;
}

const TERMINAL_TASK = new Set<string>([
  "succeeded",
  "failed",
  "upstream_failed",
  "skipped",
  "cancelled",
]);
const TERMINAL_RUN = new Set<string>(["succeeded", "failed", "cancelled"]);

/** True when a task will not change any more (until a repair). */
export function taskEnded(state: string): boolean {
  return TERMINAL_TASK.has(state);
}

/** True when a run has ended. */
export function runEnded(state: RunState): boolean {
  return TERMINAL_RUN.has(state);
}

/** Which of Cancel, Repair and Re-run apply to a run. */
export function runActions(run: RunView): { cancel: boolean; repair: boolean; rerun: boolean } {
  const ended = runEnded(run.state);
  const repairable = Object.values(run.tasks).some(
    (t) => t.state === "failed" || t.state === "upstream_failed" || t.state === "cancelled",
  );
  return { cancel: !ended, repair: ended && repairable, rerun: ended };
}

/**
 * The run after a live event of it: the task's state, attempts and error, with start and
 * end times from the event's time until the server's own times are read again.
 */
export function applyEvent(run: RunView, e: LiveEvent): RunView {
  if (e.runId !== run.id) return run;
  if (e.kind === "run") {
    if (e.state === run.state) return run;
    return {
      ...run,
      state: e.state,
      startedAt: run.startedAt ?? (e.state === "running" ? e.at || null : null),
      endedAt: runEnded(e.state) ? (run.endedAt ?? (e.at || null)) : null,
    };
  }
  const old = run.tasks[e.taskId];
  const base: TaskView = old ?? {
    state: "pending",
    attempts: 0,
    outputs: {},
    startedAt: null,
    endedAt: null,
    error: null,
  };
  let { startedAt, endedAt } = base;
  const at = e.at === "" ? null : e.at;
  if (e.state === "pending") {
    startedAt = null;
    endedAt = null;
  } else if (e.state === "running") {
    if (startedAt === null || e.attempt > base.attempts) startedAt = at;
    endedAt = null;
  } else if (taskEnded(e.state)) {
    endedAt = endedAt ?? at;
  }
  const next: TaskView = {
    ...base,
    state: e.state,
    attempts: Math.max(base.attempts, e.attempt),
    error: e.error ?? (taskEnded(e.state) ? base.error : null),
    startedAt,
    endedAt,
  };
  return { ...run, tasks: { ...run.tasks, [e.taskId]: next } };
}

/** Milliseconds from `from` to `to` (or `now`), or undefined without a readable start. */
export function elapsedMs(from: string | null, to: string | null, now: number): number | undefined {
  if (from === null) return undefined;
  const a = Date.parse(from);
  const b = to === null ? now : Date.parse(to);
  if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
  return Math.max(0, b - a);
}

/** A duration in words: `850 ms`, `42 s`, `3 min 05 s`, `2 h 07 min`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, "0")} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A time as the page shows it (local, to the second), or "—". */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === "") return "—";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toLocaleString(undefined, { hour12: false });
}

/** The grid of recent runs by tasks: columns oldest to newest, one row per task. */
export interface RunGrid {
  runs: RunView[];
  tasks: string[];
}

/**
 * The grid of `runs` (newest first, as listed) with `current` included: at most
 * `limit` runs, oldest left as in Airflow; rows are the current run's tasks in its order,
 * then tasks only older runs had.
 */
export function runGrid(runs: readonly RunView[], current: RunView, limit = 25): RunGrid {
  const byId = new Map(runs.map((r) => [r.id, r]));
  byId.set(current.id, current);
  const sorted = [...byId.values()].sort((a, b) =>
    (b.logicalDate ?? b.startedAt ?? "").localeCompare(a.logicalDate ?? a.startedAt ?? ""),
  );
  let shown = sorted.slice(0, limit);
  if (!shown.some((r) => r.id === current.id)) shown = [...shown.slice(0, limit - 1), current];
  const tasks = Object.keys(current.tasks);
  const seen = new Set(tasks);
  for (const r of shown) {
    for (const t of Object.keys(r.tasks)) {
      if (!seen.has(t)) {
        seen.add(t);
        tasks.push(t);
      }
    }
  }
  return { runs: shown.reverse(), tasks };
}

/** One bar of the Gantt chart, as fractions of the chart's width. */
export interface GanttBar {
  task: string;
  state: TaskState;
  /** Left edge and width in [0, 1]; undefined when the task has not started. */
  left?: number;
  width?: number;
  durationMs?: number;
  running: boolean;
}

/** The Gantt chart of a run at `now`: its time span and one bar per task. */
export function ganttBars(
  run: RunView,
  now: number,
): { spanMs: number; startMs: number; bars: GanttBar[] } {
  const starts: number[] = [];
  const ends: number[] = [];
  for (const t of Object.values(run.tasks)) {
    const s = t.startedAt === null ? NaN : Date.parse(t.startedAt);
    if (!Number.isNaN(s)) {
      starts.push(s);
      const e = t.endedAt === null ? now : Date.parse(t.endedAt);
      ends.push(Number.isNaN(e) ? s : e);
    }
  }
  const runStart = run.startedAt === null ? NaN : Date.parse(run.startedAt);
  const startMs = Math.min(...starts, Number.isNaN(runStart) ? Infinity : runStart);
  const endMs = Math.max(...ends, run.endedAt === null ? now : Date.parse(run.endedAt) || now);
  const ok = Number.isFinite(startMs) && Number.isFinite(endMs);
  const spanMs = ok ? Math.max(1, endMs - startMs) : 1;
  const bars: GanttBar[] = Object.entries(run.tasks).map(([task, t]) => {
    const d = elapsedMs(t.startedAt, t.endedAt, now);
    const running = t.endedAt === null && t.startedAt !== null && !taskEnded(t.state);
    if (!ok || d === undefined || t.startedAt === null) return { task, state: t.state, running };
    const left = (Date.parse(t.startedAt) - startMs) / spanMs;
    return {
      task,
      state: t.state,
      left: Math.min(1, Math.max(0, left)),
      width: Math.min(1 - Math.max(0, left), Math.max(0, d / spanMs)),
      durationMs: d,
      running,
    };
  });
  return { spanMs, startMs: ok ? startMs : NaN, bars };
}

/** The error of a task as one line of text (the server's `{code, message}` or older plain text). */
export function errorText(error: unknown): string {
  if (error === null || error === undefined) return "";
  if (typeof error === "string") return error;
  if (typeof error === "object") {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof message === "string")
      return typeof code === "string" ? `${code}: ${message}` : message;
  }
  return JSON.stringify(error);
}
