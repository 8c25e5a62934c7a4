/** The notebook library as the designer uses it: the list, and each notebook's declared params on demand. */
import { useCallback, useEffect, useRef, useState } from "react";
import type { ApiClient } from "../api/api-client.js";
import type { NotebookEntry, ParameterInfo } from "../api/types.js";

/** What the designer reads from the library. */
export interface NotebookLibrary {
  notebooks: readonly NotebookEntry[] | undefined;
  error: string | undefined;
  paramsOf: (path: string) => readonly ParameterInfo[] | undefined;
  requestParams: (path: string) => void;
}

/** Lists the library once and fetches declared params per notebook, each path once. */
export function useNotebookLibrary(client: ApiClient): NotebookLibrary {
  const [notebooks, setNotebooks] = useState<readonly NotebookEntry[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [params, setParams] = useState<ReadonlyMap<string, readonly ParameterInfo[]>>(new Map());
  const asked = useRef(new Set<string>());

  useEffect(() => {
    let live = true;
    client.listNotebooks().then(
      (list) => live && setNotebooks(list),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [client]);

  const requestParams = useCallback(
    (path: string) => {
      if (asked.current.has(path)) return;
      asked.current.add(path);
      const store = (list: readonly ParameterInfo[]) =>
        setParams((m) => new Map(m).set(path, list));
      // A notebook the library cannot inspect shows only the params the task sets.
      client.notebookParams(path).then(store, () => store([]));
    },
    [client],
  );
  const paramsOf = useCallback((path: string) => params.get(path), [params]);
  return { notebooks, error, paramsOf, requestParams };
}
