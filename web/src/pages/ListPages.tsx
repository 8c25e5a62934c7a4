/**
 * The workflows list and the notebook library, in their first, plain form: the lists
 * with links, and clear loading, empty and error states. Search, last runs, upload and
 * the notebook viewer come with the server's endpoints (issue 5).
 */
import { useEffect, useState } from "react";
import { Link } from "react-router";
import type { ApiClient } from "../api/api-client.js";
import type { NotebookEntry, WorkflowSummary } from "../api/types.js";

type Loaded<T> =
  { state: "loading" } | { state: "error"; message: string } | { state: "ok"; value: T };

/** Loads `fetch()` once per client, with loading and error states. */
function useLoad<T>(fetch: () => Promise<T>, key: unknown): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  useEffect(() => {
    let live = true;
    fetch().then(
      (value) => live && setLoaded({ state: "ok", value }),
      (err: unknown) =>
        live &&
        setLoaded({ state: "error", message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
    // `fetch` is recreated each render; `key` (the client) says when to load again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return loaded;
}

/** The workflows page at `/`. */
export function WorkflowsPage({ client }: { client: ApiClient }) {
  const loaded = useLoad<WorkflowSummary[]>(() => client.listWorkflows(), client);
  return (
    <main className="page">
      <h1>Workflows</h1>
      <p>
        <Link to="/new">New workflow</Link>
      </p>
      {loaded.state === "loading" && <p aria-busy="true">Loading workflows…</p>}
      {loaded.state === "error" && (
        <p role="alert">The workflows could not be listed: {loaded.message}</p>
      )}
      {loaded.state === "ok" && loaded.value.length === 0 && <p>No workflows yet: create one.</p>}
      {loaded.state === "ok" && loaded.value.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col">Schedule</th>
              <th scope="col">Tasks</th>
              <th scope="col">Version</th>
            </tr>
          </thead>
          <tbody>
            {loaded.value.map((w) => (
              <tr key={w.name}>
                <td>
                  <Link to={`/workflows/${encodeURIComponent(w.name)}`}>{w.name}</Link>
                </td>
                <td>{w.description ?? ""}</td>
                <td>{w.schedule ?? "manual"}</td>
                <td>{w.tasks}</td>
                <td>{w.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

/** The notebook library at `/notebooks`. */
export function NotebooksPage({ client }: { client: ApiClient }) {
  const loaded = useLoad<NotebookEntry[]>(() => client.listNotebooks(), client);
  return (
    <main className="page">
      <h1>Notebook library</h1>
      {loaded.state === "loading" && <p aria-busy="true">Loading notebooks…</p>}
      {loaded.state === "error" && (
        <p role="alert">The library could not be listed: {loaded.message}</p>
      )}
      {loaded.state === "ok" && loaded.value.length === 0 && <p>The library is empty.</p>}
      {loaded.state === "ok" && loaded.value.length > 0 && (
        <ul>
          {loaded.value.map((n) => (
            <li key={n.path}>
              <code>{n.path}</code>
              {n.kernel !== undefined && <span> ({n.kernel})</span>}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

/** The run view at `/runs/:id`: not built yet, and it says so. */
export function RunPage() {
  return (
    <main className="page">
      <h1>Run</h1>
      <p>The run view (live graph, grid, Gantt chart, logs and notebooks) is not built yet.</p>
    </main>
  );
}
