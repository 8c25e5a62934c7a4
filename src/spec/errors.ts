/**
 * The closed error hierarchy of Updraft. Every error a user can cause carries a stable
 * `code`, a message that says what to do, and the underlying `cause` when there is one.
 * The CLI prints `message` and exits non-zero; the API maps `code` to a 4xx status.
 */

/** Stable error codes; never renamed once released. */
export const ErrorCodes = {
  /** A workflow or params file could not be parsed (YAML/JSON syntax). */
  PARSE: "E_PARSE",
  /** A workflow failed validation; `details` holds every issue. */
  VALIDATION: "E_VALIDATION",
  /** The task graph has a cycle. */
  DAG_CYCLE: "E_DAG_CYCLE",
  /** A run parameter is missing, unknown or of the wrong type. */
  PARAM: "E_PARAM",
  /** An expression could not be resolved. */
  EXPRESSION: "E_EXPRESSION",
  /** A file the user named does not exist or cannot be read. */
  FILE: "E_FILE",
  /** Bad command-line usage. */
  USAGE: "E_USAGE",
  /** A task failed (non-zero exit, bad outputs, ...). */
  TASK_FAILED: "E_TASK_FAILED",
  /** A task's attempt was cut short because the server stopped (it may be retried). */
  TASK_INTERRUPTED: "E_TASK_INTERRUPTED",
  /** The request conflicts with the current state (e.g. repairing a run that is still running). */
  CONFLICT: "E_CONFLICT",
  /** A task exceeded its timeout. */
  TASK_TIMEOUT: "E_TASK_TIMEOUT",
  /** A task type has no runner in this build or on this machine. */
  TASK_TYPE_UNAVAILABLE: "E_TASK_TYPE_UNAVAILABLE",
  /** A task or run was cancelled. */
  CANCELLED: "E_CANCELLED",
  /** A notebook file is malformed or not a notebook. */
  NOTEBOOK: "E_NOTEBOOK",
  /** A Jupyter kernel could not be found, started, or died. */
  KERNEL: "E_KERNEL",
  /** A run or task was not found. */
  NOT_FOUND: "E_NOT_FOUND",
  /** The store failed (disk full, corrupt database, migration failure). */
  STORE: "E_STORE",
  /** The Airflow REST API could not be reached, refused a request or answered nonsense. */
  AIRFLOW: "E_AIRFLOW",
  /** The request carries no valid credentials (missing, malformed, unknown, expired or revoked token). */
  UNAUTHENTICATED: "E_UNAUTHENTICATED",
  /** The authenticated user's role or ownership does not allow the action. */
  FORBIDDEN: "E_FORBIDDEN",
  /** Too many failed attempts (e.g. logins); `details.retryAfterSeconds` says when to try again. */
  RATE_LIMITED: "E_RATE_LIMITED",
  /** A secret key is missing, invalid or unsafe, or encrypted data cannot be decrypted with it. */
  SECRET: "E_SECRET",
  /** A task names a connection that cannot be granted (unknown, no vault, undecryptable, clashing). */
  CONNECTION: "E_CONNECTION",
  /** A bug: something that should never happen. Reported with its stack. */
  INTERNAL: "E_INTERNAL",
} as const;

/** One of the stable error codes. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Options common to every Updraft error. */
export interface UpdraftErrorOptions {
  cause?: unknown;
  details?: unknown;
}

/** Base class of every error Updraft raises on purpose. */
export class UpdraftError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Structured details (e.g. the list of validation issues). */
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: UpdraftErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }

  /** True when the error is the user's to fix (bad input) rather than a bug. */
  get isUserError(): boolean {
    return this.code !== ErrorCodes.INTERNAL;
  }
}

/** One problem found in a workflow document, with the path of the offending field. */
export interface ValidationIssue {
  /** Dotted path of the field, e.g. `tasks.train.params.x`; empty for the whole document. */
  path: string;
  /** A sentence the user can act on. */
  message: string;
  /** 1-based line in the source file, when known. */
  line?: number;
  /** 1-based column in the source file, when known. */
  column?: number;
}

/** A workflow document that failed parsing or validation; `issues` lists every problem. */
export class ValidationError extends UpdraftError {
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[], options: { code?: ErrorCode; cause?: unknown } = {}) {
    super(options.code ?? ErrorCodes.VALIDATION, formatIssues(issues), {
      cause: options.cause,
      details: issues,
    });
    this.issues = issues;
  }
}

/** A run parameter problem (unknown name, wrong type, missing required value). */
export class ParamError extends UpdraftError {
  constructor(message: string, options: UpdraftErrorOptions = {}) {
    super(ErrorCodes.PARAM, message, options);
  }
}

/** A task attempt failed; `code` tells whether it failed, timed out or was cancelled. */
export class TaskError extends UpdraftError {
  constructor(
    code:
      | typeof ErrorCodes.TASK_FAILED
      | typeof ErrorCodes.TASK_TIMEOUT
      | typeof ErrorCodes.TASK_INTERRUPTED
      | typeof ErrorCodes.CANCELLED
      | typeof ErrorCodes.TASK_TYPE_UNAVAILABLE,
    message: string,
    options: UpdraftErrorOptions = {},
  ) {
    super(code, message, options);
  }
}

/** Formats issues one per line as `path: message (line L, column C)`. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues
    .map((i) => {
      const where = i.line !== undefined ? ` (line ${i.line}, column ${i.column ?? 1})` : "";
      return `${i.path === "" ? "(document)" : i.path}: ${i.message}${where}`;
    })
    .join("\n");
}

/** Wraps anything thrown into an UpdraftError, keeping UpdraftErrors as they are. */
export function toUpdraftError(err: unknown): UpdraftError {
  if (err instanceof UpdraftError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new UpdraftError(ErrorCodes.INTERNAL, message, { cause: err });
}
