/**
 * The workflows page at `/`: search (server side, `?q=`), pages of workflows with their
 * schedule in words, next run, pause switch, last runs and owner; create, import,
 * duplicate and delete. The query and page live in the address (`?q=&page=&size=`), so
 * back and reload keep them.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import type { ApiClient } from "../api/api-client.js";
import type { WorkflowPage, WorkflowSummary } from "../api/types.js";
import { ImportWorkflow } from "./ImportWorkflow.js";
import { hasRole, useSession } from "./session.js";
import { WorkflowTable, type RowActions } from "./WorkflowTable.js";
import { ScheduleWords, copyName, newNameProblem } from "./workflow-rows.js";

/** Page sizes offered; 1,000 rows render in well under a second (web/bench). */
export const PAGE_SIZES = [50, 200, 1000] as const;
const DEFAULT_SIZE = 200;

type Loaded = { key: string } & (
  { state: "loading" } | { state: "error"; message: string } | { state: "ok"; page: WorkflowPage }
);

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function whole(raw: string | null, dflt: number, allowed?: readonly number[]): number {
  const n = raw !== null && /^[0-9]{1,6}$/.test(raw) ? Number(raw) : dflt;
  if (allowed !== undefined && !allowed.includes(n)) return dflt;
  return n >= 1 ? n : dflt;
}

