/**
 * The Gantt chart of a run: one bar per task from its start to its end (or to now while
 * it runs, redrawn each second), coloured and labelled by state. Rows are buttons that
 * open the task panel.
 */
import type { RunView } from "../api/types.js";
import { formatDuration, ganttBars, stateLabel } from "./run-model.js";

/** Props of the chart. */
export interface RunGanttProps {
  run: RunView;
  now: number;
  selected: string | undefined;
  onOpen: (task: string) => void;
}

/** The Gantt chart of a run's tasks. */
export function RunGantt({ run, now, selected, onOpen }: RunGanttProps) {
  const { bars, spanMs } = ganttBars(run, now);
  return (
    <div className="gantt" role="list" aria-label={`Task timeline over ${formatDuration(spanMs)}`}>
      {bars.map((b) => {
        const label = `${b.task}: ${stateLabel(b.state)}, ${
          b.durationMs === undefined ? "not started" : formatDuration(b.durationMs)
        }${b.running ? " so far" : ""}`;
        return (
          <div role="listitem" key={b.task}>
            <button
              type="button"
              className={`gantt-row${b.task === selected ? " selected" : ""}`}
              aria-label={label}
              title={label}
              onClick={() => onOpen(b.task)}
            >
              <span className="gantt-task">{b.task}</span>
              <span className="gantt-track">
                {b.left !== undefined && b.width !== undefined && (
                  <span
                    className={`gantt-bar state-${b.state}${b.running ? " running" : ""}`}
                    style={{ left: `${b.left * 100}%`, width: `max(2px, ${b.width * 100}%)` }}
                  />
                )}
              </span>
              <span className="gantt-duration">{formatDuration(b.durationMs)}</span>
            </button>
          </div>
        );
      })}
    </div>
  );
}
