/**
 * Airflow's grid view: recent runs of the workflow as columns (oldest left), tasks as
 * rows, a coloured cell per task of each run with its state in words for screen readers.
 * Each cell is a link (Tab reaches it, Enter opens that run with that task).
 */
import { Link } from "react-router";
import type { RunView } from "../api/types.js";
import { formatTime, runGrid, stateLabel } from "./run-model.js";

/** Props of the grid. */
export interface RunGridProps {
  runs: readonly RunView[];
  current: RunView;
  selectedTask: string | undefined;
  /** The href of a run with a task open. */
  hrefOf: (runId: string, task?: string) => string;
}

/** The grid of recent runs by tasks. */
export function RunGrid({ runs, current, selectedTask, hrefOf }: RunGridProps) {
  const grid = runGrid(runs, current);
  return (
    <div className="run-grid-wrap">
      <table className="run-grid" aria-label="Recent runs by task">
        <thead>
          <tr>
            <th scope="col">Task</th>
            {grid.runs.map((r) => (
              <th key={r.id} scope="col" className={r.id === current.id ? "current" : undefined}>
                <Link
                  to={hrefOf(r.id)}
                  className={`grid-run state-${r.state}`}
                  aria-label={`Run of ${formatTime(r.logicalDate ?? r.startedAt)}: ${stateLabel(r.state)}`}
                  title={`${formatTime(r.logicalDate ?? r.startedAt)} · ${stateLabel(r.state)}`}
                  aria-current={r.id === current.id ? "page" : undefined}
                />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.tasks.map((task) => (
            <tr key={task}>
              <th scope="row">{task}</th>
              {grid.runs.map((r) => {
                const t = r.tasks[task];
                if (t === undefined) {
                  return (
                    <td key={r.id}>
                      <span className="grid-cell none" aria-label={`${task} not in this run`} />
                    </td>
                  );
                }
                const here = r.id === current.id && task === selectedTask;
                return (
                  <td key={r.id} className={r.id === current.id ? "current" : undefined}>
                    <Link
                      to={hrefOf(r.id, task)}
                      className={`grid-cell state-${t.state}${here ? " selected" : ""}`}
                      aria-label={`${task} in the run of ${formatTime(r.logicalDate ?? r.startedAt)}: ${stateLabel(t.state)}`}
                      title={`${task} · ${stateLabel(t.state)}`}
                    />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
