/**
 * The notebook library at `/notebooks`: every notebook with its kernel and number of
 * declared params, a link to view it, and (for editors) an upload form that sends the
 * `.ipynb` file as is; the server checks that it is a notebook.
 */
import { useEffect, useId, useState, type FormEvent } from "react";
import { Link } from "react-router";
import type { ApiClient } from "../api/api-client.js";
import type { NotebookEntry } from "../api/types.js";
import { hasRole, useSession } from "./session.js";

type Loaded =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ok"; notebooks: NotebookEntry[] };

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The page of a notebook, each path segment encoded. */
export function notebookHref(path: string): string {
  return `/notebooks/${path.split("/").map(encodeURIComponent).join("/")}`;
}

/** The notebook library page. */
export function NotebooksPage({ client }: { client: ApiClient }) {
  const { user } = useSession();
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const [reload, setReload] = useState(0);
  const [filter, setFilter] = useState("");
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    client.listNotebooks().then(
      (notebooks) => live && setLoaded({ state: "ok", notebooks }),
      (err: unknown) => live && setLoaded({ state: "error", message: errorText(err) }),
    );
    return () => {
      live = false;
    };
  }, [client, reload]);

  const f = filter.trim().toLowerCase();
  const shown =
    loaded.state === "ok"
      ? loaded.notebooks.filter((n) => f === "" || n.path.toLowerCase().includes(f))
      : [];

  return (
    <main className="page">
      <h1>Notebook library</h1>
      {hasRole(user, "editor") && (
        <UploadForm
          client={client}
          onUploaded={(entry) => {
            setNotice(`Uploaded ${entry.path}.`);
            setReload((r) => r + 1);
          }}
        />
      )}
      <p role="status" className="notice">
        {notice}
      </p>
      {loaded.state === "loading" && <p aria-busy="true">Loading notebooks…</p>}
      {loaded.state === "error" && (
        <div role="alert" className="error-box">
          <p>The library could not be listed: {loaded.message}</p>
          <button type="button" onClick={() => setReload((r) => r + 1)}>
            Try again
          </button>
        </div>
      )}
      {loaded.state === "ok" && loaded.notebooks.length === 0 && (
        <p className="empty">The library is empty: upload a notebook to use it in workflows.</p>
      )}
      {loaded.state === "ok" && loaded.notebooks.length > 0 && (
        <>
          <search className="list-controls">
            <label>
              Filter
              <input
                type="search"
                value={filter}
                placeholder="path"
                onChange={(e) => setFilter(e.target.value)}
              />
            </label>
          </search>
          {shown.length === 0 ? (
            <p className="empty">No notebook path contains “{filter}”.</p>
          ) : (
            <table className="notebooks">
              <caption className="visually-hidden">Notebooks</caption>
              <thead>
                <tr>
                  <th scope="col">Path</th>
                  <th scope="col">Kernel</th>
                  <th scope="col">Params</th>
                  <th scope="col">Modified</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((n) => (
                  <tr key={n.path}>
                    <th scope="row">
                      <Link to={notebookHref(n.path)}>{n.path}</Link>
                      {n.error !== undefined && n.error !== null && (
                        <div className="error-text">{n.error}</div>
                      )}
                    </th>
                    <td>{n.kernel ?? n.language ?? "—"}</td>
                    <td>{n.params ?? "—"}</td>
                    <td>
                      {n.modified !== undefined ? n.modified.slice(0, 16).replace("T", " ") : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </main>
  );
}

function UploadForm({
  client,
  onUploaded,
}: {
  client: ApiClient;
  onUploaded: (entry: NotebookEntry) => void;
}) {
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [path, setPath] = useState("");
  const [overwrite, setOverwrite] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    if (file === null) {
      setError("choose an .ipynb file first");
      return;
    }
    const target = path.trim() === "" ? file.name : path.trim();
    if (!target.endsWith(".ipynb")) {
      setError(`${target}: a library path ends with .ipynb`);
      return;
    }
    setBusy(true);
    setError(null);
    client.uploadNotebookFile(target, file, overwrite).then(
      (entry) => {
        setBusy(false);
        setFile(null);
        setPath("");
        form.reset();
        onUploaded(entry);
      },
      (err: unknown) => {
        setBusy(false);
        setError(errorText(err));
      },
    );
  };

  return (
    <form className="upload-form panel" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Upload a notebook</h2>
      <label className="field">
        Notebook file (.ipynb)
        <input
          type="file"
          accept=".ipynb,application/x-ipynb+json,application/json"
          onChange={(e) => {
            const f = e.target.files?.[0] ?? null;
            setFile(f);
            setError(null);
            if (f !== null && path === "") setPath(f.name);
          }}
        />
      </label>
      <label className="field">
        Path in the library
        <input
          value={path}
          placeholder="team/prepare.ipynb"
          onChange={(e) => setPath(e.target.value)}
          aria-describedby={`${id}-path-hint`}
        />
        <span id={`${id}-path-hint`} className="field-hint">
          folders separated by /, ending in .ipynb
        </span>
      </label>
      <label className="field check">
        <input
          type="checkbox"
          checked={overwrite}
          onChange={(e) => setOverwrite(e.target.checked)}
        />
        Replace a notebook already at this path
      </label>
      {error !== null && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? "Uploading…" : "Upload"}
      </button>
    </form>
  );
}
