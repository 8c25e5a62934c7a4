/**
 * Aho-Corasick over bytes: finds every occurrence of many patterns in a stream in one
 * pass, one byte at a time, whatever the chunking. The state after each byte also says
 * how long the current partial match is, which is exactly how much output must be held
 * back because a pattern might be completed by the next chunk.
 */

/** An automaton for a fixed set of byte patterns. */
export class PatternMatcher {
  private readonly children: Map<number, number>[] = [new Map<number, number>()];
  private readonly fail: number[] = [0];
  private readonly depthOf: number[] = [0];
  /** Length of the longest pattern ending at each state (0: none). */
  private readonly longest: number[] = [0];
  /** Transitions out of the root as a table: most log bytes start no pattern, so this is the hot path. */
  private readonly rootNext = new Int32Array(256);
  /** Length of the longest pattern. */
  readonly maxLength: number;

  constructor(patterns: readonly Uint8Array[]) {
    let max = 0;
    for (const pattern of patterns) {
      if (pattern.length === 0) continue;
      max = Math.max(max, pattern.length);
      let node = 0;
      for (const byte of pattern) {
        const children = this.children[node] ?? new Map<number, number>();
        let next = children.get(byte);
        if (next === undefined) {
          next = this.children.length;
          children.set(byte, next);
          this.children.push(new Map<number, number>());
          this.fail.push(0);
          this.depthOf.push((this.depthOf[node] ?? 0) + 1);
          this.longest.push(0);
        }
        node = next;
      }
      this.longest[node] = pattern.length;
    }
    this.maxLength = max;
    for (const [byte, child] of this.children[0] ?? []) this.rootNext[byte] = child;
    // Breadth-first, so a state's failure target is complete before its children need it.
    const queue: number[] = [];
    for (const child of this.children[0]?.values() ?? []) queue.push(child);
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head] ?? 0;
      for (const [byte, child] of this.children[node] ?? []) {
        queue.push(child);
        let f = this.fail[node] ?? 0;
        while (f !== 0 && !(this.children[f]?.has(byte) ?? false)) f = this.fail[f] ?? 0;
        const target = this.children[f]?.get(byte);
        this.fail[child] = target !== undefined && target !== child ? target : 0;
        if ((this.longest[child] ?? 0) === 0)
          this.longest[child] = this.longest[this.fail[child] ?? 0] ?? 0;
      }
    }
  }

  /** The state after reading `byte` in `state`. */
  step(state: number, byte: number): number {
    let s = state;
    while (s !== 0) {
      const next = this.children[s]?.get(byte);
      if (next !== undefined) return next;
      s = this.fail[s] ?? 0;
    }
    return this.rootNext[byte] ?? 0;
  }

  /** Length of the longest pattern that ends at `state`, 0 when none does. */
  matchLength(state: number): number {
    return this.longest[state] ?? 0;
  }

  /** How many of the last bytes read are a prefix of some pattern (may still become a match). */
  depth(state: number): number {
    return this.depthOf[state] ?? 0;
  }
}
