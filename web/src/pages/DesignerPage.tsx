/**
 * The designer page: opens a stored workflow (or a new one), and saves it as a new
 * version. Save errors from the server are shown as they come (validation issues
 * included); the designer already shows the same issues as you edit.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import type { ApiClient } from "../api/api-client.js";
import { ApiError } from "../api/types.js";
import { readDocument, writeDocument } from "../core/document-io.js";
import { unplaced } from "../core/flow.js";
import { autoLayout } from "../core/layout.js";
import { emptyDoc, type DesignDoc } from "../core/model.js";
import { AirflowTab } from "../designer/AirflowTab.js";
import { DesignerView, type DesignerTab } from "../designer/DesignerView.js";
import { VersionHistory } from "../designer/VersionHistory.js";
import { useDesigner } from "../designer/useDesigner.js";
import { hasRole, useSession } from "./session.js";
import { useNotebookLibrary } from "./useNotebookLibrary.js";

/** A document as the designer opens it: tasks without a position are laid out. */
export function openDoc(value: unknown): { doc: DesignDoc } | { error: string } {
  const read = readDocument(value);
  if (!read.ok) return { error: read.issues.map((i) => `${i.path}: ${i.message}`).join("; ") };
  return { doc: unplaced(read.doc).length > 0 ? autoLayout(read.doc) : read.doc };
}

/** The designer at `/workflows/:name` (or `/new`); another workflow gets a fresh designer. */
export function DesignerPage({ client, now }: { client: ApiClient; now: () => Date }) {
  const { name } = useParams();
  return <DesignerScreen key={name ?? ""} client={client} now={now} name={name} />;
}

function DesignerScreen({
  client,
  now,
  name,
}: {
  client: ApiClient;
  now: () => Date;
  name: string | undefined;
}) {
  const designer = useDesigner(emptyDoc("untitled"));
  const library = useNotebookLibrary(client);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loading, setLoading] = useState(name !== undefined);
  const [stored, setStored] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const navigate = useNavigate();
  const { user } = useSession();
  const [saving, setSaving] = useState(false);
  const [saveStatus, setSaveStatus] = useState<string | null>(null);
  const { reset } = designer;
  // One instant per visit: the schedule's "next runs" do not shift on every keystroke.
  const [openedAt] = useState(now);

  useEffect(() => {
    if (name === undefined) return;
    let live = true;
    client.getWorkflow(name).then(
      (w) => {
        if (!live) return;
        const opened = openDoc(w.document);
        if ("error" in opened) setLoadError(`workflow ${name} cannot be shown: ${opened.error}`);
        else {
          reset(opened.doc);
          setStored(w.name);
          setVersion(w.version);
        }
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        setLoadError(err instanceof Error ? err.message : String(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [client, name, reset]);

  const onSave = (doc: DesignDoc) => {
    setSaving(true);
    setSaveStatus(null);
    const body = writeDocument(doc);
    const request =
      stored === null ? client.createWorkflow(body) : client.saveWorkflow(stored, body);
    request.then(
      (w) => {
        setSaveStatus(`Saved version ${w.version}`);
        setSaving(false);
        setVersion(w.version);
        // A new workflow gets its own address (and so its history and Airflow tabs).
        if (stored === null)
          void navigate(`/workflows/${encodeURIComponent(w.name)}`, { replace: true });
        else setStored(w.name);
      },
      (err: unknown) => {
        const message = err instanceof ApiError || err instanceof Error ? err.message : String(err);
        setSaveStatus(`Not saved: ${message}`);
        setSaving(false);
      },
    );
  };

  const onRestored = useCallback(
    (w: { name: string; version: number; document: unknown }) => {
      const opened = openDoc(w.document);
      if ("error" in opened) setSaveStatus(`Restored, but it cannot be shown: ${opened.error}`);
      else reset(opened.doc);
      setVersion(w.version);
      setSaveStatus(`Saved version ${w.version}`);
    },
    [reset],
  );

  const extraTabs = useMemo<DesignerTab[]>(
    () =>
      stored === null
        ? []
        : [
            {
              id: "history",
              label: "History",
              render: () => (
                <VersionHistory
                  client={client}
                  name={stored}
                  current={version}
                  onRestored={onRestored}
                />
              ),
            },
            {
              id: "airflow",
              label: "Airflow",
              render: () => (
                <AirflowTab key={version} client={client} name={stored} version={version} />
              ),
            },
          ],
    [client, stored, version, onRestored],
  );

  if (loading)
    return (
      <main className="page">
        <h1 aria-busy="true">Opening {name}…</h1>
      </main>
    );
  if (loadError !== null)
    return (
      <main className="page">
        <h1>Workflow {name}</h1>
        <p role="alert">{loadError}</p>
        <Link to="/">Back to the workflows</Link>
      </main>
    );
  return (
    <>
      <h1 className="visually-hidden">{stored === null ? "New workflow" : `Workflow ${stored}`}</h1>
      <DesignerView
        designer={designer}
        notebooks={library.notebooks}
        {...(library.error !== undefined ? { notebooksError: library.error } : {})}
        paramsOf={library.paramsOf}
        requestParams={library.requestParams}
        onSave={onSave}
        saving={saving}
        saveStatus={saveStatus}
        now={openedAt}
        extraTabs={extraTabs}
        toolbarEnd={
          stored !== null && hasRole(user, "editor") ? (
            <Link className="button" to={`/workflows/${encodeURIComponent(stored)}/run`}>
              Run…
            </Link>
          ) : undefined
        }
      />
    </>
  );
}
