/**
 * The browser entry point: picks the ApiClient (the server's HTTP API with the session
 * token in sessionStorage, or with `?demo` the in-memory library, signed in as a demo
 * admin, with hand-driven runs) and renders the app.
 */
import "@xyflow/react/dist/style.css";
import "./styles.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { HttpApiClient, storageTokenStore } from "./api/http-client.js";
import type { ApiClient } from "./api/api-client.js";
import { App } from "./App.js";

// Loaded only for `?demo`: the in-memory client brings the validator and yaml along.
async function demoClient(): Promise<ApiClient> {
  const { DEMO_NOTEBOOKS, DEMO_WORKFLOW, MemoryApiClient } = await import("./api/memory-client.js");
  const { MemoryRuns, withMemoryRuns } = await import("./api/memory-runs.js");
  const client = new MemoryApiClient(DEMO_NOTEBOOKS);
  // Memory sign-in and creating the valid demo workflow cannot fail; a failure would be a bug to see.
  client.login("demo", "demo").catch((err: unknown) => console.error(err));
  client.createWorkflow(DEMO_WORKFLOW).catch((err: unknown) => console.error(err));
  const { seedDemoRuns } = await import("./api/demo-runs.js");
  const runs = new MemoryRuns(client);
  seedDemoRuns(runs, new Date());
  return withMemoryRuns(client, runs);
}

const demo = new URLSearchParams(window.location.search).has("demo");
const client = demo
  ? await demoClient()
  : new HttpApiClient(storageTokenStore(window.sessionStorage), (input, init) =>
      window.fetch(input, init),
    );

const root = document.getElementById("root");
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <App client={client} now={() => new Date()} />
    </StrictMode>,
  );
}
