/**
 * Airflow's REST answers (Airflow 2's `/api/v1` and Airflow 3's `/api/v2` shapes) turned
 * into the client's types. Only the fields Updraft uses are read; anything missing or
 * of the wrong type is an E_AIRFLOW error naming the field, and every string that may
 * reach a terminal is cleaned of control characters.
 */
import { airflowError, clean, isRecord } from "./rest-http.js";

/** A DAG as the client reports it. */
export interface AirflowDag {
  dagId: string;
  isPaused: boolean;
}

/** A DAG run as the client reports it (Airflow's fields, camel-cased). */
export interface AirflowDagRun {
  dagId: string;
  runId: string;
  /** `queued`, `running`, `success`, `failed` (Airflow's names). */
  state: string;
  logicalDate: string | null;
  startDate: string | null;
  endDate: string | null;
  conf: Record<string, unknown>;
}

/** A task instance of a run. */
export interface AirflowTaskInstance {
  taskId: string;
  /** Airflow's state, `null` before the scheduler looked at the task. */
  state: string | null;
  tryNumber: number;
  startDate: string | null;
  endDate: string | null;
  /** -1 unless the task is mapped. */
  mapIndex: number;
}

/** One page of a collection and the collection's total size. */
export interface Page<T> {
  items: T[];
  total: number;
}

/** `GET /dags/{id}` -> {@link AirflowDag}. */
export function parseDag(json: unknown, what: string): AirflowDag {
  const o = object(json, what);
  return { dagId: text(o, "dag_id", what), isPaused: o["is_paused"] === true };
}

/** A DAGRun (v1) or DAGRunResponse (v2) -> {@link AirflowDagRun}. */
export function parseRun(json: unknown, what: string): AirflowDagRun {
  const o = object(json, what);
  const conf = o["conf"];
  return {
    dagId: text(o, "dag_id", what),
    runId: text(o, "dag_run_id", what),
    state: optionalText(o, "state", what) ?? "unknown",
    // Airflow 2 before 2.2 only had execution_date; 3.x may have neither (then run_after).
    logicalDate:
      optionalText(o, "logical_date", what) ??
      optionalText(o, "execution_date", what) ??
      optionalText(o, "run_after", what) ??
      null,
    startDate: optionalText(o, "start_date", what) ?? null,
    endDate: optionalText(o, "end_date", what) ?? null,
    conf: isRecord(conf) ? conf : {},
  };
}

/** A TaskInstanceCollection (both versions) -> one page of {@link AirflowTaskInstance}. */
export function parseTaskInstances(json: unknown, what: string): Page<AirflowTaskInstance> {
  const o = object(json, what);
  const list = o["task_instances"];
  if (!Array.isArray(list)) throw shapeError(what, "task_instances", "a list");
  const items = list.map((item, i) => {
    const where = `${what}, item ${i}`;
    const t = object(item, where);
    const tryNumber = t["try_number"];
    const mapIndex = t["map_index"];
    return {
      taskId: text(t, "task_id", where),
      state: optionalText(t, "state", where) ?? null,
      tryNumber: typeof tryNumber === "number" && Number.isFinite(tryNumber) ? tryNumber : 0,
      startDate: optionalText(t, "start_date", where) ?? null,
      endDate: optionalText(t, "end_date", where) ?? null,
      mapIndex: typeof mapIndex === "number" && Number.isInteger(mapIndex) ? mapIndex : -1,
    };
  });
  const total = o["total_entries"];
  return {
    items,
    total: typeof total === "number" && Number.isFinite(total) ? total : items.length,
  };
}

function object(json: unknown, what: string): Record<string, unknown> {
  if (!isRecord(json)) {
    throw airflowError(
      `${what} from Airflow is not a JSON object; is --url the Airflow API server?`,
    );
  }
  return json;
}

function text(o: Record<string, unknown>, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== "string" || v === "") throw shapeError(what, key, "a non-empty string");
  return clean(v, 250);
}

function optionalText(o: Record<string, unknown>, key: string, what: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw shapeError(what, key, "a string or null");
  return clean(v, 250);
}

function shapeError(what: string, key: string, expected: string) {
  return airflowError(`${what} from Airflow has no field ${key} that is ${expected}`);
}
