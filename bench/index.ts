/** `npm run bench [-- NAME...]`: runs the benchmarks, one JSON line of figures each. */
import { airflowExport } from "./airflow-export.js";
import { chain40 } from "./chain40.js";
import { latency } from "./latency.js";
import { notebookBench } from "./notebook.js";
import { scale } from "./scale.js";
import { throughput } from "./throughput.js";

const BENCHES: Record<string, () => Promise<Record<string, unknown>>> = {
  latency,
  throughput,
  chain40,
  "airflow-export": airflowExport,
  scale,
  notebook: notebookBench,
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
for (const name of names) {
  const bench = BENCHES[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(", ")}\n`);
    process.exitCode = 2;
    continue;
  }
  process.stdout.write(`${JSON.stringify(await bench())}\n`);
}
