/**
 * The task panel of the run page: state, attempts, times, error, outputs as a table, the
 * live log (text only, its tail in the DOM, the whole log as a download) and, for
 * notebook tasks, the executed notebook.
 */
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import type { ApiClient } from "../api/api-client.js";
import { ApiError, type RunView } from "../api/types.js";
import type { JsonObject } from "../core/model.js";
import { NotebookView } from "../notebook/NotebookView.js";
import {
  elapsedMs,
  errorText,
  formatDuration,
  formatTime,
  stateLabel,
  taskEnded,
} from "./run-model.js";
import { useTaskLog } from "./useTaskLog.js";

/** Props of the panel. */
export interface TaskPanelProps {
  client: ApiClient;
  run: RunView;
  task: string;
  /** The task's type from the workflow document ("" when unknown). */
  type: string;
  now: number;
  onClose: () => void;
}

/** How often a running task's notebook is read again. */
const NOTEBOOK_POLL_MS = 3000;

function valueText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function TaskLog({ client, run, task }: { client: ApiClient; run: RunView; task: string }) {
  const log = useTaskLog(client, run.id, task, run.tasks[task]);
  const pre = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  const [downloadError, setDownloadError] = useState<string | undefined>();

  useLayoutEffect(() => {
    const el = pre.current;
    if (el !== null && stick.current) el.scrollTop = el.scrollHeight;
  }, [log.tail]);

  const download = () => {
    setDownloadError(undefined);
    client.taskLog(run.id, task).then(
      (text) => {
        const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
        const a = document.createElement("a");
        a.href = url;
        a.download = `${run.workflow}-${run.id}-${task}.log`;
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      },
      (err: unknown) => setDownloadError(err instanceof Error ? err.message : String(err)),
    );
  };

  if (log.status === "none") return <p>The task has not started, so it has no log yet.</p>;
  return (
    <div className="task-log-box">
      <div className="task-log-bar">
        <span role="status">
          {log.status === "loading" && "Reading the log…"}
          {log.status === "following" && `Following attempt ${log.attempt} live…`}
          {log.status === "done" && `Attempt ${log.attempt}`}
        </span>
        <button type="button" onClick={download}>
          Download full log
        </button>
      </div>
      {downloadError !== undefined && (
        <p role="alert">The log cannot be downloaded: {downloadError}</p>
      )}
      {log.status === "error" && <p role="alert">{log.message}</p>}
      {log.tail.dropped > 0 && (
        <p className="task-log-dropped">
          {log.tail.dropped.toLocaleString()} earlier characters are not shown; download the full
          log to read them.
        </p>
      )}
      <pre
        ref={pre}
        className="task-log"
        tabIndex={0}
        aria-label={`Log of ${task}`}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {log.tail.text === "" && log.status !== "loading" ? "(empty)" : log.tail.text}
      </pre>
    </div>
  );
}

function TaskNotebook({ client, run, task }: { client: ApiClient; run: RunView; task: string }) {
  const t = run.tasks[task];
  const [state, setState] = useState<
    | { status: "loading" }
    | { status: "error"; message: string }
    | { status: "ok"; notebook: JsonObject }
  >({ status: "loading" });
  // Read again when the task's state or attempt changes, and every few seconds while it
  // runs (the executor saves the notebook as cells finish).
  const key = `${t?.state}/${t?.attempts}`;
  const running = t !== undefined && !taskEnded(t.state) && t.attempts > 0;
  useEffect(() => {
    let live = true;
    const read = () =>
      client.taskNotebook(run.id, task).then(
        (notebook) => live && setState({ status: "ok", notebook }),
        (err: unknown) =>
          live &&
          setState({
            status: "error",
            message:
              err instanceof ApiError && err.status === 404
                ? err.message
                : `the notebook cannot be read: ${err instanceof Error ? err.message : String(err)}`,
          }),
      );
    void read();
    const timer = running ? setInterval(() => void read(), NOTEBOOK_POLL_MS) : undefined;
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, run.id, task, key, running]);
  if (state.status === "loading") return <p aria-busy="true">Reading the executed notebook…</p>;
  if (state.status === "error") return <p role="status">{state.message}</p>;
  return <NotebookView notebook={state.notebook} />;
}

/** The panel of one task of a run. */
export function TaskPanel({ client, run, task, type, now, onClose }: TaskPanelProps) {
  const t = run.tasks[task];
  const isNotebook = type === "notebook" || type === "";
  // A running task's log says most; an ended notebook task's executed notebook does.
  const [tab, setTab] = useState<"log" | "notebook">(
    type === "notebook" && t !== undefined && taskEnded(t.state) ? "notebook" : "log",
  );
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [task]);
  if (t === undefined) {
    return (
      <aside className="task-panel" aria-label={`Task ${task}`}>
        <p role="alert">This run has no task {task}.</p>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </aside>
    );
  }
  const outputs = Object.entries(t.outputs);
  return (
    <aside className="task-panel" aria-label={`Task ${task}`}>
      <div className="task-panel-head">
        <h2 ref={heading} tabIndex={-1}>
          {task}
        </h2>
        <span className={`state-badge state-${t.state}`}>{stateLabel(t.state)}</span>
        <button type="button" onClick={onClose} aria-label="Close the task panel">
          Close
        </button>
      </div>
      <dl className="facts">
        <dt>Type</dt>
        <dd>{type || "—"}</dd>
        <dt>Attempts</dt>
        <dd>{t.attempts}</dd>
        <dt>Started</dt>
        <dd>{formatTime(t.startedAt)}</dd>
        <dt>Ended</dt>
        <dd>{formatTime(t.endedAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(elapsedMs(t.startedAt, t.endedAt, now))}</dd>
      </dl>
      {t.error !== null && (
        <div className="task-error" role="alert">
          <strong>Error</strong>
          <pre>{errorText(t.error)}</pre>
        </div>
      )}
      <h3>Outputs</h3>
      {outputs.length === 0 ? (
        <p>No outputs.</p>
      ) : (
        <table className="outputs">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {outputs.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>
                  <code>{valueText(v)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div role="tablist" aria-label="Task details" className="task-tabs">
        <button
          type="button"
          role="tab"
          aria-selected={tab === "log"}
          onClick={() => setTab("log")}
        >
          Log
        </button>
        {isNotebook && (
          <button
            type="button"
            role="tab"
            aria-selected={tab === "notebook"}
            onClick={() => setTab("notebook")}
          >
            Notebook
          </button>
        )}
      </div>
      <div role="tabpanel">
        {tab === "log" || !isNotebook ? (
          <TaskLog client={client} run={run} task={task} />
        ) : (
          <TaskNotebook client={client} run={run} task={task} />
        )}
      </div>
    </aside>
  );
}
