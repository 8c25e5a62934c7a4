/**
 * Runs as the API shows them (DESIGN §7), tasks in the order of their workflow document
 * rather than the store's alphabetical order.
 */
import { toRunView, type RunView } from "../engine/run-view.js";
import { isObject } from "../spec/json.js";
import type { RunWithTasks, Store } from "../store/types.js";

/** Builds run views, remembering the task order of each workflow version it has seen. */
export class RunViews {
  // Versions are immutable, so the order of a (name, version) never changes.
  private readonly orders = new Map<string, string[]>();

  constructor(private readonly store: Store) {}

  /** The view of a stored run, or undefined when there is no such run. */
  async get(id: string): Promise<RunView | undefined> {
    const run = await this.store.getRun(id);
    return run && this.view(run);
  }

  /** The view of a run already read from the store. */
  async view(run: RunWithTasks): Promise<RunView> {
    const known = await this.order(run.workflow, run.version);
    const present = new Set(run.tasks.map((t) => t.taskId));
    const order = known.filter((id) => present.has(id));
    const listed = new Set(order);
    // A task missing from the document (should not happen) still shows, at the end.
    for (const t of run.tasks) if (!listed.has(t.taskId)) order.push(t.taskId);
    return toRunView(run, order);
  }

  /** The newest runs (of one workflow, when given) with their tasks. */
  async list(workflow: string | undefined, limit: number): Promise<RunView[]> {
    const runs = await this.store.listRuns({ ...(workflow ? { workflow } : {}), limit });
    const views: RunView[] = [];
    for (const r of runs) {
      const full = await this.store.getRun(r.id);
      if (full) views.push(await this.view(full));
    }
    return views;
  }

  private async order(name: string, version: number): Promise<string[]> {
    const key = `${name}@${version}`;
    const cached = this.orders.get(key);
    if (cached) return cached;
    const record = await this.store.getWorkflow(name, version);
    const tasks = record?.document["tasks"];
    const order = isObject(tasks) ? Object.keys(tasks) : [];
    if (record) this.orders.set(key, order);
    return order;
  }
}
