/** Parsers of option values shared by the commands (kept light: no engine, no store). */
import { ErrorCodes, ParamError, UpdraftError } from "../spec/errors.js";

/** Parses `--pool NAME=SLOTS` values. */
export function parsePoolOption(
  value: string,
  pools: Record<string, number>,
): Record<string, number> {
  const m = /^([A-Za-z0-9_.-]+)=(\d+)$/.exec(value);
  const slots = m ? Number(m[2]) : NaN;
  if (!m || !(slots >= 1)) {
    throw new ParamError(
      `--pool takes NAME=SLOTS with SLOTS >= 1, e.g. --pool gpu=2 (got "${value}")`,
    );
  }
  return { ...pools, [m[1]!]: slots };
}

/** Collects a repeatable option's values in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses a whole number >= 1. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UpdraftError(ErrorCodes.USAGE, `expected a whole number >= 1, got "${value}"`);
  }
  return n;
}
