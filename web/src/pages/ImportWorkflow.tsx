/**
 * Import a workflow file: pick a `.yaml` file or paste its text; the server parses and
 * validates it (`POST /workflows {yaml}`) and answers every problem with its line.
 */
import { useId, useState, type FormEvent } from "react";
import type { ApiClient } from "../api/api-client.js";
import type { StoredWorkflow } from "../api/types.js";

/** Largest file read into the text box (the server accepts 5 MB). */
const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** Props of the import form. */
export interface ImportWorkflowProps {
  client: ApiClient;
  onImported: (w: StoredWorkflow) => void;
  onCancel: () => void;
}

/** The import form. */
export function ImportWorkflow({ client, onImported, onCancel }: ImportWorkflowProps) {
  const id = useId();
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onFile = (file: File | undefined) => {
    setError(null);
    if (file === undefined) return;
    if (file.size > MAX_FILE_BYTES) {
      setError(`${file.name} is ${Math.round(file.size / 1024)} kB; a workflow file may be 5 MB`);
      return;
    }
    file
      .text()
      .then(setText, (err: unknown) => setError(`${file.name} cannot be read: ${String(err)}`));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim() === "") {
      setError("choose a file or paste the workflow's YAML first");
      return;
    }
    setBusy(true);
    setError(null);
    client.importWorkflowYaml(text).then(
      (w) => {
        setBusy(false);
        onImported(w);
      },
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof Error ? err.message : String(err));
      },
    );
  };

  return (
    <form className="import-form panel" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Import a workflow file</h2>
      <label className="field">
        Workflow file (.yaml)
        <input
          type="file"
          accept=".yaml,.yml,application/yaml,text/yaml,text/plain"
          onChange={(e) => onFile(e.target.files?.[0])}
        />
      </label>
      <label className="field">
        Or paste its YAML
        <textarea
          rows={10}
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={error !== null}
          aria-describedby={error !== null ? `${id}-error` : undefined}
        />
      </label>
      {error !== null && (
        <pre id={`${id}-error`} className="error-text" role="alert">
          {error}
        </pre>
      )}
      <div className="buttons">
        <button type="submit" disabled={busy}>
          {busy ? "Importing…" : "Import"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
