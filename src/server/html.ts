/** HTML escaping for server-rendered pages: every user-controlled string goes through it. */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c);
}

/** Escapes a value for a quoted attribute that holds a URL path segment. */
export function escapeSegment(value: string): string {
  return escapeHtml(encodeURIComponent(value));
}
