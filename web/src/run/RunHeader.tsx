/**
 * The run's header: workflow, state, trigger, logical date, times and params, with
 * Cancel, Repair (failed tasks and what follows them) and Re-run (a new run with the same
 * params). A failed action says why, in words.
 */
import { useState } from "react";
import { Link } from "react-router";
import type { ApiClient } from "../api/api-client.js";
import type { RunView } from "../api/types.js";
import { elapsedMs, formatDuration, formatTime, runActions, stateLabel } from "./run-model.js";

/** Props of the header. */
export interface RunHeaderProps {
  client: ApiClient;
  run: RunView;
  now: number;
  live: "connecting" | "live" | "reconnecting";
  /** After an action: the run to show (a new one for Re-run). */
  onDone: (run: RunView) => void;
}

function paramText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The header of the run page. */
export function RunHeader({ client, run, now, live, onDone }: RunHeaderProps) {
  const [busy, setBusy] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const actions = runActions(run);
  const act = (name: string, call: () => Promise<RunView>) => {
    setBusy(name);
    setProblem(undefined);
    call().then(
      (next) => {
        setBusy(undefined);
        onDone(next);
      },
      (err: unknown) => {
        setBusy(undefined);
        setProblem(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  };
  const params = Object.entries(run.params);
  return (
    <header className="run-header">
      <div className="run-title">
        <h1>
          Run of <Link to={`/workflows/${encodeURIComponent(run.workflow)}`}>{run.workflow}</Link>
        </h1>
        <span
          className={`state-badge state-${run.state}`}
          aria-label={`Run state: ${stateLabel(run.state)}`}
        >
          {stateLabel(run.state)}
        </span>
        <span className={`live live-${live}`} role="status">
          {live === "live" ? "Live" : live === "connecting" ? "Connecting…" : "Reconnecting…"}
        </span>
        <span className="spacer" />
        <button
          type="button"
          disabled={!actions.cancel || busy !== undefined}
          onClick={() => {
            if (window.confirm(`Cancel this run of ${run.workflow}? Running tasks are stopped.`))
              act("Cancel", () => client.cancelRun(run.id));
          }}
        >
          Cancel
        </button>
        <button
          type="button"
          disabled={!actions.repair || busy !== undefined}
          title="Run the failed tasks and everything downstream of them again"
          onClick={() => act("Repair", () => client.repairRun(run.id))}
        >
          Repair
        </button>
        <button
          type="button"
          disabled={!actions.rerun || busy !== undefined}
          title="Start a new run with the same params"
          onClick={() => act("Re-run", () => client.triggerRun(run.workflow, run.params))}
        >
          Re-run
        </button>
      </div>
      {problem !== undefined && <p role="alert">{problem}</p>}
      {busy !== undefined && <p role="status">{busy}…</p>}
      <dl className="facts run-facts">
        <dt>Run id</dt>
        <dd>
          <code>{run.id}</code>
        </dd>
        <dt>Version</dt>
        <dd>{run.version}</dd>
        <dt>Trigger</dt>
        <dd>{run.trigger ?? "—"}</dd>
        <dt>Logical date</dt>
        <dd>{formatTime(run.logicalDate)}</dd>
        <dt>Started</dt>
        <dd>{formatTime(run.startedAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(elapsedMs(run.startedAt, run.endedAt, now))}</dd>
        <dt>Params</dt>
        <dd>
          {params.length === 0 ? (
            "none"
          ) : (
            <ul className="run-params">
              {params.map(([k, v]) => (
                <li key={k}>
                  <code>{k}</code> = <code>{paramText(v)}</code>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </header>
  );
}
