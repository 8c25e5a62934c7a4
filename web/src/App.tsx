/**
 * The app's routes and header; every page gets the ApiClient it talks to. Pages other
 * than sign-in need a session: without a token they go to sign-in, and any 401 answer
 * (expired or revoked token) sends the user there with the server's message and a way
 * back to where they were.
 */
import { Suspense, lazy, useEffect, useRef, useState, type ReactNode } from "react";
import {
  BrowserRouter,
  Link,
  Navigate,
  NavLink,
  Route,
  Routes,
  useLocation,
  useNavigate,
} from "react-router";
import type { ApiClient } from "./api/api-client.js";
import type { UserView } from "./api/types.js";
import { NotebooksPage } from "./pages/NotebooksPage.js";
import { SessionContext } from "./pages/session.js";
import { signInPath } from "./pages/return-path.js";
import { SignInPage } from "./pages/SignInPage.js";
import { TriggerPage } from "./pages/TriggerPage.js";
import { WorkflowsPage } from "./pages/WorkflowsPage.js";

// The designer and the run view (React Flow, the validator, dagre) load on first use, so
// the workflows list and sign-in do not wait for them.
const DesignerPage = lazy(() =>
  import("./pages/DesignerPage.js").then((m) => ({ default: m.DesignerPage })),
);
const NotebookPage = lazy(() =>
  import("./pages/NotebookPage.js").then((m) => ({ default: m.NotebookPage })),
);
const RunPage = lazy(() => import("./run/RunPage.js").then((m) => ({ default: m.RunPage })));

/** Fetches the lazy pages' code once the first page is up, so opening them does not wait. */
function usePreloadPages(): void {
  useEffect(() => {
    const id = window.setTimeout(() => {
      void import("./pages/DesignerPage.js");
      void import("./run/RunPage.js");
    }, 500);
    return () => window.clearTimeout(id);
  }, []);
}

/** Props of the app. */
export interface AppProps {
  client: ApiClient;
  /** The clock (injected so tests and demos can fix it). */
  now: () => Date;
}

/** The Updraft web app. */
export function App(props: AppProps) {
  return (
    <BrowserRouter>
      <Shell {...props} />
    </BrowserRouter>
  );
}

function Shell({ client, now }: AppProps) {
  const [user, setUser] = useState<UserView | null>(null);
  // Why the session ended (the server's 401 message), shown by the sign-in page.
  const [ended, setEnded] = useState<string | null>(null);
  const navigate = useNavigate();
  const location = useLocation();
  const here = `${location.pathname}${location.search}`;

  useEffect(
    () =>
      client.onUnauthorized((message) => {
        // The token is gone, so the guard below redirects on this render, with the message.
        setUser(null);
        setEnded(message);
      }),
    [client],
  );

  const signedIn = client.signedIn();
  useEffect(() => {
    if (!signedIn || user !== null) return;
    let live = true;
    // A 401 here is handled by the listener above.
    client.me().then(
      (u) => live && setUser(u),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, signedIn, user]);

  useFocusOnNavigation(location.pathname);
  usePreloadPages();

  const signOut = () => {
    // Signed out locally whatever the server answers.
    client.logout().then(
      () => undefined,
      () => undefined,
    );
    setUser(null);
    void navigate("/signin", { state: { message: "You are signed out." } });
  };

  const guard = (page: ReactNode) =>
    client.signedIn() ? (
      page
    ) : (
      <Navigate
        to={signInPath(here)}
        replace
        state={{ message: ended ?? "Sign in to continue." }}
      />
    );

  return (
    <SessionContext.Provider
      value={{
        user,
        setUser: (u) => {
          setUser(u);
          if (u !== null) setEnded(null);
        },
      }}
    >
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="brand">
          Updraft
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Workflows
          </NavLink>
          <NavLink to="/notebooks">Notebooks</NavLink>
        </nav>
        <span className="spacer" />
        {signedIn && (
          <div className="who">
            {user !== null && (
              <span className="user">
                <span className="visually-hidden">Signed in as </span>
                {user.username} <span className="role">({user.role})</span>
              </span>
            )}
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <div id="main" className="main-area">
        <Suspense
          fallback={
            <main className="page">
              <p aria-busy="true">Loading…</p>
            </main>
          }
        >
          <Routes>
            <Route path="/signin" element={<SignInPage client={client} />} />
            <Route path="/" element={guard(<WorkflowsPage client={client} now={now} />)} />
            <Route path="/new" element={guard(<DesignerPage client={client} now={now} />)} />
            <Route
              path="/workflows/:name"
              element={guard(<DesignerPage client={client} now={now} />)}
            />
            <Route path="/workflows/:name/run" element={guard(<TriggerPage client={client} />)} />
            <Route path="/runs/:id" element={guard(<RunPage client={client} />)} />
            <Route path="/notebooks" element={guard(<NotebooksPage client={client} />)} />
            <Route path="/notebooks/*" element={guard(<NotebookPage client={client} />)} />
            <Route
              path="*"
              element={
                <main className="page">
                  <h1>Not found</h1>
                  <p>This page does not exist.</p>
                  <Link to="/">Go to the workflows</Link>
                </main>
              }
            />
          </Routes>
        </Suspense>
      </div>
    </SessionContext.Provider>
  );
}

/**
 * After an in-app navigation, moves focus to the new page's heading (or main region)
 * so a screen reader announces it, as a full page load would; not on the first load.
 */
function useFocusOnNavigation(pathname: string): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    // After the page's first render; pages that load show their heading at once.
    const id = window.requestAnimationFrame(() => {
      const main = document.getElementById("main");
      // A page that focused a field of its own (sign-in) keeps it.
      if (main === null || main.contains(document.activeElement)) return;
      const target =
        main.querySelector<HTMLElement>("h1") ?? main.querySelector<HTMLElement>("main");
      if (target === null) return;
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: false });
    });
    return () => window.cancelAnimationFrame(id);
  }, [pathname]);
}
