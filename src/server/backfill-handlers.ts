/**
 * `POST /api/v1/workflows/{name}/backfill {from, to, params?, rerun?, dryRun?}`: the
 * scheduled runs of a past range, as `updraft backfill` creates them, answered with the
 * created runs (queued behind the workflow's max active runs) and the skipped intervals.
 */
import { planBackfill, startBackfill } from "../engine/backfill.js";
import type { Engine } from "../engine/engine.js";
import { parseRangeDate } from "../engine/zoned-date.js";
import { getOwn, isObject } from "../spec/json.js";
import { resolveRunParams } from "../spec/params.js";
import type { JsonObject } from "../spec/types.js";
import type { Store } from "../store/types.js";
import { badRequest, notFound } from "./http-errors.js";
import { json } from "./reply.js";
import { readJsonBody } from "./request-body.js";
import type { ApiRoute } from "./access.js";
import type { RunViews } from "./run-views.js";
import type { WorkflowCatalog } from "./workflow-catalog.js";

/** What the backfill route needs. */
export interface BackfillDeps {
  engine: Engine;
  store: Store;
  workflows: WorkflowCatalog;
  runViews: RunViews;
  log: (message: string) => void;
}

const FIELDS = new Set(["from", "to", "params", "rerun", "dryRun"]);

/** The backfill route. */
export function backfillRoutes(deps: BackfillDeps): ApiRoute[] {
  return [
    {
      method: "POST",
      pattern: "/api/v1/workflows/:name/backfill",
      access: "run:trigger",
      handler: async ({ req, params }) => {
        const body = await readJsonBody(req);
        const entry = deps.workflows.get(params["name"] ?? "");
        if (!entry)
          throw notFound(
            `no workflow named ${JSON.stringify((params["name"] ?? "").slice(0, 80))}`,
          );
        if (!isObject(body)) {
          throw badRequest(
            'the body must be {"from": DATE, "to": DATE} (plus params, rerun, dryRun)',
          );
        }
        const unknown = Object.keys(body).filter((k) => !FIELDS.has(k));
        if (unknown.length > 0) {
          throw badRequest(`unknown field(s): ${unknown.join(", ")}`, { fields: unknown });
        }
        const from = getOwn(body, "from");
        const to = getOwn(body, "to");
        if (typeof from !== "string" || typeof to !== "string") {
          throw badRequest('"from" and "to" are required dates (YYYY-MM-DD or ISO date-times)');
        }
        const given = getOwn(body, "params") ?? {};
        if (!isObject(given)) throw badRequest('"params" must be an object');
        const rerun = getOwn(body, "rerun") ?? false;
        const dryRun = getOwn(body, "dryRun") ?? false;
        if (typeof rerun !== "boolean" || typeof dryRun !== "boolean") {
          throw badRequest('"rerun" and "dryRun" must be true or false');
        }
        const { workflow } = entry;
        const tz = workflow.timezone ?? "UTC";
        const input = {
          workflow,
          version: entry.version,
          params: resolveRunParams(workflow.params, given as JsonObject),
          baseDir: entry.baseDir,
          from: parseRangeDate(from, tz, "from"),
          to: parseRangeDate(to, tz, "to", true),
          rerun,
        };
        const plan = await planBackfill(deps.store, input);
        const skipped = plan.skipped.map((i) => i.start.toISOString());
        if (dryRun) {
          return json(200, {
            runs: [],
            planned: plan.run.map((i) => i.start.toISOString()),
            skipped,
          });
        }
        const handles = await startBackfill(deps.engine, input, plan);
        for (const h of handles) {
          void h.finished.then(undefined, (err: unknown) =>
            deps.log(`backfill run ${h.id}: ${String(err)}`),
          );
        }
        const runs = [];
        for (const h of handles) runs.push(await deps.runViews.get(h.id));
        return json(201, { runs, skipped });
      },
    },
  ];
}
