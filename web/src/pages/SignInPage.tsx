/**
 * Sign in with a user name and password; on success, go back to where the user was
 * sent from (`?next=`, a local path only) or to the workflows list. Shows why the user
 * is here (session expired, signed out) when the app says so.
 */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router";
import type { ApiClient } from "../api/api-client.js";
import { safeReturnPath } from "./return-path.js";
import { useSession } from "./session.js";

function messageOf(state: unknown): string | null {
  if (typeof state !== "object" || state === null) return null;
  const m = (state as { message?: unknown }).message;
  return typeof m === "string" ? m : null;
}

/** The sign-in page. */
export function SignInPage({ client }: { client: ApiClient }) {
  const navigate = useNavigate();
  const location = useLocation();
  const [search] = useSearchParams();
  const next = safeReturnPath(search.get("next"));
  const { setUser } = useSession();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const notice = messageOf(location.state);
  const userField = useRef<HTMLInputElement>(null);
  useEffect(() => userField.current?.focus(), []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    client.login(username, password).then(
      (user) => {
        setBusy(false);
        setUser(user);
        void navigate(next, { replace: true });
      },
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof Error ? err.message : String(err));
      },
    );
  };

  return (
    <main className="page narrow">
      <h1>Sign in to Updraft</h1>
      {notice !== null && error === null && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={submit} aria-describedby={error !== null ? "signin-error" : undefined}>
        <label className="field">
          User name
          <input
            ref={userField}
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label className="field">
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error !== null && (
          <p id="signin-error" className="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
