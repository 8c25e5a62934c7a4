/**
 * The designer's History tab: a workflow's saved versions (newest first), a line diff
 * of the YAML of any two, and restoring an old one, which saves its document as a new
 * version (history is never rewritten).
 */
import { useEffect, useMemo, useState } from "react";
import { stringify } from "yaml";
import type { ApiClient } from "../api/api-client.js";
import type { StoredWorkflow, WorkflowVersion, WorkflowVersionDoc } from "../api/types.js";
import { readDocument } from "../core/document-io.js";
import type { JsonObject } from "../core/model.js";
import { toYaml } from "../core/yaml-text.js";
import { diffStats, lineDiff } from "../pages/line-diff.js";

/** Props of the history tab. */
export interface VersionHistoryProps {
  client: ApiClient;
  name: string;
  /** The version the designer holds; the list reloads when it changes. */
  current: number;
  onRestored: (w: StoredWorkflow) => void;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A version's document as the YAML tab writes it (so a diff shows real changes only). */
export function versionYaml(document: JsonObject): string {
  const read = readDocument(document);
  return read.ok ? toYaml(read.doc) : stringify(document);
}

/** The history tab. */
export function VersionHistory({ client, name, current, onRestored }: VersionHistoryProps) {
  const [versions, setVersions] = useState<WorkflowVersion[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [docs, setDocs] = useState<ReadonlyMap<number, WorkflowVersionDoc>>(new Map());
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    client.listVersions(name).then(
      (list) => {
        if (!live) return;
        setVersions(list);
        setTo(list[0]?.version ?? null);
        setFrom(list[1]?.version ?? list[0]?.version ?? null);
      },
      (err: unknown) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [client, name, current]);

  useEffect(() => {
    let live = true;
    for (const v of [from, to]) {
      if (v === null || docs.has(v)) continue;
      client.getVersion(name, v).then(
        (d) => live && setDocs((m) => new Map(m).set(v, d)),
        (err: unknown) => live && setError(`version ${v} could not be read: ${errorText(err)}`),
      );
    }
    return () => {
      live = false;
    };
  }, [client, name, from, to, docs]);

  const before = from === null ? undefined : docs.get(from);
  const after = to === null ? undefined : docs.get(to);
  const diff = useMemo(
    () =>
      before === undefined || after === undefined
        ? null
        : lineDiff(versionYaml(before.document), versionYaml(after.document)),
    [before, after],
  );

  const restore = (v: number) => {
    if (
      !window.confirm(
        `Save version ${v} of ${name} as a new version? Unsaved changes in the designer are lost.`,
      )
    )
      return;
    setBusy(true);
    setStatus(null);
    client
      .getVersion(name, v)
      .then((d) => client.saveWorkflow(name, d.document))
      .then(
        (w) => {
          setBusy(false);
          setStatus(`Restored version ${v} as version ${w.version}.`);
          onRestored(w);
        },
        (err: unknown) => {
          setBusy(false);
          setStatus(`Not restored: ${errorText(err)}`);
        },
      );
  };

  if (error !== null) return <p role="alert">The history could not be read: {error}</p>;
  if (versions === null) return <p aria-busy="true">Loading the versions…</p>;
  const stats = diff === null ? null : diffStats(diff);
  return (
    <section className="history-tab" aria-label="Version history">
      <h2>Versions of {name}</h2>
      <p role="status" className="notice">
        {status}
      </p>
      <table className="versions">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Saved</th>
            <th scope="col">By</th>
            <th scope="col">Compare from</th>
            <th scope="col">Compare to</th>
            <th scope="col">
              <span className="visually-hidden">Restore</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v, i) => (
            <tr key={v.version}>
              <th scope="row">
                {v.version}
                {i === 0 && " (latest)"}
              </th>
              <td>
                <time dateTime={v.createdAt}>{v.createdAt.slice(0, 19).replace("T", " ")}</time>
              </td>
              <td>{v.createdBy ?? (v.source ? "file" : "—")}</td>
              <td>
                <input
                  type="radio"
                  name="compare-from"
                  aria-label={`Compare from version ${v.version}`}
                  checked={from === v.version}
                  onChange={() => setFrom(v.version)}
                />
              </td>
              <td>
                <input
                  type="radio"
                  name="compare-to"
                  aria-label={`Compare to version ${v.version}`}
                  checked={to === v.version}
                  onChange={() => setTo(v.version)}
                />
              </td>
              <td>
                {i > 0 && (
                  <button type="button" disabled={busy} onClick={() => restore(v.version)}>
                    Restore version {v.version}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {from !== null && to !== null && (
        <section className="diff" aria-label={`Changes from version ${from} to version ${to}`}>
          <h3>
            Version {from} → version {to}
            {stats !== null && (
              <span className="diff-stats">
                {" "}
                ({stats.removed} line{stats.removed === 1 ? "" : "s"} removed, {stats.added} added)
              </span>
            )}
          </h3>
          {diff === null ? (
            <p aria-busy="true">Loading…</p>
          ) : stats !== null && stats.added + stats.removed === 0 ? (
            <p>The two versions are the same.</p>
          ) : (
            <pre className="diff-lines">
              {diff.map((l, i) => (
                <div key={i} className={`diff-${l.kind}`}>
                  <span className="diff-sign" aria-label={l.kind === "same" ? undefined : l.kind}>
                    {l.kind === "added" ? "+" : l.kind === "removed" ? "-" : " "}
                  </span>
                  {l.text}
                </div>
              ))}
            </pre>
          )}
        </section>
      )}
    </section>
  );
}
