/**
 * Test helpers (imported only by tests): a real engine with the real runners on an SQLite
 * store in a fresh temp directory, all of it shut down and removed by
 * {@link cleanupTestEngines}.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseWorkflowText } from "../spec/parse.js";
import type { JsonObject } from "../spec/types.js";
import { SqliteStore } from "../store/sqlite-store.js";
import type { RunWithTasks } from "../store/types.js";
import { createRunnerRegistry } from "../tasks/registry.js";
import { TEST_PYTHON } from "../tasks/test-context.js";
import type { RunnerRegistry } from "../tasks/types.js";
import { Engine, type EngineOptions } from "./engine.js";

/** An engine made by {@link makeTestEngine} and what it runs on. */
export interface TestEngine {
  /** The temp directory: data directory and base directory of runs. */
  dir: string;
  /** The SQLite file of the store. */
  dbPath: string;
  store: SqliteStore;
  runners: RunnerRegistry;
  engine: Engine;
  /** Starts `yaml` as version 1 with `params` and resolves when the run has finished. */
  run: (yaml: string, params?: JsonObject) => Promise<RunWithTasks>;
  /** Adds a cleanup that runs before the engine is shut down. */
  beforeShutdown: (fn: () => void | Promise<void>) => void;
}

const cleanups: (() => Promise<void>)[] = [];

/** Creates an engine on a new store in a temp directory named by `prefix`. */
export function makeTestEngine(
  prefix: string,
  options: Pick<EngineOptions, "limits" | "connections" | "baseEnv"> = {},
): TestEngine {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const dbPath = join(dir, "updraft.db");
  const store = SqliteStore.open(dbPath);
  const runners = createRunnerRegistry({ python: TEST_PYTHON, killGraceMs: 200 });
  const engine = new Engine({
    store,
    runners,
    dataDir: dir,
    baseEnv: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" },
    ...options,
  });
  const before: (() => void | Promise<void>)[] = [];
  cleanups.push(async () => {
    for (const fn of before) await fn();
    await engine.shutdown();
    await runners.close?.();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    dbPath,
    store,
    runners,
    engine,
    run: async (yaml, params = {}) => {
      const workflow = parseWorkflowText(yaml);
      const handle = await engine.startRun({ workflow, version: 1, params, baseDir: dir });
      return handle.finished;
    },
    beforeShutdown: (fn) => {
      before.push(fn);
    },
  };
}

/** Shuts down and removes every engine made so far (call in afterEach). */
export async function cleanupTestEngines(): Promise<void> {
  for (const c of cleanups.splice(0)) await c();
}
