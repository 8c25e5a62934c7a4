/** The app's routes and header; every page gets the ApiClient it talks to. */
import { BrowserRouter, Link, NavLink, Route, Routes } from "react-router";
import type { ApiClient } from "./api/api-client.js";
import { DesignerPage } from "./pages/DesignerPage.js";
import { NotebooksPage, RunPage, WorkflowsPage } from "./pages/ListPages.js";
import { SignInPage } from "./pages/SignInPage.js";

/** Props of the app. */
export interface AppProps {
  client: ApiClient;
  /** The clock (injected so tests and demos can fix it). */
  now: () => Date;
}

/** The Updraft web app. */
export function App({ client, now }: AppProps) {
  return (
    <BrowserRouter>
      <header className="app-header">
        <Link to="/" className="brand">
          Updraft
        </Link>
        <nav aria-label="Main">
          <NavLink to="/">Workflows</NavLink>
          <NavLink to="/notebooks">Notebooks</NavLink>
          <NavLink to="/signin">Sign in</NavLink>
        </nav>
      </header>
      <Routes>
        <Route path="/" element={<WorkflowsPage client={client} />} />
        <Route path="/signin" element={<SignInPage client={client} />} />
        <Route path="/new" element={<DesignerPage client={client} now={now} />} />
        <Route path="/workflows/:name" element={<DesignerPage client={client} now={now} />} />
        <Route path="/runs/:id" element={<RunPage />} />
        <Route path="/notebooks" element={<NotebooksPage client={client} />} />
        <Route path="*" element={<main className="page">This page does not exist.</main>} />
      </Routes>
    </BrowserRouter>
  );
}
