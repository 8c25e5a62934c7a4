/**
 * The notebook library of `updraft serve`: `.ipynb` files under one directory that users
 * upload, list, read and inspect for parameters. Every path is checked as text first
 * (notebook-library-path.ts); on disk, no folder on the way may be a symbolic link and a
 * notebook that is a link must resolve inside the library. Saves are atomic and only ever
 * write a notebook that parses.
 */
import { randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import {
  link,
  lstat,
  mkdir,
  open,
  readFile,
  readdir,
  realpath,
  rename,
  stat,
  unlink,
} from "node:fs/promises";
import { join, sep } from "node:path";
import { inspectParameters, type ParameterInfo } from "../notebook/inspect.js";
import { resolveNotebookLanguage } from "../notebook/language.js";
import { MAX_NOTEBOOK_CHARS, parseNotebook, serializeNotebook } from "../notebook/nbformat.js";
import type { Notebook } from "../notebook/types.js";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { HttpError } from "./http-errors.js";
import {
  MAX_LIBRARY_DEPTH,
  NOTEBOOK_EXTENSION,
  checkLibraryPath,
} from "./notebook-library-path.js";

/** Largest notebook accepted by a save (and by an upload), in bytes. */
export const MAX_LIBRARY_NOTEBOOK_BYTES = 20 * 1024 * 1024;

/** Most notebooks one listing reports; a larger library is listed truncated. */
export const MAX_LIBRARY_LISTING = 10_000;

/** One notebook as a listing shows it. */
export interface LibraryEntry {
  /** Path relative to the library, `/`-separated. */
  path: string;
  /** Size of the file in bytes. */
  size: number;
  /** Last modification, ISO 8601. */
  modified: string;
  /** `metadata.kernelspec.name`, or null when the notebook names no kernel. */
  kernel: string | null;
  /** The parameter language (python, R, …), or null when unknown. */
  language: string | null;
  /** How many parameters the `parameters` cell declares; null when the file is unreadable. */
  params: number | null;
  /** Why the file could not be read as a notebook, or null. */
  error: string | null;
}

/** A listing of the library. */
export interface LibraryListing {
  notebooks: LibraryEntry[];
  /** True when the library holds more than {@link MAX_LIBRARY_LISTING} notebooks. */
  truncated: boolean;
}

/** A notebook read from the library. */
export interface LibraryNotebook {
  path: string;
  /** The file's text (nbformat JSON). */
  text: string;
  notebook: Notebook;
}

/** Options of {@link NotebookLibrary.save}. */
export interface SaveOptions {
  /** Replace an existing notebook; without it an existing path is a 409. */
  overwrite?: boolean;
}

/** The outcome of a save. */
export interface SaveResult {
  entry: LibraryEntry;
  /** False when an existing notebook was replaced. */
  created: boolean;
}

interface CachedSummary {
  mtimeMs: number;
  size: number;
  entry: LibraryEntry;
}

/** A library rooted at one directory (created by {@link NotebookLibrary.open}). */
export class NotebookLibrary {
  private realRoot: string | undefined;
  // Listing parses every notebook; unchanged files (same mtime and size) are not parsed again.
  private readonly summaries = new Map<string, CachedSummary>();

  constructor(
    /** The library directory. */
    readonly root: string,
    /** Largest notebook a save accepts, in bytes. */
    readonly maxBytes: number = MAX_LIBRARY_NOTEBOOK_BYTES,
  ) {}

  /** Creates the directory when missing and resolves its real path. */
  async open(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    this.realRoot = await realpath(this.root);
  }

  /** Every notebook in the library, sorted by path; links and dot-names are skipped. */
  async list(): Promise<LibraryListing> {
    const root = await this.rootPath();
    const found: { rel: string; stats: Stats }[] = [];
    let truncated = false;
    const walk = async (dir: string, prefix: string, depth: number): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return; // Removed or unreadable meanwhile: nothing to list there.
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (truncated) return;
        const rel = prefix === "" ? e.name : `${prefix}/${e.name}`;
        if (e.name.startsWith(".") || e.isSymbolicLink()) continue;
        if (e.isDirectory()) {
          if (depth + 1 < MAX_LIBRARY_DEPTH) await walk(join(dir, e.name), rel, depth + 1);
        } else if (e.isFile() && e.name.endsWith(NOTEBOOK_EXTENSION) && isListable(rel)) {
          if (found.length >= MAX_LIBRARY_LISTING) {
            truncated = true;
            return;
          }
          try {
            found.push({ rel, stats: await lstat(join(dir, e.name)) });
          } catch {
            // Deleted between readdir and lstat.
          }
        }
      }
    };
    await walk(root, "", 0);
    const seen = new Set<string>();
    const notebooks: LibraryEntry[] = [];
    for (const { rel, stats } of found) {
      seen.add(rel);
      notebooks.push(await this.summary(rel, join(root, ...rel.split("/")), stats));
    }
    for (const key of this.summaries.keys()) if (!seen.has(key)) this.summaries.delete(key);
    return { notebooks, truncated };
  }

  /**
   * Reads a notebook.
   * @throws UpdraftError E_VALIDATION for a bad path or a link out of the library,
   * E_NOT_FOUND when there is no such notebook; HttpError 422 E_NOTEBOOK when the stored
   * file is not a notebook.
   */
  async read(path: string): Promise<LibraryNotebook> {
    const segments = checkLibraryPath(path);
    const { file, stats } = await this.locate(path, segments);
    if (stats.size > MAX_NOTEBOOK_CHARS) {
      throw new HttpError(
        422,
        ErrorCodes.NOTEBOOK,
        `${path} is ${stats.size} bytes, more than the ${MAX_NOTEBOOK_CHARS} the library serves`,
        { path },
      );
    }
    // O_NOFOLLOW: a file swapped for a link after the checks above is not followed either.
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(
      (err: unknown) => {
        const code = errnoCode(err);
        if (code === "ELOOP" || code === "ENOENT") {
          throw new UpdraftError(ErrorCodes.NOT_FOUND, `no notebook ${path} in the library`);
        }
        throw err;
      },
    );
    let text: string;
    try {
      text = await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
    try {
      return { path, text, notebook: parseNotebook(text, path) };
    } catch (err) {
      throw notebookProblem(422, err, path);
    }
  }

  /** The parameters a notebook declares (see {@link read} for the errors). */
  async params(path: string): Promise<ParameterInfo[]> {
    const { notebook } = await this.read(path);
    return inspectParameters(notebook);
  }

  /**
   * Saves a notebook atomically (a temporary file renamed into place), written the way
   * nbformat writes it.
   * @throws UpdraftError E_VALIDATION for a bad path, E_CONFLICT when the notebook exists
   * and `overwrite` is not set or a folder on the way is a file; HttpError 400 E_NOTEBOOK
   * when `text` is not a notebook, 413 when it is larger than {@link maxBytes}.
   */
  async save(path: string, text: string, options: SaveOptions = {}): Promise<SaveResult> {
    const segments = checkLibraryPath(path);
    const bytes = Buffer.byteLength(text);
    if (bytes > this.maxBytes) {
      throw new HttpError(
        413,
        "E_PAYLOAD_TOO_LARGE",
        `the notebook is ${bytes} bytes; the library accepts at most ${this.maxBytes}`,
        { limit: this.maxBytes },
      );
    }
    let output: string;
    try {
      output = serializeNotebook(parseNotebook(text, path));
    } catch (err) {
      throw notebookProblem(400, err, path);
    }
    const dir = await this.makeFolders(path, segments.slice(0, -1));
    const file = join(dir, segments.at(-1) ?? "");
    const tmp = join(dir, `.${randomBytes(8).toString("hex")}.tmp`);
    let created = true;
    try {
      const handle = await open(tmp, "wx", 0o644);
      try {
        await handle.writeFile(output, "utf8");
        await handle.sync();
      } finally {
        await handle.close();
      }
      const existing = await lstatOrNull(file);
      if (existing?.isDirectory()) throw conflict(path, `${path} is a folder in the library`);
      if (options.overwrite === true) {
        created = existing === null;
        await rename(tmp, file);
      } else {
        // link() fails if the name exists, so two racing saves cannot both "create" it.
        try {
          await link(tmp, file);
        } catch (err) {
          if (errnoCode(err) === "EEXIST") {
            throw conflict(path, `${path} exists; set overwrite to true to replace it`);
          }
          throw err;
        }
      }
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    this.summaries.delete(path);
    return { entry: await this.summary(path, file, await lstat(file)), created };
  }

  private async rootPath(): Promise<string> {
    if (this.realRoot === undefined) await this.open();
    return this.realRoot as string;
  }

  // Finds an existing notebook: plain folders on the way, and a file inside the library.
  private async locate(path: string, segments: string[]): Promise<{ file: string; stats: Stats }> {
    const root = await this.rootPath();
    const missing = () =>
      new UpdraftError(ErrorCodes.NOT_FOUND, `no notebook ${path} in the library`);
    let dir = root;
    for (const segment of segments.slice(0, -1)) {
      dir = join(dir, segment);
      const st = await lstatOrNull(dir);
      if (st === null) throw missing();
      if (st.isSymbolicLink()) throw linkRefused(path, `${segment} is a symbolic link`);
      if (!st.isDirectory()) throw missing();
    }
    const file = join(dir, segments.at(-1) ?? "");
    const st = await lstatOrNull(file);
    if (st === null) throw missing();
    if (!st.isSymbolicLink()) {
      if (!st.isFile()) throw missing();
      return { file, stats: st };
    }
    let real: string;
    try {
      real = await realpath(file);
    } catch {
      throw missing(); // A dangling link.
    }
    if (!real.startsWith(root + sep)) {
      throw linkRefused(path, `${path} is a symbolic link leading out of the library`);
    }
    const target = await stat(real);
    if (!target.isFile()) throw missing();
    return { file: real, stats: target };
  }

  // Creates the folders of a save one by one, refusing links and files in the way.
  private async makeFolders(path: string, folders: string[]): Promise<string> {
    let dir = await this.rootPath();
    for (const folder of folders) {
      dir = join(dir, folder);
      try {
        await mkdir(dir);
      } catch (err) {
        if (errnoCode(err) !== "EEXIST") throw err;
      }
      const st = await lstat(dir);
      if (st.isSymbolicLink()) throw linkRefused(path, `${folder} is a symbolic link`);
      if (!st.isDirectory()) throw conflict(path, `${folder} in ${path} is a file, not a folder`);
    }
    return dir;
  }

  private async summary(rel: string, file: string, stats: Stats): Promise<LibraryEntry> {
    const cached = this.summaries.get(rel);
    if (cached && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) {
      return cached.entry;
    }
    const entry: LibraryEntry = {
      path: rel,
      size: stats.size,
      modified: stats.mtime.toISOString(),
      kernel: null,
      language: null,
      params: null,
      error: null,
    };
    try {
      if (stats.size > MAX_NOTEBOOK_CHARS)
        throw new Error(`larger than ${MAX_NOTEBOOK_CHARS} bytes`);
      const nb = parseNotebook(await readFile(file, "utf8"), rel);
      const spec = nb.metadata.kernelspec;
      const name =
        spec !== null && typeof spec === "object" && !Array.isArray(spec)
          ? spec["name"]
          : undefined;
      entry.kernel = typeof name === "string" ? name : null;
      entry.language = resolveNotebookLanguage(nb);
      entry.params = inspectParameters(nb).length;
    } catch (err) {
      entry.error = err instanceof Error ? err.message : String(err);
    }
    this.summaries.set(rel, { mtimeMs: stats.mtimeMs, size: stats.size, entry });
    return entry;
  }
}

function isListable(rel: string): boolean {
  try {
    checkLibraryPath(rel);
    return true;
  } catch {
    return false;
  }
}

async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw err;
  }
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function conflict(path: string, message: string): UpdraftError {
  return new UpdraftError(ErrorCodes.CONFLICT, message, { details: { path } });
}

function linkRefused(path: string, why: string): UpdraftError {
  return new UpdraftError(
    ErrorCodes.VALIDATION,
    `${why}; the library does not follow links out of it or through folders`,
    { details: { path } },
  );
}

// A notebook that does not parse: the client's upload (400) or a bad file on disk (422).
function notebookProblem(status: number, err: unknown, path: string): unknown {
  if (err instanceof UpdraftError && err.code === ErrorCodes.NOTEBOOK) {
    return new HttpError(status, ErrorCodes.NOTEBOOK, err.message, err.details ?? { path });
  }
  return err;
}
