/**
 * `updraft backfill FILE --from DATE --to DATE`: the scheduled runs of a past range on
 * the embedded engine, each with its interval's logical date; exit 0 iff all succeeded.
 */
import { planBackfill, startBackfill } from "../engine/backfill.js";
import { Engine } from "../engine/engine.js";
import { toRunView, type RunView } from "../engine/run-view.js";
import { parseRangeDate } from "../engine/zoned-date.js";
import { workflowToDocument } from "../spec/document.js";
import { openStore } from "../store/open-store.js";
import { createRunnerRegistry } from "../tasks/registry.js";
import { resolveCliParams } from "./cli-params.js";
import { loadWorkflow } from "./load-workflow.js";
import type { ParamPair } from "./param-args.js";
import { PlainProgress } from "./progress-plain.js";

/** Options of `updraft backfill`. */
export interface BackfillCommandOptions {
  file: string;
  from: string;
  to: string;
  params: ParamPair[];
  paramFiles: string[];
  rerun: boolean;
  maxActiveRuns?: number;
  /** Print the plan and create nothing. */
  dryRun: boolean;
  json: boolean;
  dataDir: string;
  /** `--db`: a PostgreSQL URL or `sqlite:PATH`; the data directory's SQLite file when absent. */
  db?: string;
  python: string;
  home: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  onCancelReady?: (cancel: () => void) => void;
}

/** Runs the backfill; resolves with the exit code. */
export async function backfillCommand(o: BackfillCommandOptions): Promise<number> {
  const { workflow, baseDir, path } = loadWorkflow(o.file);
  const params = resolveCliParams(workflow, o.params, o.paramFiles);
  const tz = workflow.timezone ?? "UTC";
  const from = parseRangeDate(o.from, tz, "--from");
  const to = parseRangeDate(o.to, tz, "--to", true);

  const store = await openStore({
    dataDir: o.dataDir,
    ...(o.db !== undefined ? { db: o.db } : {}),
  });
  const runners = createRunnerRegistry({
    python: o.python,
    kernels: { env: o.env, home: o.home },
  });
  try {
    const saved = await store.saveWorkflow(workflow.name, workflowToDocument(workflow), path);
    const input = {
      workflow,
      version: saved.version,
      params,
      baseDir,
      from,
      to,
      rerun: o.rerun,
      ...(o.maxActiveRuns !== undefined ? { maxActiveRuns: o.maxActiveRuns } : {}),
    };
    const plan = await planBackfill(store, input);
    const say = (m: string) => o.stderr.write(`${m}\n`);
    say(
      `backfill of ${workflow.name} from ${from.toISOString()} to ${to.toISOString()}: ` +
        `${plan.run.length} run(s)` +
        (plan.skipped.length > 0
          ? `, ${plan.skipped.length} skipped (already succeeded; --rerun runs them again)`
          : ""),
    );
    if (o.dryRun) {
      for (const i of plan.run) say(`  would run ${i.start.toISOString()}`);
      if (o.json)
        o.stdout.write(
          `${JSON.stringify(
            plan.run.map((i) => i.start),
            null,
            2,
          )}\n`,
        );
      return 0;
    }
    const engine = new Engine({ store, runners, dataDir: o.dataDir, baseEnv: o.env });
    const progress = new PlainProgress(o.stderr);
    const unsubscribe = engine.subscribe((e) => {
      if (e.kind === "run") progress.onEvent(e);
    });
    o.onCancelReady?.(() => void engine.shutdown());
    const handles = await startBackfill(engine, input, plan);
    const taskIds = Object.keys(workflow.tasks);
    const views: RunView[] = [];
    for (const h of handles) views.push(toRunView(await h.finished, taskIds));
    unsubscribe();
    const failed = views.filter((v) => v.state !== "succeeded");
    say(
      `backfill of ${workflow.name}: ${views.length - failed.length} succeeded, ${failed.length} not` +
        failed.map((v) => `\n  ${v.logicalDate} ${v.state} (run ${v.id})`).join(""),
    );
    if (o.json) o.stdout.write(`${JSON.stringify(views, null, 2)}\n`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    await runners.close?.();
    await store.close();
  }
}
