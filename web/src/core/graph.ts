/**
 * Edges of the canvas: `target.needs` holding `source` is the edge source -> target.
 * Connecting refuses self-loops and cycles with a message naming the cycle. Graph walks
 * here tolerate a document that already has a cycle (typed into the YAML tab).
 */
import { accept, refuse, taskOf, withTask, type DesignDoc, type OpResult } from "./model.js";

/** For each task, the tasks that need it (its direct downstream), in declaration order. */
export function childrenOf(doc: DesignDoc): Map<string, string[]> {
  const out = new Map<string, string[]>(Object.keys(doc.tasks).map((id) => [id, []]));
  for (const [id, task] of Object.entries(doc.tasks)) {
    for (const need of new Set(task.needs)) out.get(need)?.push(id);
  }
  return out;
}

/**
 * The shortest path of edges from `from` down to `to` (`[from, ..., to]`), or
 * undefined when `to` is not downstream of `from`.
 */
export function downstreamPath(doc: DesignDoc, from: string, to: string): string[] | undefined {
  const children = childrenOf(doc);
  const prev = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q]!;
    if (u === to) {
      const path: string[] = [];
      for (let x: string | null = u; x !== null; x = prev.get(x) ?? null) path.push(x);
      return path.reverse();
    }
    for (const c of children.get(u) ?? []) {
      if (!prev.has(c)) {
        prev.set(c, u);
        queue.push(c);
      }
    }
  }
  return undefined;
}

/** Every task `id` transitively needs (cycle-safe). */
export function upstreamSet(doc: DesignDoc, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(taskOf(doc, id)?.needs ?? [])];
  while (stack.length > 0) {
    const u = stack.pop()!;
    if (seen.has(u)) continue;
    seen.add(u);
    stack.push(...(taskOf(doc, u)?.needs ?? []));
  }
  return seen;
}

/** Every task that transitively needs `id` (cycle-safe). */
export function downstreamSet(doc: DesignDoc, id: string): Set<string> {
  const children = childrenOf(doc);
  const seen = new Set<string>();
  const stack = [...(children.get(id) ?? [])];
  while (stack.length > 0) {
    const u = stack.pop()!;
    if (seen.has(u)) continue;
    seen.add(u);
    stack.push(...(children.get(u) ?? []));
  }
  return seen;
}

/** Why the edge source -> target cannot be added, or undefined when it can. */
export function connectProblem(doc: DesignDoc, source: string, target: string): string | undefined {
  if (taskOf(doc, source) === undefined) return `there is no task ${JSON.stringify(source)}`;
  if (taskOf(doc, target) === undefined) return `there is no task ${JSON.stringify(target)}`;
  if (source === target) return `a task cannot need itself (${source})`;
  const back = downstreamPath(doc, target, source);
  if (back !== undefined) {
    const cycle = [...back, target].join(" -> ");
    return `connecting ${source} -> ${target} would make a cycle: ${cycle}; a workflow must be a DAG`;
  }
  return undefined;
}

/**
 * Adds the edge source -> target (target needs source). Already connected: the same
 * document. Refuses a self-loop, an unknown task, or an edge closing a cycle, naming it.
 */
export function connect(doc: DesignDoc, source: string, target: string): OpResult {
  const problem = connectProblem(doc, source, target);
  if (problem !== undefined) return refuse(problem);
  const task = taskOf(doc, target)!;
  if (task.needs.includes(source)) return accept(doc);
  return accept(withTask(doc, target, { ...task, needs: [...task.needs, source] }));
}

/** Removes the edge source -> target; references to the source's outputs stay for the validator to flag. */
export function disconnect(doc: DesignDoc, source: string, target: string): DesignDoc {
  const task = taskOf(doc, target);
  if (task === undefined || !task.needs.includes(source)) return doc;
  return withTask(doc, target, { ...task, needs: task.needs.filter((n) => n !== source) });
}

/** The edges of the document as [source, target] pairs, known tasks only, deduplicated. */
export function edgesOf(doc: DesignDoc): [string, string][] {
  const out: [string, string][] = [];
  for (const [id, task] of Object.entries(doc.tasks)) {
    for (const need of new Set(task.needs)) {
      if (taskOf(doc, need) !== undefined) out.push([need, id]);
    }
  }
  return out;
}
