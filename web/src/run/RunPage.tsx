/**
 * The run page at `/runs/:id` (`?task=ID` opens a task): the header with its actions,
 * the graph coloured live by task state, the grid of recent runs by tasks, the Gantt
 * chart, and the task panel. Loading, error and missing-run states say what happened.
 */
import { useCallback, useEffect, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import type { ApiClient } from "../api/api-client.js";
import { readDocument } from "../core/document-io.js";
import { RunGantt } from "./RunGantt.js";
import { RunGraph } from "./RunGraph.js";
import { RunGrid } from "./RunGrid.js";
import { RunHeader } from "./RunHeader.js";
import { runEnded } from "./run-model.js";
import { TaskPanel } from "./TaskPanel.js";
import { useRunData } from "./useRunData.js";

/** Props of the run page. */
export interface RunPageProps {
  client: ApiClient;
  /** The clock (injected so tests can fix it); defaults to Date.now. */
  now?: () => number;
}

/** The href of a run, with a task open when given. */
export function runHref(runId: string, task?: string): string {
  const q = task === undefined ? "" : `?task=${encodeURIComponent(task)}`;
  return `/runs/${encodeURIComponent(runId)}${q}`;
}

/** The current time, redrawn every second while `ticking`. */
function useNow(clock: () => number, ticking: boolean): number {
  const [now, setNow] = useState(clock);
  useEffect(() => {
    if (!ticking) return;
    const t = setInterval(() => setNow(clock()), 1000);
    return () => clearInterval(t);
  }, [clock, ticking]);
  return now;
}

const systemNow = () => Date.now();

/** The run page. */
export function RunPage({ client, now: clock = systemNow }: RunPageProps) {
  const id = useParams()["id"] ?? "";
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const task = search.get("task") ?? undefined;
  const data = useRunData(client, id);
  const ticking = data.status === "ok" && !runEnded(data.run.state);
  const now = useNow(clock, ticking);

  const openTask = useCallback(
    (t: string | undefined) => {
      const next = new URLSearchParams(search);
      if (t === undefined) next.delete("task");
      else next.set("task", t);
      setSearch(next);
    },
    [search, setSearch],
  );

  if (data.status === "loading") {
    return (
      <main className="page" aria-busy="true">
        <p>Loading run {id}…</p>
      </main>
    );
  }
  if (data.status === "missing") {
    return (
      <main className="page">
        <h1>Run not found</h1>
        <p role="alert">
          There is no run {id} ({data.message}).
        </p>
        <p>
          <Link to="/">Back to the workflows</Link>
        </p>
      </main>
    );
  }
  if (data.status === "error") {
    return (
      <main className="page">
        <h1>Run {id}</h1>
        <p role="alert">The run cannot be shown: {data.message}</p>
        <button type="button" onClick={() => window.location.reload()}>
          Try again
        </button>
      </main>
    );
  }
  const { run, document, runs } = data;
  const read = document === undefined ? undefined : readDocument(document);
  const typeOf = (t: string): string => {
    if (read?.ok !== true) return "";
    return Object.hasOwn(read.doc.tasks, t) ? (read.doc.tasks[t]?.type ?? "") : "";
  };
  const empty = Object.keys(run.tasks).length === 0;
  return (
    <main className="page run-page">
      <RunHeader
        client={client}
        run={run}
        now={now}
        live={data.live}
        onDone={(next) => {
          if (next.id !== run.id) void navigate(runHref(next.id));
          else data.reload();
        }}
      />
      <div className={`run-body${task !== undefined ? " with-panel" : ""}`}>
        <div className="run-main">
          {empty ? (
            <p>This run has no tasks.</p>
          ) : (
            <>
              <section aria-labelledby="run-graph-h">
                <h2 id="run-graph-h">Graph</h2>
                {data.documentError !== undefined && (
                  <p role="status">
                    The workflow version cannot be read ({data.documentError}); tasks are shown
                    without their edges.
                  </p>
                )}
                <RunGraph run={run} document={document} selected={task} onOpen={openTask} />
              </section>
              <section aria-labelledby="run-grid-h">
                <h2 id="run-grid-h">Recent runs</h2>
                <RunGrid runs={runs} current={run} selectedTask={task} hrefOf={runHref} />
              </section>
              <section aria-labelledby="run-gantt-h">
                <h2 id="run-gantt-h">Timeline</h2>
                <RunGantt run={run} now={now} selected={task} onOpen={openTask} />
              </section>
            </>
          )}
        </div>
        {task !== undefined && (
          <TaskPanel
            key={`${run.id}/${task}`}
            client={client}
            run={run}
            task={task}
            type={typeOf(task)}
            now={now}
            onClose={() => openTask(undefined)}
          />
        )}
      </div>
    </main>
  );
}
