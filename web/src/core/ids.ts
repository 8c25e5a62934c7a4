/** Task ids: checking them, and making fresh ones that follow the format's rules. */
import { TASK_ID_PATTERN } from "../../../src/spec/names.js";

const TASK_ID_RE = new RegExp(TASK_ID_PATTERN);

/** Why `id` is not a valid task id, or undefined when it is. */
export function taskIdProblem(id: string): string | undefined {
  if (TASK_ID_RE.test(id)) return undefined;
  return `task id ${JSON.stringify(id.slice(0, 80))} is not valid: start with an ASCII letter, then use letters, digits, "_" or "-" (63 characters at most)`;
}

/** `base` turned into a valid task id: other characters become `_`, a letter leads. */
export function sanitizeId(base: string): string {
  let id = base.normalize("NFKD").replace(/[^A-Za-z0-9_-]+/g, "_");
  id = id.replace(/^[^A-Za-z]+/, "");
  if (id === "") id = "task";
  return id.slice(0, 56).replace(/[_-]+$/, "") || "task";
}

/**
 * A valid id from `base` not in `taken`: `base` itself, else `base_2`, `base_3`, …
 * (a trailing `_N` of `base` is replaced, so copies of `train_2` become `train_3`).
 */
export function uniqueId(base: string, taken: (id: string) => boolean): string {
  const clean = sanitizeId(base);
  if (!taken(clean)) return clean;
  const stem = clean.replace(/_\d+$/, "") || clean;
  for (let n = 2; ; n++) {
    const id = `${stem}_${n}`;
    if (!taken(id)) return id;
  }
}
