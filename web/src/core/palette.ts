/** The palette: every task type with a label, a one-line hint and the fields a new task starts with. */
import { TASK_TYPES, type TaskType } from "../../../src/spec/types.js";
import type { JsonObject } from "./model.js";

/** One entry of the palette. */
export interface PaletteEntry {
  type: TaskType;
  label: string;
  hint: string;
  /** Type-specific fields of a new task; `needs`, `params`, `outputs` start empty. */
  defaults: JsonObject;
}

// Defaults validate as they are where the type allows it; a notebook task starts with
// no notebook so the designer asks for one (notebooks come from the library list).
const ENTRIES: Record<TaskType, Omit<PaletteEntry, "type">> = {
  notebook: {
    label: "Notebook",
    hint: "Run a Jupyter notebook with parameters",
    defaults: { notebook: "" },
  },
  python: {
    label: "Python",
    hint: "Run a Python script or inline code",
    defaults: { code: 'print("hello")\n' },
  },
  r: { label: "R", hint: "Run an R script or inline code", defaults: { code: 'print("hello")\n' } },
  rmarkdown: {
    label: "R Markdown",
    hint: "Render an R Markdown report",
    defaults: { file: "report.Rmd" },
  },
  shell: { label: "Shell", hint: "Run a shell command", defaults: { command: "echo hello" } },
  torch: {
    label: "PyTorch",
    hint: "Distributed PyTorch training",
    defaults: { script: "train.py", replicas: 2 },
  },
  tensorflow: {
    label: "TensorFlow",
    hint: "Distributed TensorFlow training",
    defaults: { script: "train.py", replicas: 2 },
  },
  dask: {
    label: "Dask",
    hint: "A Dask job with workers",
    defaults: { script: "job.py", replicas: 2 },
  },
  spark: {
    label: "Spark",
    hint: "Submit a Spark application",
    defaults: { application: "app.py" },
  },
  condition: {
    label: "Condition",
    hint: "Compare two values; false skips what follows",
    defaults: { left: "", op: "==", right: "" },
  },
  empty: { label: "Empty", hint: "A join point or placeholder", defaults: {} },
};

/** The palette entries in the format's type order. */
export const PALETTE: readonly PaletteEntry[] = TASK_TYPES.map((type) => ({
  type,
  ...ENTRIES[type],
}));

/** The palette entry of `type`, or undefined for a type the format does not know. */
export function paletteEntry(type: string): PaletteEntry | undefined {
  return PALETTE.find((e) => e.type === type);
}
