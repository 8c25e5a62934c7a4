/** Durations of the workflow format (`retryDelay`, `timeout`, `retryMaxDelay`). */
import { ErrorCodes, UpdraftError } from "./errors.js";
import { quote } from "./names.js";

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
// Largest unit first; `ms` before `m` so the alternation does not stop at `m`.
const UNIT_ORDER: readonly Unit[] = ["d", "h", "m", "s", "ms"];
const PART_RE = /(\d+(?:\.\d+)?)\s*(ms|d|h|m|s)\s*/y;
const BARE_SECONDS_RE = /^\d+(?:\.\d+)?$/;
const HINT = "use a number of seconds or units like 250ms, 10s, 5m, 1h30m, 2d";

function fail(message: string): never {
  throw new UpdraftError(ErrorCodes.VALIDATION, message);
}

/**
 * Parses a duration to whole milliseconds: `250ms`, `10s`, `5m`, `1h30m`, `2d`, `1.5h`;
 * a bare number (or numeric string) counts seconds. Units go largest first, each at most
 * once. Throws UpdraftError (E_VALIDATION) with a message saying what is accepted.
 */
export function parseDuration(s: string | number): number {
  if (typeof s === "number") {
    if (!Number.isFinite(s) || s < 0) fail(`invalid duration ${s}: ${HINT}`);
    return checked(s * 1000, String(s));
  }
  const text = s.trim();
  if (text === "") fail(`empty duration: ${HINT}`);
  if (BARE_SECONDS_RE.test(text)) return checked(Number(text) * 1000, s);
  let total = 0;
  let lastRank = -1;
  PART_RE.lastIndex = 0;
  while (PART_RE.lastIndex < text.length) {
    const m = PART_RE.exec(text);
    if (m === null) fail(`invalid duration ${quote(s)}: ${HINT}`);
    const unit = m[2] as Unit;
    const rank = UNIT_ORDER.indexOf(unit);
    if (rank <= lastRank) {
      fail(`invalid duration ${quote(s)}: write units largest first, each once (e.g. 1h30m)`);
    }
    lastRank = rank;
    total += Number(m[1]) * UNIT_MS[unit];
  }
  return checked(total, s);
}

function checked(ms: number, original: string): number {
  const rounded = Math.round(ms);
  if (!Number.isSafeInteger(rounded)) fail(`duration ${quote(original)} is too large`);
  return rounded;
}

/** Formats milliseconds back to the largest-first unit form (`90000` -> `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = Math.round(ms);
  let out = "";
  for (const unit of UNIT_ORDER) {
    const size = UNIT_MS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
