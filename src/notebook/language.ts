/**
 * Which language a notebook's parameters are written in. papermill picks a translator by
 * kernel name first, then by language (`PapermillTranslators.find_translator` in
 * papermill/translators.py), where the language is `metadata.language_info.name`, or
 * `metadata.kernelspec.language` for old notebooks (`nb_language` in papermill/utils.py).
 * papermill registers translators under the kernel names `pysparkkernel`, `sparkkernel`,
 * `sparkrkernel` and `bash`; we add the kernel names of common kernels so a notebook
 * whose metadata lacks `language_info` (never executed) still resolves.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import type { JsonValue } from "../spec/types.js";
import type { Notebook } from "./types.js";

/** Languages Updraft can render parameters for (papermill's translator keys). */
export const NOTEBOOK_LANGUAGES = ["python", "R", "scala", "julia", "bash"] as const;

/** A language Updraft can render parameters for. */
export type NotebookLanguage = (typeof NOTEBOOK_LANGUAGES)[number];

/** Kernel names with a fixed language, matched exactly (case-insensitive). */
const KERNEL_LANGUAGES: ReadonlyMap<string, NotebookLanguage> = new Map([
  ["python", "python"],
  ["python2", "python"],
  ["python3", "python"],
  ["ipykernel", "python"],
  ["pysparkkernel", "python"], // sparkmagic, registered by papermill
  ["sparkkernel", "scala"], // sparkmagic, registered by papermill
  ["sparkrkernel", "R"], // sparkmagic, registered by papermill
  ["ir", "R"], // IRkernel
  ["r", "R"],
  ["bash", "bash"], // bash_kernel, registered by papermill
  ["julia", "julia"],
  ["scala", "scala"],
  ["spylon-kernel", "scala"],
  ["apache_toree_scala", "scala"],
]);

/** Kernel name patterns: IJulia names kernels `julia-1.10`; almond `scala212`, `scala-2.13`. */
const KERNEL_PATTERNS: readonly [RegExp, NotebookLanguage][] = [
  [/^julia-\d+(\.\d+)*$/i, "julia"],
  [/^scala[-_.\d]*$/i, "scala"],
  [/^almond/i, "scala"],
  [/^spylon/i, "scala"],
];

/** Language names as kernels report them in `language_info.name` / `kernelspec.language`. */
const LANGUAGE_NAMES: ReadonlyMap<string, NotebookLanguage> = new Map([
  ["python", "python"],
  ["python2", "python"],
  ["python3", "python"],
  ["r", "R"],
  ["scala", "scala"],
  ["julia", "julia"],
  ["bash", "bash"],
]);

/**
 * Maps a language name (`"Python"`, `"r"`, `"R"`, …) to a {@link NotebookLanguage},
 * or null when Updraft has no parameter translator for it.
 */
export function normalizeLanguage(name: string): NotebookLanguage | null {
  return LANGUAGE_NAMES.get(name.trim().toLowerCase()) ?? null;
}

/** The language of a kernel known by name, or null. */
export function kernelLanguage(kernelName: string): NotebookLanguage | null {
  const name = kernelName.trim();
  const exact = KERNEL_LANGUAGES.get(name.toLowerCase());
  if (exact !== undefined) return exact;
  for (const [re, lang] of KERNEL_PATTERNS) if (re.test(name)) return lang;
  return null;
}

function stringAt(obj: JsonValue | undefined, key: string): string | undefined {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return undefined;
  const v = obj[key];
  return typeof v === "string" && v.trim() !== "" ? v : undefined;
}

/** What {@link resolveNotebookLanguage} looked at, for messages. */
export interface LanguageClues {
  kernelName: string | undefined;
  languageInfoName: string | undefined;
  kernelspecLanguage: string | undefined;
}

/** The kernel name and language names a notebook (or an override) offers. */
export function languageClues(nb: Notebook, kernelName?: string): LanguageClues {
  const md = nb.metadata;
  return {
    kernelName:
      kernelName !== undefined && kernelName.trim() !== ""
        ? kernelName
        : stringAt(md.kernelspec, "name"),
    languageInfoName: stringAt(md.language_info, "name"),
    kernelspecLanguage: stringAt(md.kernelspec, "language"),
  };
}

/**
 * Like {@link notebookLanguage} but returns null instead of throwing when no
 * translator fits (for callers that only want parameters when they can have them).
 */
export function resolveNotebookLanguage(
  nb: Notebook,
  kernelName?: string,
): NotebookLanguage | null {
  const clues = languageClues(nb, kernelName);
  if (clues.kernelName !== undefined) {
    const byKernel = kernelLanguage(clues.kernelName);
    if (byKernel !== null) return byKernel;
  }
  // papermill's nb_language: language_info.name, then (v3 leftovers) kernelspec.language.
  const language = clues.languageInfoName ?? clues.kernelspecLanguage;
  return language === undefined ? null : normalizeLanguage(language);
}

/**
 * The parameter language of a notebook: `kernelName` (the task's kernel, when it
 * overrides the notebook's) or `metadata.kernelspec.name` when it is a known kernel,
 * then `metadata.language_info.name`, then `metadata.kernelspec.language`.
 * @throws UpdraftError E_NOTEBOOK naming the kernel and language when none is supported.
 */
export function notebookLanguage(nb: Notebook, kernelName?: string): NotebookLanguage {
  const lang = resolveNotebookLanguage(nb, kernelName);
  if (lang !== null) return lang;
  const c = languageClues(nb, kernelName);
  const language = c.languageInfoName ?? c.kernelspecLanguage;
  const kernel = c.kernelName === undefined ? "no kernel name" : `kernel '${c.kernelName}'`;
  const what = language === undefined ? "no language" : `language '${language}'`;
  throw new UpdraftError(
    ErrorCodes.NOTEBOOK,
    `No parameter translator for ${kernel} with ${what}: Updraft renders parameters for ` +
      `${NOTEBOOK_LANGUAGES.join(", ")} notebooks. Set metadata.kernelspec.name or ` +
      "metadata.language_info.name in the notebook, or give the task a known kernel.",
    { details: c },
  );
}
