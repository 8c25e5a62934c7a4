/** Test helpers (imported only by tests): reading the Prometheus exposition text. */

/** Parses the exposition text into `name{labels}` -> value (labels sorted as printed). */
export function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    out.set(m[1] ?? "", Number(m[2]));
  }
  return out;
}
