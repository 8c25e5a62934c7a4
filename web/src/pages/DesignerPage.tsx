/**
 * The designer page: opens a stored workflow (or a new one), and saves it as a new
 * version. Save errors from the server are shown as they come (validation issues
 * included); the designer already shows the same issues as you edit.
 */
import { useEffect, useState } from "react";
import { useParams } from "react-router";
import type { ApiClient } from "../api/api-client.js";
import { ApiError } from "../api/types.js";
import { readDocument, writeDocument } from "../core/document-io.js";
import { unplaced } from "../core/flow.js";
import { autoLayout } from "../core/layout.js";
import { emptyDoc, type DesignDoc } from "../core/model.js";
import { DesignerView } from "../designer/DesignerView.js";
import { useDesigner } from "../designer/useDesigner.js";
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
        setStored(w.name);
        setSaveStatus(`Saved version ${w.version}`);
        setSaving(false);
      },
      (err: unknown) => {
        const message = err instanceof ApiError || err instanceof Error ? err.message : String(err);
        setSaveStatus(`Not saved: ${message}`);
        setSaving(false);
      },
    );
  };

  if (loading) return <p aria-busy="true">Opening {name}…</p>;
  if (loadError !== null) return <p role="alert">{loadError}</p>;
  return (
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
    />
  );
}
