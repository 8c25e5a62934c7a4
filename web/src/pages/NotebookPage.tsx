/**
 * One notebook of the library at `/notebooks/PATH`: its declared parameters (name,
 * type, default, help) as the designer's forms use them, and its cells drawn by the
 * read-only NotebookView (which never trusts the content).
 */
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import type { ApiClient } from "../api/api-client.js";
import type { ParameterInfo } from "../api/types.js";
import type { JsonObject } from "../core/model.js";
import { NotebookView } from "../notebook/NotebookView.js";

type Loaded<T> =
  { state: "loading" } | { state: "error"; message: string } | { state: "ok"; value: T };

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function useLoaded<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && setLoaded({ state: "ok", value }),
      (err: unknown) => live && setLoaded({ state: "error", message: errorText(err) }),
    );
    return () => {
      live = false;
    };
    // `load` is a new closure each render; `deps` says when it loads something else.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return loaded;
}

/** The notebook page; another path gets a fresh screen (and loading state). */
export function NotebookPage({ client }: { client: ApiClient }) {
  const path = useParams()["*"] ?? "";
  return <NotebookScreen key={path} client={client} path={path} />;
}

function NotebookScreen({ client, path }: { client: ApiClient; path: string }) {
  const params = useLoaded<ParameterInfo[]>(() => client.notebookParams(path), [client, path]);
  const notebook = useLoaded<JsonObject>(() => client.getNotebook(path), [client, path]);

  return (
    <main className="page">
      <p>
        <Link to="/notebooks">Notebook library</Link>
      </p>
      <h1>
        <code>{path}</code>
      </h1>
      <section aria-labelledby="nb-params-title">
        <h2 id="nb-params-title">Declared parameters</h2>
        {params.state === "loading" && <p aria-busy="true">Reading the parameters cell…</p>}
        {params.state === "error" && (
          <p role="alert">The parameters could not be read: {params.message}</p>
        )}
        {params.state === "ok" && params.value.length === 0 && (
          <p className="empty">
            This notebook declares no parameters (no cell tagged <code>parameters</code>).
          </p>
        )}
        {params.state === "ok" && params.value.length > 0 && (
          <table className="params">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Default</th>
                <th scope="col">Help</th>
              </tr>
            </thead>
            <tbody>
              {params.value.map((p) => (
                <tr key={p.name}>
                  <th scope="row">
                    <code>{p.name}</code>
                  </th>
                  <td>{p.inferredType ?? "—"}</td>
                  <td>
                    <code>{p.default}</code>
                  </td>
                  <td>{p.help}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="nb-content-title">
        <h2 id="nb-content-title">Content</h2>
        {notebook.state === "loading" && <p aria-busy="true">Loading the notebook…</p>}
        {notebook.state === "error" && (
          <p role="alert">The notebook could not be opened: {notebook.message}</p>
        )}
        {notebook.state === "ok" && <NotebookView notebook={notebook.value} />}
      </section>
    </main>
  );
}
