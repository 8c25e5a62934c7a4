/**
 * Name rules of the workflow format and helpers to talk about names in messages.
 * Names end up in URLs, Airflow dag/task ids, environment variables and notebook
 * variables, so the rules are deliberately narrow (ASCII only: no look-alike or
 * invisible characters can slip into an id).
 */

/** Workflow names: lower-case ASCII, as they appear in URLs and Airflow dag ids. */
export const WORKFLOW_NAME_PATTERN = "^[a-z][a-z0-9_-]{0,62}$";
/** Task ids: an ASCII letter, then letters, digits, `_` or `-`; 63 characters at most. */
export const TASK_ID_PATTERN = "^[A-Za-z][A-Za-z0-9_-]{0,62}$";
/** Param and output names: identifiers, since they become variables and env var names. */
export const IDENTIFIER_PATTERN = "^[A-Za-z_][A-Za-z0-9_]{0,63}$";
/** Environment variable names. */
export const ENV_NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]{0,127}$";
/** Connection names (as the connection vault stores them): they become `UPDRAFT_CONN_<NAME>_*` variables. */
export const CONNECTION_NAME_PATTERN = "^[a-z][a-z0-9_]{0,62}$";
/** Most connections one task may name. */
export const MAX_TASK_CONNECTIONS = 32;

/** Compiled {@link WORKFLOW_NAME_PATTERN}. */
export const WORKFLOW_NAME_RE = new RegExp(WORKFLOW_NAME_PATTERN);
/** Compiled {@link TASK_ID_PATTERN}. */
export const TASK_ID_RE = new RegExp(TASK_ID_PATTERN);
/** Compiled {@link IDENTIFIER_PATTERN}. */
export const IDENTIFIER_RE = new RegExp(IDENTIFIER_PATTERN);
/** Compiled {@link ENV_NAME_PATTERN}. */
export const ENV_NAME_RE = new RegExp(ENV_NAME_PATTERN);
/** Compiled {@link CONNECTION_NAME_PATTERN}. */
export const CONNECTION_NAME_RE = new RegExp(CONNECTION_NAME_PATTERN);

/**
 * Identifiers that match {@link IDENTIFIER_PATTERN} but cannot be a param or output
 * name: `__proto__` (JavaScript objects) and the reserved words of Python and R, which
 * would make the injected parameters cell a syntax error.
 */
export const RESERVED_IDENTIFIERS: ReadonlySet<string> = new Set([
  "__proto__",
  // Python keywords
  "False",
  "None",
  "True",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
  // R reserved words not listed above
  "FALSE",
  "TRUE",
  "NULL",
  "NA",
  "NaN",
  "Inf",
  "function",
  "repeat",
  "next",
]);

/** True when `name` may be used as a param or output name. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER_RE.test(name) && !RESERVED_IDENTIFIERS.has(name);
}

// Characters that would hide or reorder text in a terminal: controls, bidi overrides,
// zero-width characters, and lone surrogates. Shown as \uXXXX instead. Matching
// control and combining characters is the point here, hence the lint exceptions.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\ufff0-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Quotes a user-supplied string for a message: escapes invisible characters, truncates. */
export function quote(value: string, max = 60): string {
  const short = value.length > max ? `${value.slice(0, max)}…` : value;
  const escaped = short
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `"${escaped}"`;
}

/** Levenshtein distance, giving up (returning `limit + 1`) once it exceeds `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length] ?? limit + 1;
}

/**
 * The candidate closest to `name` (case-insensitive edit distance at most a third of
 * its length, at least 1), or undefined. Bounded: long names and huge candidate lists
 * are not searched, so a hostile document cannot make suggestions quadratic.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length > 64) return undefined;
  const limit = Math.max(1, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = limit + 1;
  let budget = 5000;
  for (const candidate of candidates) {
    if (--budget < 0) break;
    const d = distance(lower, candidate.toLowerCase(), Math.min(limit, bestDistance - 1));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or an empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const match = closest(name, candidates);
  return match === undefined ? "" : ` (did you mean ${quote(match)}?)`;
}

/** Joins names for a message: `a, b, c`, or `(none)`; long lists are cut short. */
export function listNames(names: readonly string[], max = 20): string {
  if (names.length === 0) return "(none)";
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown}, … (${names.length - max} more)` : shown;
}

/**
 * `didYouMean` over one fixed candidate list, memoized and with a total budget of
 * distance computations, so a document with thousands of bad references stays linear.
 */
export class Suggester {
  private readonly memo = new Map<string, string>();
  private budget: number;

  constructor(
    private readonly candidates: readonly string[],
    budget = 200_000,
  ) {
    this.budget = budget;
  }

  /** ` (did you mean "x"?)`, or an empty string (also once the budget is spent). */
  didYouMean(name: string): string {
    const known = this.memo.get(name);
    if (known !== undefined) return known;
    if (this.budget <= 0) return "";
    this.budget -= Math.min(this.candidates.length, 5000);
    const hint = didYouMean(name, this.candidates);
    this.memo.set(name, hint);
    return hint;
  }
}
