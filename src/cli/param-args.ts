/**
 * Pulls papermill-style `-p NAME VALUE` and `-r NAME VALUE` pairs out of argv, since
 * commander takes one value per option.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** One `-p`/`-r` pair; `raw` (from -r) keeps VALUE as a string. */
export interface ParamPair {
  name: string;
  value: string;
  raw: boolean;
}

const FLAGS: Record<string, boolean> = {
  "-p": false,
  "--parameters": false,
  "-r": true,
  "--parameters_raw": true,
};

/** argv without the pairs, and the pairs in order. */
export function extractParamPairs(argv: readonly string[]): { rest: string[]; pairs: ParamPair[] } {
  const rest: string[] = [];
  const pairs: ParamPair[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    const raw = FLAGS[a];
    if (raw !== undefined && Object.hasOwn(FLAGS, a)) {
      const name = argv[i + 1];
      const value = argv[i + 2];
      if (name === undefined || value === undefined) {
        throw new UpdraftError(ErrorCodes.USAGE, `${a} takes a name and a value: ${a} NAME VALUE`);
      }
      pairs.push({ name, value, raw });
      i += 2;
      continue;
    }
    rest.push(a);
  }
  return { rest, pairs };
}
