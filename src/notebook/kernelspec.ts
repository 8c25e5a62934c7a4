/**
 * Kernelspec discovery as jupyter_client's KernelSpecManager does it: every directory
 * with a `kernel.json` under a `kernels/` directory of the Jupyter path, the first one
 * found for a (lower-cased) name winning. Unlike jupyter_client, a malformed spec is
 * skipped with a recorded reason instead of failing later, so one broken install cannot
 * hide the other kernels.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { kernelSpecDirs, type JupyterPathOptions } from "./jupyter-paths.js";

/** A kernelspec: how to start one kind of kernel. */
export interface KernelSpec {
  /** Lower-cased directory name; what notebooks and tasks refer to. */
  name: string;
  /** The spec's resource directory (holds kernel.json, logos). */
  dir: string;
  /** Command line; `{connection_file}` and `{resource_dir}` are substituted at launch. */
  argv: string[];
  displayName: string;
  language: string;
  /** Extra environment for the kernel; `${VAR}` references are expanded at launch. */
  env?: { [key: string]: string };
  /** How to interrupt: SIGINT to the process group (default) or interrupt_request on control. */
  interruptMode?: "signal" | "message";
  metadata?: { [key: string]: unknown };
}

/** A kernelspec directory that was skipped, and why. */
export interface KernelSpecIssue {
  name: string;
  dir: string;
  reason: string;
}

/** Where to look: the Jupyter path rules plus directories searched before them. */
export interface KernelSpecSearchOptions extends JupyterPathOptions {
  /** Kernel directories (each holding `<name>/kernel.json`) searched before the Jupyter path. */
  extraDirs?: string[];
}

/** Everything discovery found: usable specs by name, and the directories it skipped. */
export interface KernelSpecDiscovery {
  specs: Map<string, KernelSpec>;
  issues: KernelSpecIssue[];
}

/** Names jupyter_client accepts without a warning (ASCII letters, digits, `-`, `.`, `_`). */
const VALID_NAME = /^[a-z0-9._-]+$/;

/** Finds every kernelspec, with the directories skipped and why. */
export function discoverKernelSpecs(opts: KernelSpecSearchOptions): KernelSpecDiscovery {
  const specs = new Map<string, KernelSpec>();
  const issues: KernelSpecIssue[] = [];
  for (const kernelsDir of [...(opts.extraDirs ?? []), ...kernelSpecDirs(opts)]) {
    let entries: string[];
    try {
      entries = readdirSync(kernelsDir).sort();
    } catch {
      continue; // Most directories of the search path do not exist; that is normal.
    }
    for (const entry of entries) {
      const dir = join(kernelsDir, entry);
      const name = entry.toLowerCase();
      if (specs.has(name) || !isFile(join(dir, "kernel.json"))) continue;
      if (!VALID_NAME.test(name)) {
        issues.push({
          name,
          dir,
          reason: "the name may only use ASCII letters, digits, '-', '.' and '_'",
        });
        continue;
      }
      const parsed = readKernelSpec(dir, name);
      if (typeof parsed === "string") issues.push({ name, dir, reason: parsed });
      else specs.set(name, parsed);
    }
  }
  return { specs, issues };
}

/** Finds every usable kernelspec by (lower-cased) name. */
export function findKernelSpecs(opts: KernelSpecSearchOptions): Map<string, KernelSpec> {
  return discoverKernelSpecs(opts).specs;
}

/** The kernelspec called `name` (case-insensitive); throws E_KERNEL listing the available kernels. */
export function getKernelSpec(name: string, opts: KernelSpecSearchOptions): KernelSpec {
  const { specs, issues } = discoverKernelSpecs(opts);
  const key = name.toLowerCase();
  const spec = specs.get(key);
  if (spec !== undefined) return spec;
  const available = [...specs.keys()].sort();
  const lines = [
    `no Jupyter kernel named '${name}'; ` +
      (available.length > 0
        ? `available kernels: ${available.join(", ")}`
        : "no kernels are installed (run `make setup`, or `python3 -m ipykernel install --user`)"),
  ];
  for (const issue of issues) {
    if (issue.name === key) lines.push(`  ${issue.dir} was skipped: ${issue.reason}`);
  }
  throw new UpdraftError(ErrorCodes.KERNEL, lines.join("\n"), { details: { available, issues } });
}

/** Reads and checks `dir/kernel.json`; returns the spec or the reason it is unusable. */
export function readKernelSpec(dir: string, name: string): KernelSpec | string {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"));
  } catch (err) {
    return `kernel.json cannot be read: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (!isObject(raw)) return "kernel.json is not a JSON object";
  const { argv, display_name, language, env, interrupt_mode, metadata } = raw;
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === "string")) {
    return "kernel.json: `argv` must be a non-empty list of strings";
  }
  if (display_name !== undefined && typeof display_name !== "string") {
    return "kernel.json: `display_name` must be a string";
  }
  if (language !== undefined && typeof language !== "string") {
    return "kernel.json: `language` must be a string";
  }
  const spec: KernelSpec = {
    name,
    dir,
    argv: argv,
    displayName: display_name ?? name,
    language: language ?? "",
  };
  if (env !== undefined) {
    if (!isObject(env) || !Object.values(env).every((v) => typeof v === "string")) {
      return "kernel.json: `env` must be an object of strings";
    }
    spec.env = env as { [key: string]: string };
  }
  if (interrupt_mode !== undefined) {
    // jupyter_client reads the mode case-insensitively (CaselessStrEnum).
    const mode = typeof interrupt_mode === "string" ? interrupt_mode.toLowerCase() : undefined;
    if (mode !== "signal" && mode !== "message") {
      return "kernel.json: `interrupt_mode` must be 'signal' or 'message'";
    }
    spec.interruptMode = mode;
  }
  if (metadata !== undefined) {
    if (!isObject(metadata)) return "kernel.json: `metadata` must be an object";
    spec.metadata = metadata;
  }
  return spec;
}

function isObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
