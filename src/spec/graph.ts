/**
 * The task graph: `needs` edges point from a task to its upstream tasks. Functions
 * here ignore needs naming unknown tasks (validation reports those) and are linear in
 * tasks plus edges, except where the answer itself is quadratic (`upstreamOf`).
 */
import { ErrorCodes, UpdraftError } from "./errors.js";
import type { Workflow } from "./types.js";

/** The part of a task the graph functions read. */
export interface GraphNode {
  needs: readonly string[];
}

/** Tasks by id, as far as the graph is concerned. */
export type GraphTasks = Readonly<Record<string, GraphNode>>;

interface Indexed {
  ids: string[];
  /** parents[i]: indices of the tasks task i needs (known, deduplicated). */
  parents: number[][];
  /** children[i]: indices of the tasks that need task i. */
  children: number[][];
}

function index(tasks: GraphTasks): Indexed {
  const ids = Object.keys(tasks);
  const at = new Map<string, number>();
  ids.forEach((id, i) => at.set(id, i));
  const parents: number[][] = ids.map(() => []);
  const children: number[][] = ids.map(() => []);
  ids.forEach((id, i) => {
    const seen = new Set<number>();
    for (const need of tasks[id]?.needs ?? []) {
      const j = at.get(need);
      if (j === undefined || seen.has(j)) continue;
      seen.add(j);
      parents[i]!.push(j);
      children[j]!.push(i);
    }
  });
  return { ids, parents, children };
}

/** Strongly connected components (iterative Tarjan), as index lists. */
function components(g: Indexed): number[][] {
  const n = g.ids.length;
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (order[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [v, next] = frame;
      const edges = g.parents[v]!;
      if (next < edges.length) {
        frame[1]++;
        const w = edges[next]!;
        if (order[w] === -1) {
          order[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, order[w]!);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low[parent[0]] = Math.min(low[parent[0]]!, low[v]!);
      if (low[v] === order[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== v);
        out.push(comp);
      }
    }
  }
  return out;
}

/** Shortest cycle through `start` inside `members`, in run order, closed: [a, b, a]. */
function cycleThrough(g: Indexed, start: number, members: Set<number>): string[] {
  const prev = new Map<number, number>([[start, -1]]);
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q]!;
    for (const w of g.children[u]!) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path: number[] = [];
        for (let x = u; x !== -1; x = prev.get(x)!) path.push(x);
        path.reverse();
        return [...path, start].map((i) => g.ids[i]!);
      }
      if (!prev.has(w)) {
        prev.set(w, u);
        queue.push(w);
      }
    }
  }
  return [g.ids[start]!, g.ids[start]!];
}

/**
 * One cycle per strongly connected component that has one, each in run order and
 * closed (`["a", "b", "c", "a"]`: b needs a, c needs b, a needs c). Self-needs count.
 */
export function findCycles(tasks: GraphTasks): string[][] {
  const g = index(tasks);
  const cyclic: { first: number; members: number[] }[] = [];
  for (const members of components(g)) {
    const first = members.reduce((a, b) => Math.min(a, b));
    if (members.length > 1 || g.parents[first]!.includes(first)) cyclic.push({ first, members });
  }
  cyclic.sort((a, b) => a.first - b.first);
  return cyclic.map((c) => cycleThrough(g, c.first, new Set(c.members)));
}

/** A cycle of the graph, in run order and closed (`["a", "b", "a"]`), or undefined. */
export function findCycle(tasks: GraphTasks): string[] | undefined {
  return findCycles(tasks)[0];
}

/** Formats a cycle as `a -> b -> a`. */
export function formatCycle(cycle: readonly string[]): string {
  return cycle.join(" -> ");
}

function order(g: Indexed): number[] {
  const pending = g.parents.map((p) => p.length);
  const queue: number[] = [];
  pending.forEach((count, i) => {
    if (count === 0) queue.push(i);
  });
  for (let q = 0; q < queue.length; q++) {
    for (const c of g.children[queue[q]!]!) {
      if (--pending[c]! === 0) queue.push(c);
    }
  }
  return queue;
}

/**
 * Task ids with every task after the tasks it needs; ties keep declaration order.
 * Throws UpdraftError E_DAG_CYCLE naming the cycle when there is one.
 */
export function topologicalOrder(
  workflow: Pick<Workflow, "tasks"> | { tasks: GraphTasks },
): string[] {
  const g = index(workflow.tasks);
  const sorted = order(g);
  if (sorted.length < g.ids.length) {
    const cycle = findCycle(workflow.tasks) ?? [];
    throw new UpdraftError(
      ErrorCodes.DAG_CYCLE,
      `the tasks form a cycle: ${formatCycle(cycle)}; remove one of these needs`,
      { details: { cycle } },
    );
  }
  return sorted.map((i) => g.ids[i]!);
}

/**
 * Answers "is X upstream of Y" in O(1) after a build linear in edges times n/32:
 * one bitset of ancestors per task, filled in topological order.
 */
export class Ancestry {
  private readonly at = new Map<string, number>();
  private readonly words: number;
  private readonly bits: Uint32Array;

  /** Builds the closure; throws E_DAG_CYCLE when the graph has a cycle. */
  constructor(tasks: GraphTasks) {
    const g = index(tasks);
    g.ids.forEach((id, i) => this.at.set(id, i));
    const sorted = order(g);
    if (sorted.length < g.ids.length) topologicalOrder({ tasks });
    this.words = Math.ceil(g.ids.length / 32);
    this.bits = new Uint32Array(this.words * g.ids.length);
    for (const i of sorted) {
      const row = i * this.words;
      for (const p of g.parents[i]!) {
        const prow = p * this.words;
        for (let w = 0; w < this.words; w++) this.bits[row + w]! |= this.bits[prow + w]!;
        this.bits[row + (p >>> 5)]! |= 1 << (p & 31);
      }
    }
  }

  /** True when `upstream` is a transitive need of `task`. */
  isUpstream(upstream: string, task: string): boolean {
    const u = this.at.get(upstream);
    const t = this.at.get(task);
    if (u === undefined || t === undefined) return false;
    return ((this.bits[t * this.words + (u >>> 5)]! >>> (u & 31)) & 1) === 1;
  }

  /** Every transitive need of `task`, in declaration order. */
  upstreamOf(task: string): string[] {
    const t = this.at.get(task);
    if (t === undefined) return [];
    const out: string[] = [];
    for (const [id, u] of this.at) {
      if ((this.bits[t * this.words + (u >>> 5)]! >>> (u & 31)) & 1) out.push(id);
    }
    return out;
  }
}

/** For each task, every task upstream of it (transitive needs). Throws on a cycle. */
export function upstreamOf(
  workflow: Pick<Workflow, "tasks"> | { tasks: GraphTasks },
): Map<string, Set<string>> {
  const ancestry = new Ancestry(workflow.tasks);
  return new Map(Object.keys(workflow.tasks).map((id) => [id, new Set(ancestry.upstreamOf(id))]));
}

/** For each task, the tasks that directly need it, in declaration order. */
export function downstreamOf(
  workflow: Pick<Workflow, "tasks"> | { tasks: GraphTasks },
): Map<string, string[]> {
  const g = index(workflow.tasks);
  return new Map(g.ids.map((id, i) => [id, g.children[i]!.map((c) => g.ids[c]!)]));
}
