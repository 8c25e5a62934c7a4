/**
 * The rows of the workflows page. Each row is memoized, so toggling one workflow's
 * pause or deleting one re-renders that row only, even with 1,000 of them. Links are
 * plain anchors with one click handler on the table doing the in-app navigation: a
 * router Link each (11 a row, 11,000 a page) was most of the time of a 1,000-row render.
 */
import { memo, type MouseEvent } from "react";
import { useNavigate } from "react-router";
import type { LastRun, WorkflowSummary } from "../api/types.js";
import { formatUtc, type ScheduleWords } from "./workflow-rows.js";

/** What a row may do, as the signed-in user's role allows. */
export interface RowActions {
  /** Editors and admins may pause and trigger. */
  canOperate: boolean;
  /** Whether this user may delete the workflow (admins, and editors their own). */
  canDelete: (w: WorkflowSummary) => boolean;
  /** Editors and admins may create (and so duplicate). */
  canCreate: boolean;
  onPause: (name: string, paused: boolean) => void;
  onDuplicate: (name: string) => void;
  onDelete: (name: string) => void;
}

/** Props of the table. */
export interface WorkflowTableProps {
  rows: readonly WorkflowSummary[];
  words: ScheduleWords;
  actions: RowActions;
  /** Names whose pause change is being sent. */
  pending: ReadonlySet<string>;
}

/** The workflows as a table. */
export function WorkflowTable({ rows, words, actions, pending }: WorkflowTableProps) {
  const navigate = useNavigate();
  const onClick = (e: MouseEvent<HTMLTableElement>) => {
    // As a router Link does: a plain left click stays in the app, others are the browser's.
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.defaultPrevented)
      return;
    const a = (e.target as Element).closest("a");
    const href = a?.getAttribute("href");
    if (a === null || href === null || href === undefined || !href.startsWith("/")) return;
    e.preventDefault();
    void navigate(href);
  };
  return (
    // Only clicks on its links (keyboard-reachable anchors; Enter clicks them) are handled.
    <table className="workflows" onClick={onClick}>
      <caption className="visually-hidden">Workflows</caption>
      {/* Fixed column widths: the browser lays 1,000 rows out without measuring them all. */}
      <colgroup>
        <col className="col-name" />
        <col className="col-schedule" />
        <col className="col-next" />
        <col className="col-paused" />
        <col className="col-runs" />
        <col className="col-owner" />
        <col className="col-actions" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Schedule</th>
          <th scope="col">Next run</th>
          <th scope="col">Paused</th>
          <th scope="col">Last runs</th>
          <th scope="col">Owner</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((w) => (
          <Row
            key={w.name}
            w={w}
            schedule={words.words(w.schedule)}
            actions={actions}
            busy={pending.has(w.name)}
          />
        ))}
      </tbody>
    </table>
  );
}

const Row = memo(function Row({
  w,
  schedule,
  actions,
  busy,
}: {
  w: WorkflowSummary;
  schedule: string;
  actions: RowActions;
  busy: boolean;
}) {
  const paused = w.paused ?? true;
  const href = `/workflows/${encodeURIComponent(w.name)}`;
  return (
    <tr>
      <th scope="row">
        <a href={href}>{w.name}</a>
        {w.description !== null && w.description !== "" && (
          <div className="wf-description">{w.description}</div>
        )}
      </th>
      <td title={w.schedule ?? undefined}>{schedule}</td>
      <td>
        {w.nextRun ? <time dateTime={w.nextRun}>{formatUtc(w.nextRun)}</time> : <span>—</span>}
      </td>
      <td>
        {actions.canOperate ? (
          <button
            type="button"
            role="switch"
            className="pause-switch"
            aria-checked={paused}
            aria-label={`Paused: ${w.name}`}
            disabled={busy}
            onClick={() => actions.onPause(w.name, !paused)}
          >
            {paused ? "Paused" : "Active"}
          </button>
        ) : (
          <span>{paused ? "Paused" : "Active"}</span>
        )}
      </td>
      <td>
        <RunMarks runs={w.lastRuns} />
      </td>
      <td>{w.owner ?? "—"}</td>
      <td className="row-actions">
        {actions.canOperate && (
          <a href={`${href}/run`} aria-label={`Run ${w.name}`}>
            Run
          </a>
        )}
        {actions.canCreate && (
          <button
            type="button"
            onClick={() => actions.onDuplicate(w.name)}
            aria-label={`Duplicate ${w.name}`}
          >
            Duplicate
          </button>
        )}
        {actions.canDelete(w) && (
          <button
            type="button"
            className="danger"
            onClick={() => actions.onDelete(w.name)}
            aria-label={`Delete ${w.name}`}
          >
            Delete
          </button>
        )}
      </td>
    </tr>
  );
});

const STATE_WORDS: Record<string, string> = {
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
};

/**
 * The last runs, oldest to newest left to right, each a coloured link to the run named
 * by its date and state. Bare anchors in a labelled group (no list items): a list would
 * double the 10,000 elements of a 1,000-row page.
 */
function RunMarks({ runs }: { runs: readonly LastRun[] | undefined }) {
  if (runs === undefined || runs.length === 0) return <span className="no-runs">none</span>;
  const shown = runs.slice(0, 10).reverse();
  return (
    <span className="run-marks" role="group" aria-label="Last runs, oldest first">
      {shown.map((r) => {
        const state = STATE_WORDS[r.state] ?? "unknown";
        const when = formatUtc(r.logicalDate) || r.id;
        return (
          <a
            key={r.id}
            href={`/runs/${encodeURIComponent(r.id)}`}
            className={`run-mark state-${state}`}
            title={`${when}: ${state}`}
            aria-label={`Run ${when}: ${state}`}
            // Out of the tab order (10 a row would bury the row's actions); screen readers
            // still read them, and the run view lists every run.
            tabIndex={-1}
          />
        );
      })}
    </span>
  );
}
