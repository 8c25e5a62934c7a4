/**
 * Where the sign-in page sends the user back to. Only a path of this app is accepted:
 * a `next=` from the address bar could otherwise send a fresh session to another site.
 */

/** The app path a sign-in returns to: `next` when it is a local path, else `/`. */
export function safeReturnPath(next: string | null | undefined): string {
  if (next === null || next === undefined || next === "") return "/";
  // "//host" and "/\host" are other sites to a browser; control characters are never ours.
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  for (let i = 0; i < next.length; i++) {
    const c = next.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return "/";
  }
  if (next === "/signin" || next.startsWith("/signin?")) return "/";
  return next.slice(0, 2000);
}

/** The sign-in address that comes back to `path` afterwards. */
export function signInPath(path: string): string {
  const back = safeReturnPath(path);
  return back === "/" ? "/signin" : `/signin?next=${encodeURIComponent(back)}`;
}
