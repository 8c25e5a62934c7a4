/** The result type of parameter inspection, shared by the per-language readers. */

/** One parameter read from a notebook's `parameters` cell (papermill's `Parameter`). */
export interface ParameterInfo {
  /** The variable name. */
  name: string;
  /**
   * The declared type (Python annotation or `# type:` comment) or else the type of the
   * literal default in the language's own terms (Python: `int`, `float`, `str`, `bool`,
   * `list`, `dict`, `NoneType`, …; R: `numeric`, `integer`, `character`, `logical`,
   * `list`, `NULL`, …); null when neither is known.
   */
  inferredType: string | null;
  /** The source text of the default, flattened to one line as papermill does. */
  default: string;
  /** The comment on the assignment's (last) line, without `#`; "" when none. */
  help: string;
}
