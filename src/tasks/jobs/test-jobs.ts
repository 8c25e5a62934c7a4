/**
 * Test helpers of the job runners (imported only by tests): a machine without GPUs, a
 * temp directory holding one script, and the environment replicas record into.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeTempDir } from "../test-context.js";
import type { GpuProbe } from "./gpus.js";

/** A GPU probe that finds none, so jobs run on CPUs whatever this machine has. */
export const noGpus: GpuProbe = { list: () => Promise.resolve([]) };

/** A fresh temp directory (removed by cleanupTestDirs) holding `source` as `name`. */
export async function scriptDir(prefix: string, name: string, source: string): Promise<string> {
  const dir = await makeTempDir(prefix);
  await writeFile(join(dir, name), source);
  return dir;
}

/** A task environment with PATH and OUT_DIR, the directory test scripts write what they saw to. */
export function outDirEnv(dir: string): NodeJS.ProcessEnv {
  return { PATH: process.env["PATH"] ?? "/usr/bin", OUT_DIR: dir };
}
