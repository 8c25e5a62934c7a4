/** Pulls papermill-style `-p NAME VALUE` pairs out of argv (commander takes one value per option). */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** argv without the `-p`/`--parameters` pairs, and the pairs in order. */
export function extractParamPairs(argv: readonly string[]): {
  rest: string[];
  pairs: [string, string][];
} {
  const rest: string[] = [];
  const pairs: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === "-p" || a === "--parameters") {
      const name = argv[i + 1];
      const value = argv[i + 2];
      if (name === undefined || value === undefined) {
        throw new UpdraftError(ErrorCodes.USAGE, `${a} takes a name and a value: ${a} NAME VALUE`);
      }
      pairs.push([name, value]);
      i += 2;
      continue;
    }
    rest.push(a);
  }
  return { rest, pairs };
}
