/**
 * Errors as the HTTP API reports them: `{error: {code, message, details}}` with a 4xx status
 * for anything the client did wrong. The one place that maps error codes to statuses.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** An error of the HTTP layer itself (method, media type, body size, malformed request). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    /** Extra response headers, e.g. `Allow` for a 405. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** The body and status of an error response. */
export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string; details: unknown } };
  /** True when the error is ours, not the client's, and should be logged. */
  internal: boolean;
}

// Codes the client caused by what it sent; everything not listed is the server's fault.
const CLIENT_STATUS: ReadonlyMap<string, number> = new Map([
  [ErrorCodes.VALIDATION, 400],
  [ErrorCodes.PARSE, 400],
  [ErrorCodes.PARAM, 400],
  [ErrorCodes.USAGE, 400],
  [ErrorCodes.DAG_CYCLE, 400],
  [ErrorCodes.NOT_FOUND, 404],
  // A notebook the client sent (or named) that does not parse.
  [ErrorCodes.NOTEBOOK, 400],
  [ErrorCodes.CONFLICT, 409],
  [ErrorCodes.UNAUTHENTICATED, 401],
  [ErrorCodes.FORBIDDEN, 403],
  [ErrorCodes.RATE_LIMITED, 429],
]);

/** Maps anything thrown by a handler to its response; unknown errors become a generic 500. */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof HttpError) {
    return {
      status: err.status,
      headers: err.headers,
      body: { error: { code: err.code, message: err.message, details: err.details ?? null } },
      internal: false,
    };
  }
  if (err instanceof UpdraftError) {
    const status = CLIENT_STATUS.get(err.code);
    if (status !== undefined) {
      return {
        status,
        headers: retryAfter(err),
        body: { error: { code: err.code, message: err.message, details: err.details ?? null } },
        internal: false,
      };
    }
  }
  // The message of an internal error may reveal paths or SQL: the log gets it, the client not.
  return {
    status: 500,
    headers: {},
    body: {
      error: {
        code: ErrorCodes.INTERNAL,
        message: "internal server error; the server log has the details",
        details: null,
      },
    },
    internal: true,
  };
}

// A 429 tells the client when to try again, from `details.retryAfterSeconds`.
function retryAfter(err: UpdraftError): Record<string, string> {
  const d = err.details as { retryAfterSeconds?: unknown } | null | undefined;
  const s = d?.retryAfterSeconds;
  return typeof s === "number" && Number.isFinite(s) && s >= 0
    ? { "retry-after": String(Math.ceil(s)) }
    : {};
}

/** A 404 for a path or resource that does not exist. */
export function notFound(message: string): HttpError {
  return new HttpError(404, ErrorCodes.NOT_FOUND, message);
}

/** A 400 for a malformed request. */
export function badRequest(message: string, details: unknown = null): HttpError {
  return new HttpError(400, ErrorCodes.VALIDATION, message, details);
}
