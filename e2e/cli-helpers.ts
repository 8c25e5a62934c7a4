/** Shared pieces of the end-to-end tests that run the real bin/updraft in a temp dir. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout's root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The CLI under test. */
export const BIN = join(ROOT, "bin", "updraft");

/** A temp work dir with a clean environment, files in it, and a way to run the CLI there. */
export interface CliSandbox {
  work: string;
  env: Record<string, string>;
  /** Writes a file into the work dir; returns its path. */
  file: (name: string, text: string) => string;
  /** Runs bin/updraft synchronously in the work dir. */
  updraft: (args: string[]) => { code: number | null; stdout: string; stderr: string };
  /** Removes the work dir. */
  cleanup: () => void;
}

/** Creates a sandbox under the system temp dir; `prefix` names it. */
export function cliSandbox(prefix: string): CliSandbox {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const env = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: work,
    UPDRAFT_PYTHON: process.env["UPDRAFT_PYTHON"] ?? "/usr/bin/python3",
    UPDRAFT_DATA_DIR: join(work, "data"),
  };
  return {
    work,
    env,
    file: (name, text) => {
      const p = join(work, name);
      writeFileSync(p, text);
      return p;
    },
    updraft: (args) => {
      const r = spawnSync(BIN, args, { env, encoding: "utf8", cwd: work, timeout: 60_000 });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    cleanup: () => rmSync(work, { recursive: true, force: true }),
  };
}
