/**
 * JSON over HTTP for the Airflow REST client: one request with a deadline that covers
 * the body too, a cap on the body's size, and errors as sentences a user can act on
 * (never a stack trace). Text from the server is cleaned before it reaches a terminal.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** The `fetch` the client uses (Node's global one, or any with the same shape). */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Limits of one request. */
export interface HttpLimits {
  /** Deadline for the whole exchange, body included. */
  timeoutMs: number;
  /** Largest response body read; larger answers fail. */
  maxBodyBytes: number;
}

/** One request. */
export interface HttpRequest {
  method: "GET" | "POST" | "PATCH";
  url: URL;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

/** A response: status, and the body parsed as JSON when it is JSON. */
export interface HttpResponse {
  status: number;
  statusText: string;
  /** The body as text (at most `maxBodyBytes`). */
  text: string;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  json: unknown;
}

/** Sends a request; rejects with E_AIRFLOW when there is no usable answer. */
export async function sendRequest(
  fetchFn: FetchLike,
  req: HttpRequest,
  limits: HttpLimits,
): Promise<HttpResponse> {
  const where = `${req.method} ${describeUrl(req.url)}`;
  const signal = AbortSignal.timeout(limits.timeoutMs);
  const headers: Record<string, string> = { accept: "application/json", ...req.headers };
  let body: string | undefined;
  if (req.body !== undefined) {
    body = JSON.stringify(req.body);
    headers["content-type"] = "application/json";
  }
  let res: Response;
  try {
    res = await fetchFn(req.url, {
      method: req.method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal,
    });
  } catch (err) {
    throw transportError(where, err, limits);
  }
  let text: string;
  try {
    text = await readBody(res, limits.maxBodyBytes, where);
  } catch (err) {
    if (err instanceof UpdraftError) throw err;
    throw transportError(where, err, limits);
  }
  return { status: res.status, statusText: res.statusText, text, json: parseJson(text) };
}

/** An E_AIRFLOW error. */
export function airflowError(message: string, cause?: unknown): UpdraftError {
  return new UpdraftError(ErrorCodes.AIRFLOW, message, cause === undefined ? {} : { cause });
}

/**
 * What the server said about an error, from Airflow 2's problem documents
 * (`{title, detail}`), Airflow 3's `{detail}` (a string, a list of validation errors
 * or an object), or plain text; cleaned and shortened for a terminal.
 */
export function errorDetail(res: HttpResponse): string {
  const j = res.json;
  if (isRecord(j)) {
    const detail = describeDetail(j["detail"]);
    const title = typeof j["title"] === "string" ? j["title"] : "";
    const parts = [title, detail].filter((s) => s !== "" && s !== res.statusText);
    // A problem document that only repeats the status says nothing more.
    return clean(parts.join(": "));
  }
  return clean(res.text.trim());
}

/**
 * `s` safe to print: control characters (terminal escape sequences among them)
 * replaced by spaces, runs of spaces collapsed, cut at `max` characters.
 */
export function clean(s: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/g, " ");
  const squeezed = flat.replace(/ {2,}/g, " ").trim();
  return squeezed.length > max ? `${squeezed.slice(0, max)}…` : squeezed;
}

/** The URL without credentials or query, for messages. */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function describeDetail(detail: unknown): string {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    // FastAPI validation errors: [{loc: ["body", "conf"], msg: "..."}].
    return detail
      .slice(0, 5)
      .map((d) => {
        if (!isRecord(d)) return JSON.stringify(d);
        const loc = Array.isArray(d["loc"]) ? d["loc"].map(String).join(".") : "";
        const msg = typeof d["msg"] === "string" ? d["msg"] : JSON.stringify(d);
        return loc === "" ? msg : `${loc}: ${msg}`;
      })
      .join("; ");
  }
  if (isRecord(detail)) {
    const reason = detail["reason"] ?? detail["message"];
    return typeof reason === "string" ? reason : JSON.stringify(detail);
  }
  return "";
}

async function readBody(res: Response, maxBytes: number, where: string): Promise<string> {
  const tooBig = () =>
    airflowError(
      `the answer to ${where} is larger than ${formatBytes(maxBytes)}; ` +
        "is --url the Airflow API server?",
    );
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw tooBig();
  }
  if (res.body === null) return "";
  const reader = res.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooBig();
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8").decode(Buffer.concat(chunks));
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function transportError(where: string, err: unknown, limits: HttpLimits): UpdraftError {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return airflowError(
      `Airflow did not answer ${where} within ${limits.timeoutMs / 1000} s ` +
        "(raise --timeout if the server is slow)",
      err,
    );
  }
  // fetch reports network problems as "fetch failed" with the system error as cause.
  const cause = (err as { cause?: unknown } | null)?.cause;
  const code = (cause as { code?: unknown } | null)?.code;
  let reason = err instanceof Error ? err.message : String(err);
  if (cause instanceof Error) {
    reason =
      typeof code === "string" && !cause.message.includes(code)
        ? `${code}: ${cause.message}`
        : cause.message;
  }
  return airflowError(`cannot reach Airflow for ${where}: ${clean(reason)}; is --url right?`, err);
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MiB` : `${Math.round(n / 1024)} KiB`;
}

/** A non-null, non-array object. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
