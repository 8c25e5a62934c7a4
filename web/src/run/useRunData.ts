/**
 * Loads a run, the workflow version it ran and the workflow's recent runs, then keeps
 * them current from the event stream: events change states at once, and the run is read
 * again (debounced) when tasks end, to get outputs and the server's own times. After a
 * dropped stream everything is read again, since events may have been missed.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { ApiClient } from "../api/api-client.js";
import type { LiveEvent } from "../api/live.js";
import { ApiError, type RunView } from "../api/types.js";
import type { JsonObject } from "../core/model.js";
import { applyEvent, taskEnded } from "./run-model.js";

/** The loaded run page data. */
export interface RunData {
  run: RunView;
  /** The workflow document of the run's version; undefined when it could not be read. */
  document: JsonObject | undefined;
  documentError: string | undefined;
  /** Recent runs of the workflow, newest first. */
  runs: RunView[];
}

/** What the hook returns. */
export type RunDataState =
  | { status: "loading" }
  | { status: "missing"; message: string }
  | { status: "error"; message: string }
  | ({ status: "ok"; live: "connecting" | "live" | "reconnecting"; reload: () => void } & RunData);

const REFRESH_MS = 400;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface Fetched {
  run: RunView;
  version: PromiseSettledResult<{ document: JsonObject }>;
  runs: PromiseSettledResult<RunView[]>;
}

// The run first (its failure is the page's), then its version and siblings (theirs are not).
async function fetchRunData(client: ApiClient, id: string): Promise<Fetched> {
  const run = await client.getRun(id);
  const [version, runs] = await Promise.allSettled([
    client.getVersion(run.workflow, run.version),
    client.listRuns(run.workflow),
  ]);
  return { run, version, runs };
}

// A failed re-read keeps what was read before, when it was of the same workflow version.
function merge(old: RunData | undefined, next: Fetched): RunData {
  const { run, version, runs } = next;
  const same =
    old !== undefined && old.run.workflow === run.workflow && old.run.version === run.version;
  const document =
    version.status === "fulfilled" ? version.value.document : same ? old.document : undefined;
  return {
    run,
    document,
    documentError:
      document === undefined && version.status === "rejected"
        ? messageOf(version.reason)
        : undefined,
    runs:
      runs.status === "fulfilled" ? runs.value : old?.run.workflow === run.workflow ? old.runs : [],
  };
}

/** The run `id` and its surroundings, kept live. */
export function useRunData(client: ApiClient, id: string): RunDataState {
  const [data, setData] = useState<RunData | undefined>();
  const [failure, setFailure] = useState<{ id: string; missing: boolean; message: string }>();
  // Keyed by workflow: a stream of another workflow's runs says nothing about this one.
  const [liveOf, setLiveOf] = useState<{ workflow: string; live: "live" | "reconnecting" }>();
  const workflow = data?.run.id === id ? data.run.workflow : undefined;
  const live = liveOf !== undefined && liveOf.workflow === workflow ? liveOf.live : "connecting";
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [tick, setTick] = useState(0);
  // Ids of the runs shown, for the event handler (which must not read state in an updater).
  const known = useRef(new Set<string>());
  useEffect(() => {
    known.current = new Set(data === undefined ? [] : [data.run.id, ...data.runs.map((r) => r.id)]);
  }, [data]);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    let current = true;
    fetchRunData(client, id).then(
      (next) => {
        if (!current) return;
        setData((old) => merge(old, next));
        setFailure(undefined);
      },
      (err: unknown) => {
        if (!current) return;
        const missing = err instanceof ApiError && (err.status === 404 || err.status === 400);
        setFailure({ id, missing, message: messageOf(err) });
      },
    );
    return () => {
      current = false;
    };
  }, [client, id, tick]);

  const scheduleReload = useCallback(() => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      reload();
    }, REFRESH_MS);
  }, [reload]);

  useEffect(() => {
    const pending = timer;
    return () => {
      clearTimeout(pending.current);
      pending.current = undefined;
    };
  }, []);

  // One stream per workflow: the grid shows its other runs, a re-run included.
  useEffect(() => {
    if (workflow === undefined) return;
    const ac = new AbortController();
    const setLive = (l: "live" | "reconnecting") => setLiveOf({ workflow, live: l });
    const onEvent = (e: LiveEvent) => {
      // A new run (a re-run, a schedule) or an end brings data events do not carry.
      if (!known.current.has(e.runId) || e.kind === "run" || taskEnded(e.state)) scheduleReload();
      setData((old) =>
        old === undefined
          ? old
          : { ...old, run: applyEvent(old.run, e), runs: old.runs.map((r) => applyEvent(r, e)) },
      );
    };
    client
      .watchEvents(
        { workflow },
        {
          onEvent,
          // Re-read on every open, the first too: changes between the first read and the
          // stream opening reach the page by no event.
          onOpen: () => {
            setLive("live");
            scheduleReload();
          },
          onRetry: () => setLive("reconnecting"),
        },
        ac.signal,
      )
      .catch(() => setLive("reconnecting"));
    return () => ac.abort();
  }, [client, workflow, scheduleReload]);

  if (failure !== undefined && failure.id === id && data?.run.id !== id) {
    return failure.missing
      ? { status: "missing", message: failure.message }
      : { status: "error", message: failure.message };
  }
  if (data === undefined || data.run.id !== id) return { status: "loading" };
  return { status: "ok", live, reload, ...data };
}