/** The workflows page. */
export function WorkflowsPage({ client }: { client: ApiClient; now: () => Date }) {
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const q = search.get("q") ?? "";
  const size = whole(search.get("size"), DEFAULT_SIZE, PAGE_SIZES);
  const pageNo = whole(search.get("page"), 1);
  const { user } = useSession();
  const [typed, setTyped] = useState(q);
  const [loaded, setLoaded] = useState<Loaded>({ key: "", state: "loading" });
  const [reload, setReload] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const [words] = useState(() => new ScheduleWords());

  const setQuery = useCallback(
    (next: { q?: string; page?: number; size?: number }) => {
      setSearch(
        (prev) => {
          const p = new URLSearchParams(prev);
          const set = (k: string, v: string, dflt: string) =>
            v === dflt ? p.delete(k) : p.set(k, v);
          if (next.q !== undefined) set("q", next.q, "");
          if (next.page !== undefined) set("page", String(next.page), "1");
          if (next.size !== undefined) set("size", String(next.size), String(DEFAULT_SIZE));
          return p;
        },
        { replace: true },
      );
    },
    [setSearch],
  );

  // Typing searches after a pause, from the first page.
  const typedRef = useRef(typed);
  useEffect(() => {
    typedRef.current = typed;
    if (typed === q) return;
    const t = window.setTimeout(() => setQuery({ q: typedRef.current, page: 1 }), 250);
    return () => window.clearTimeout(t);
  }, [typed, q, setQuery]);

  // Which request the shown rows answer: while another is on its way, they stay shown.
  const key = JSON.stringify([q, size, pageNo, reload]);
  useEffect(() => {
    let live = true;
    client.searchWorkflows({ q, limit: size, offset: (pageNo - 1) * size }).then(
      (page) => live && setLoaded({ key, state: "ok", page }),
      (err: unknown) => live && setLoaded({ key, state: "error", message: errorText(err) }),
    );
    return () => {
      live = false;
    };
  }, [client, q, size, pageNo, key]);
  const stale = loaded.key !== key;

  const rows = useMemo(() => (loaded.state === "ok" ? loaded.page.workflows : []), [loaded]);
  const rowsRef = useRef(rows);
  useEffect(() => {
    rowsRef.current = rows;
  }, [rows]);

  const replaceRow = useCallback(
    (name: string, patch: Partial<WorkflowSummary>) => {
      setLoaded((l) =>
        l.state !== "ok"
          ? l
          : {
              ...l,
              page: {
                ...l.page,
                workflows: l.page.workflows.map((w) => (w.name === name ? { ...w, ...patch } : w)),
              },
            },
      );
    },
    [setLoaded],
  );

  const actions: RowActions = useMemo(() => {
    const canOperate = hasRole(user, "editor");
    return {
      canOperate,
      canCreate: canOperate,
      canDelete: (w) =>
        hasRole(user, "admin") ||
        (canOperate && user !== null && w.owner !== undefined && w.owner === user.username),
      onPause: (name, paused) => {
        setPending((s) => new Set(s).add(name));
        client
          .setPaused(name, paused)
          .then(
            (summary) => {
              const { lastRuns: _ignored, ...rest } = summary;
              replaceRow(name, { ...rest, paused });
              setNotice(`${name} is ${paused ? "paused" : "active"}.`);
            },
            (err: unknown) =>
              setNotice(
                `${name} could not be ${paused ? "paused" : "unpaused"}: ${errorText(err)}`,
              ),
          )
          .finally(() =>
            setPending((s) => {
              const n = new Set(s);
              n.delete(name);
              return n;
            }),
          );
      },
      onDuplicate: (name) => {
        const taken = (n: string) => rowsRef.current.some((w) => w.name === n);
        const answer = window.prompt(`Name of the copy of ${name}`, copyName(name, taken));
        if (answer === null) return;
        const copy = answer.trim();
        const problem = newNameProblem(copy, taken);
        if (problem !== undefined) {
          setNotice(`Not duplicated: ${problem}.`);
          return;
        }
        client
          .getWorkflow(name)
          .then((w) => client.createWorkflow({ ...w.document, name: copy }))
          .then(
            (w) => {
              setNotice(`Duplicated ${name} as ${w.name}.`);
              setReload((r) => r + 1);
            },
            (err: unknown) => setNotice(`Not duplicated: ${errorText(err)}`),
          );
      },
      onDelete: (name) => {
        if (!window.confirm(`Delete the workflow ${name}? Its past runs stay in the history.`))
          return;
        client.deleteWorkflow(name).then(
          () => {
            setNotice(`Deleted ${name}.`);
            setReload((r) => r + 1);
          },
          (err: unknown) => setNotice(`${name} was not deleted: ${errorText(err)}`),
        );
      },
    };
  }, [client, user, replaceRow, setPending, setNotice, setReload]);

  const total = loaded.state === "ok" ? loaded.page.total : 0;
  const pages = Math.max(1, Math.ceil(total / size));
  const canCreate = hasRole(user, "editor");

  return (
    <main className="page workflows-page">
      <div className="page-head">
        <h1>Workflows</h1>
        {canCreate && (
          <div className="buttons">
            <Link to="/new" className="button">
              New workflow
            </Link>
            <button type="button" onClick={() => setImporting((v) => !v)} aria-expanded={importing}>
              Import YAML
            </button>
          </div>
        )}
      </div>
      {importing && (
        <ImportWorkflow
          client={client}
          onCancel={() => setImporting(false)}
          onImported={(w) => {
            setImporting(false);
            setNotice(`Imported ${w.name} (version ${w.version}).`);
            // While the designer's code loads this page stays on screen (a navigation is a
            // transition), and coming back may find this very page: it must list the import.
            setReload((r) => r + 1);
            void navigate(`/workflows/${encodeURIComponent(w.name)}`);
          }}
        />
      )}
      <search className="list-controls">
        <label>
          Search
          <input
            type="search"
            value={typed}
            placeholder="name or description"
            maxLength={200}
            onChange={(e) => setTyped(e.target.value)}
          />
        </label>
        <label>
          Per page
          <select
            value={size}
            onChange={(e) => setQuery({ size: Number(e.target.value), page: 1 })}
          >
            {PAGE_SIZES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </search>
      <p role="status" className="notice" aria-live="polite">
        {notice}
      </p>
      {(loaded.state === "loading" || (stale && loaded.state === "error")) && (
        <p aria-busy="true">Loading workflows…</p>
      )}
      {stale && loaded.state === "ok" && (
        <p aria-busy="true" className="refreshing">
          Updating…
        </p>
      )}
      {loaded.state === "error" && !stale && (
        <div role="alert" className="error-box">
          <p>The workflows could not be listed: {loaded.message}</p>
          <button type="button" onClick={() => setReload((r) => r + 1)}>
            Try again
          </button>
        </div>
      )}
      {loaded.state === "ok" && rows.length === 0 && (
        <p className="empty">
          {q !== ""
            ? `No workflow matches “${q}”.`
            : canCreate
              ? "No workflows yet: create one with New workflow, or import a YAML file."
              : "No workflows yet."}
        </p>
      )}
      {loaded.state === "ok" && rows.length > 0 && (
        <>
          <p className="count">
            {total === 1 ? "1 workflow" : `${total} workflows`}
            {pages > 1 && `, page ${pageNo} of ${pages}`}
          </p>
          <WorkflowTable rows={rows} words={words} actions={actions} pending={pending} />
          {pages > 1 && (
            <nav className="pager" aria-label="Pages">
              <button
                type="button"
                disabled={pageNo <= 1}
                onClick={() => setQuery({ page: pageNo - 1 })}
              >
                Previous page
              </button>
              <span>
                Page {pageNo} of {pages}
              </span>
              <button
                type="button"
                disabled={pageNo >= pages}
                onClick={() => setQuery({ page: pageNo + 1 })}
              >
                Next page
              </button>
            </nav>
          )}
        </>
      )}
    </main>
  );
}
