/** The designer's Airflow tab: the DAG file the server generates for the saved workflow. */
import { useEffect, useState } from "react";
import type { ApiClient } from "../api/api-client.js";

/** Props of the Airflow tab. */
export interface AirflowTabProps {
  client: ApiClient;
  name: string;
  /** The saved version shown; the code is fetched again when it changes. */
  version: number;
}

/** The Airflow tab. */
export function AirflowTab({ client, name, version }: AirflowTabProps) {
  const [code, setCode] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // The page keys this tab by version, so a new version starts from "Generating…".
    let live = true;
    client.airflowDag(name).then(
      (text) => live && setCode(text),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [client, name, version]);

  return (
    <section className="airflow-tab" aria-label="Airflow DAG">
      <h2>
        Airflow DAG of {name} (version {version})
      </h2>
      <p>
        The Python file Airflow runs for the saved version; save the designer first to see your
        latest changes here.
      </p>
      {error !== null && <p role="alert">The Airflow code could not be generated: {error}</p>}
      {code === null && error === null && <p aria-busy="true">Generating…</p>}
      {code !== null && (
        <pre className="code" aria-label="Airflow DAG code" tabIndex={0}>
          <code>{code}</code>
        </pre>
      )}
    </section>
  );
}
