/** Sign in with a user name and password; on success, go to the workflows list. */
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import type { ApiClient } from "../api/api-client.js";

/** The sign-in page. */
export function SignInPage({ client }: { client: ApiClient }) {
  const navigate = useNavigate();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    client.login(username, password).then(
      () => {
        setBusy(false);
        void navigate("/");
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
      <form onSubmit={submit} aria-describedby={error !== null ? "signin-error" : undefined}>
        <label className="field">
          User name
          <input
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label className="field">
          Password
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error !== null && (
          <p id="signin-error" role="alert">
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
