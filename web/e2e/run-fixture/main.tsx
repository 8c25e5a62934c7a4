/**
 * A page for the browser tests of the run page and the notebook viewer: the real
 * components on the in-memory ApiClient with hand-driven runs (`window.fixture.runs`), so
 * a test can move tasks through their states and watch the page follow. `?path=` is the
 * route to open; `?mode=hang|fail` makes reading runs hang or fail; `?api=http` uses the
 * real server's API instead (HttpApiClient, proxied by the dev server).
 */
import "@xyflow/react/dist/style.css";
import "../../src/styles.css";
import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { MemoryRouter, Route, Routes, useNavigate } from "react-router";
import type { ApiClient } from "../../src/api/api-client.js";
import { HttpApiClient, storageTokenStore } from "../../src/api/http-client.js";
import { DEMO_NOTEBOOKS, DEMO_WORKFLOW, MemoryApiClient } from "../../src/api/memory-client.js";
import { MemoryRuns, withMemoryRuns } from "../../src/api/memory-runs.js";
import { ApiError } from "../../src/api/types.js";
import type { JsonObject } from "../../src/core/model.js";
import { NotebookView } from "../../src/notebook/NotebookView.js";
import { RunPage } from "../../src/run/RunPage.js";

declare global {
  interface Window {
    fixture: {
      runs: MemoryRuns;
      client: ApiClient;
      notebook: (nb: JsonObject) => void;
      go: (path: string) => void;
    };
    xss: string[];
  }
}

const query = new URLSearchParams(window.location.search);
const base = new MemoryApiClient(DEMO_NOTEBOOKS);
const runs = new MemoryRuns(base);
let client =
  query.get("api") === "http"
    ? new HttpApiClient(storageTokenStore(window.sessionStorage), (input, init) =>
        window.fetch(input, init),
      )
    : withMemoryRuns(base, runs);
const mode = query.get("mode");
if (mode === "hang" || mode === "fail") {
  const real = client;
  client = new Proxy(real, {
    get(target, prop) {
      if (prop === "getRun") {
        return () =>
          mode === "hang"
            ? new Promise(() => undefined)
            : Promise.reject(new ApiError(500, "E_INTERNAL", "the store is not answering"));
      }
      const v: unknown = Reflect.get(target, prop);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

window.xss = [];
// Filled in by the components once mounted.
const hooks = {
  notebook: (_nb: JsonObject): void => undefined,
  go: (_path: string): void => undefined,
};
window.fixture = { runs, client, notebook: (nb) => hooks.notebook(nb), go: (p) => hooks.go(p) };

function NotebookFixture() {
  const [nb, setNb] = useState<JsonObject | undefined>(undefined);
  useEffect(() => {
    hooks.notebook = setNb;
  }, []);
  return nb === undefined ? <p>No notebook yet.</p> : <NotebookView notebook={nb} />;
}

function Navigator() {
  const navigate = useNavigate();
  useEffect(() => {
    hooks.go = (p) => void navigate(p);
  }, [navigate]);
  return null;
}

await base.createWorkflow(DEMO_WORKFLOW);
const root = document.getElementById("root")!;
createRoot(root).render(
  <StrictMode>
    <MemoryRouter initialEntries={[query.get("path") ?? "/notebook"]}>
      <Navigator />
      <Routes>
        <Route path="/runs/:id" element={<RunPage client={client} />} />
        <Route path="/notebook" element={<NotebookFixture />} />
        <Route path="*" element={<p>other page</p>} />
      </Routes>
    </MemoryRouter>
  </StrictMode>,
);
document.body.dataset["ready"] = "1";
