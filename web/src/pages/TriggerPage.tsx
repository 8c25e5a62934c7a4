/**
 * The run trigger at `/workflows/:name/run`: a form generated from the workflow's typed
 * params, with the defaults filled in and a message on each field the run would refuse;
 * on success, the run's page. The server checks the params again and its answer, if it
 * refuses, is shown as it comes.
 */
import { useEffect, useId, useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import type { ApiClient } from "../api/api-client.js";
import type { StoredWorkflow } from "../api/types.js";
import type { ParamSpec } from "../../../src/spec/types.js";
import { readRunForm, runFields, type RunField } from "./run-params.js";

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function specsOf(w: StoredWorkflow): Record<string, ParamSpec> {
  const params = w.document["params"];
  return params !== null && typeof params === "object" && !Array.isArray(params)
    ? (params as unknown as Record<string, ParamSpec>)
    : {};
}

/** The run trigger page. */
export function TriggerPage({ client }: { client: ApiClient }) {
  const { name = "" } = useParams();
  const [workflow, setWorkflow] = useState<StoredWorkflow | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    client.getWorkflow(name).then(
      (w) => live && setWorkflow(w),
      (err: unknown) => live && setLoadError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [client, name]);

  return (
    <main className="page narrow-wide">
      <h1>Run {name}</h1>
      <p>
        <Link to={`/workflows/${encodeURIComponent(name)}`}>Open {name} in the designer</Link>
      </p>
      {workflow === null && loadError === null && <p aria-busy="true">Loading the workflow…</p>}
      {loadError !== null && <p role="alert">The workflow could not be opened: {loadError}</p>}
      {workflow !== null && <TriggerForm client={client} workflow={workflow} />}
    </main>
  );
}

function TriggerForm({ client, workflow }: { client: ApiClient; workflow: StoredWorkflow }) {
  const navigate = useNavigate();
  const fields = useMemo(() => runFields(specsOf(workflow)), [workflow]);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (name: string, text: string) => {
    setTexts((t) => ({ ...t, [name]: text }));
    setErrors((e) => {
      if (!Object.hasOwn(e, name)) return e;
      const rest = { ...e };
      delete rest[name];
      return rest;
    });
  };

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const read = readRunForm(fields, texts);
    if (!read.ok) {
      setErrors(read.errors);
      // Focus the first wrong field, so keyboard and screen-reader users land on it.
      const first = fields.find((f) => Object.hasOwn(read.errors, f.name));
      if (first !== undefined)
        e.currentTarget
          .querySelector<HTMLElement>(`[data-param="${CSS.escape(first.name)}"]`)
          ?.focus();
      return;
    }
    setBusy(true);
    setServerError(null);
    client.triggerRun(workflow.name, read.params).then(
      (run) => void navigate(`/runs/${encodeURIComponent(run.id)}`),
      (err: unknown) => {
        setBusy(false);
        setServerError(errorText(err));
      },
    );
  };

  return (
    <form className="trigger-form" onSubmit={submit} noValidate>
      {fields.length === 0 ? (
        <p>This workflow declares no params.</p>
      ) : (
        <fieldset>
          <legend>Params</legend>
          {fields.map((f) => (
            <ParamInput
              key={f.name}
              field={f}
              text={Object.hasOwn(texts, f.name) ? texts[f.name]! : f.initial}
              error={errors[f.name]}
              onChange={(t) => set(f.name, t)}
            />
          ))}
        </fieldset>
      )}
      {serverError !== null && (
        <pre className="error-text" role="alert">
          The run was not started: {serverError}
        </pre>
      )}
      <button type="submit" disabled={busy}>
        {busy ? "Starting…" : "Start run"}
      </button>
    </form>
  );
}

function ParamInput({
  field,
  text,
  error,
  onChange,
}: {
  field: RunField;
  text: string;
  error: string | undefined;
  onChange: (text: string) => void;
}) {
  const id = useId();
  const describedBy = `${id}-hint${error !== undefined ? ` ${id}-error` : ""}`;
  const common = {
    id,
    "data-param": field.name,
    "aria-describedby": describedBy,
    "aria-invalid": error !== undefined,
    "aria-required": field.required,
  };
  let input;
  switch (field.kind) {
    case "boolean":
      input = (
        <input
          {...common}
          type="checkbox"
          checked={text === "true"}
          onChange={(e) => onChange(e.target.checked ? "true" : "false")}
        />
      );
      break;
    case "enum":
      input = (
        <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
          {text === "" && <option value="">Choose…</option>}
          {field.choices.map((c, i) => (
            <option key={c.text} value={String(i)}>
              {c.text}
            </option>
          ))}
        </select>
      );
      break;
    case "json":
      input = (
        <textarea
          {...common}
          rows={4}
          spellCheck={false}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    default:
      input = (
        <input
          {...common}
          type="text"
          inputMode={
            field.kind === "integer" ? "numeric" : field.kind === "number" ? "decimal" : "text"
          }
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
  return (
    <div
      className={`field${field.kind === "boolean" ? " check" : ""}${error !== undefined ? " invalid" : ""}`}
    >
      <label htmlFor={id}>
        {field.name}
        {field.required && <span aria-hidden="true"> *</span>}
      </label>
      {input}
      <span id={`${id}-hint`} className="field-hint">
        {field.hint}
      </span>
      {error !== undefined && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
