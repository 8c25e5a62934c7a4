/**
 * Jupyter's data-file search path (jupyter_core.paths.jupyter_path), computed from an
 * environment and a home directory instead of a running Python, so kernelspecs are found
 * where `jupyter kernelspec list` finds them.
 */
import { delimiter, join } from "node:path";

/** Inputs of the path rules: the environment and home directory to resolve against. */
export interface JupyterPathOptions {
  env: NodeJS.ProcessEnv;
  home: string;
  /**
   * Python `sys.prefix` directories whose `share/jupyter` counts as the "environment"
   * level. Defaults to `$VIRTUAL_ENV` and `$CONDA_PREFIX` when set: that is where an
   * activated environment's Python would look.
   */
  sysPrefixes?: string[];
}

/** System-wide data directories on Unix, after every other level. */
export const SYSTEM_JUPYTER_PATH: readonly string[] = [
  "/usr/local/share/jupyter",
  "/usr/share/jupyter",
];

/** True when an environment flag is set to something other than a false-ish word, as jupyter_core's `envset`. */
export function envFlag(value: string | undefined): boolean {
  if (value === undefined) return false;
  return !["no", "n", "false", "off", "0", "0.0"].includes(value.toLowerCase());
}

/** The user's Jupyter data directory: `$JUPYTER_DATA_DIR`, else `$XDG_DATA_HOME/jupyter`, else `~/.local/share/jupyter`. */
export function jupyterDataDir(opts: JupyterPathOptions): string {
  const { env } = opts;
  if (nonEmpty(env.JUPYTER_DATA_DIR)) return env.JUPYTER_DATA_DIR;
  const xdg = nonEmpty(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : join(opts.home, ".local", "share");
  return join(xdg, "jupyter");
}

/**
 * The data search path, highest precedence first: `$JUPYTER_PATH` entries, then the user
 * level (data dir, Python user base), then environment prefixes (swapped with the user
 * level when `$JUPYTER_PREFER_ENV_PATH` is set), then the system directories.
 */
export function jupyterPath(opts: JupyterPathOptions): string[] {
  const { env } = opts;
  const paths: string[] = [];
  if (nonEmpty(env.JUPYTER_PATH)) {
    for (const p of env.JUPYTER_PATH.split(delimiter)) {
      // jupyter_core keeps empty entries too, but they only mean "the current directory"
      // by accident; skipping them avoids surprising lookups relative to the server's cwd.
      if (p !== "") paths.push(stripTrailingSlash(p));
    }
  }
  const user = [jupyterDataDir(opts)];
  // site.getuserbase(): $PYTHONUSERBASE or ~/.local on Linux.
  const userBase = nonEmpty(env.PYTHONUSERBASE) ? env.PYTHONUSERBASE : join(opts.home, ".local");
  const userDir = join(userBase, "share", "jupyter");
  if (!user.includes(userDir)) user.push(userDir);

  const prefixes = opts.sysPrefixes ?? [env.VIRTUAL_ENV, env.CONDA_PREFIX].filter(nonEmpty);
  const envLevel = prefixes
    .map((p) => join(p, "share", "jupyter"))
    .filter((p) => !SYSTEM_JUPYTER_PATH.includes(p));

  if (envFlag(env.JUPYTER_PREFER_ENV_PATH)) paths.push(...envLevel, ...user);
  else paths.push(...user, ...envLevel);
  paths.push(...SYSTEM_JUPYTER_PATH);
  return dedupe(paths);
}

/**
 * Directories that may hold kernelspecs, highest precedence first: `kernels/` under each
 * data path entry, then IPython's legacy `~/.ipython/kernels` (jupyter_client still reads it).
 */
export function kernelSpecDirs(opts: JupyterPathOptions): string[] {
  const ipython = nonEmpty(opts.env.IPYTHONDIR) ? opts.env.IPYTHONDIR : join(opts.home, ".ipython");
  return dedupe([...jupyterPath(opts).map((p) => join(p, "kernels")), join(ipython, "kernels")]);
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== "";
}

function stripTrailingSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

function dedupe(paths: string[]): string[] {
  return [...new Set(paths)];
}
