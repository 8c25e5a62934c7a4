/**
 * The browser entry point: picks the ApiClient (the server's HTTP API, or the
 * in-memory demo library with `?demo`) and renders the app.
 */
import "@xyflow/react/dist/style.css";
import "./styles.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { HttpApiClient, storageTokenStore } from "./api/http-client.js";
import { DEMO_NOTEBOOKS, DEMO_WORKFLOW, MemoryApiClient } from "./api/memory-client.js";
import { App } from "./App.js";

function demoClient(): MemoryApiClient {
  const client = new MemoryApiClient(DEMO_NOTEBOOKS);
  // The demo workflow is valid, so creating it cannot fail; a failure would be a bug to see.
  client.createWorkflow(DEMO_WORKFLOW).catch((err: unknown) => console.error(err));
  return client;
}

const demo = new URLSearchParams(window.location.search).has("demo");
const client = demo
  ? demoClient()
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
