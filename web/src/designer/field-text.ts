/** How a field's JSON value reads in a text input. */
import type { JsonValue } from "../core/model.js";

/** Text shown for a field's current value: strings as they are, other values as JSON, unset as "". */
export function shown(v: JsonValue | undefined): string {
  if (v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}
