/** Workflow -> Airflow DAG Python code (DESIGN.md §9). Pure: no I/O. */
export { DEFAULT_START_DATE, generateAirflowDag, type AirflowDagOptions } from "./dag-codegen.js";
export { pyAtom, pyLiteral, pyNumber, pyString, uniqueVariable } from "./py-literal.js";
export { LINE_LENGTH } from "./py-layout.js";
export { REF_PREFIX, refKey, taskXcomRefs, xcomTemplate } from "./xcom-refs.js";
