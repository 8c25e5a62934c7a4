/** The notebook package: .ipynb model, papermill-compatible parameters, inspection. */
export type * from "./types.js";
export * from "./cell-id.js";
export * from "./nbformat.js";
export * from "./language.js";
export * from "./translators.js";
export * from "./translate-strings.js";
export * from "./translate-float.js";
export * from "./parameters.js";
export * from "./inspect.js";
export { inferPythonType } from "./inspect-python.js";
export { inferRType } from "./inspect-r.js";
