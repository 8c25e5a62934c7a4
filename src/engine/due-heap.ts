/**
 * A min-heap of keys by due time with replace and remove by key, so a scheduler with
 * 10,000 workflows keeps one timer for the earliest and does O(log n) work per change.
 */

interface Entry {
  key: string;
  due: number;
}

/** Keys ordered by due time (milliseconds); each key at most once. */
export class DueHeap {
  private readonly items: Entry[] = [];
  private readonly index = new Map<string, number>();

  /** Number of keys. */
  get size(): number {
    return this.items.length;
  }

  /** Sets or moves `key` to `due`. */
  set(key: string, due: number): void {
    const at = this.index.get(key);
    if (at === undefined) {
      this.items.push({ key, due });
      this.index.set(key, this.items.length - 1);
      this.up(this.items.length - 1);
      return;
    }
    const entry = this.items[at]!;
    const earlier = due < entry.due;
    entry.due = due;
    if (earlier) this.up(at);
    else this.down(at);
  }

  /** Removes `key`; false when it was not there. */
  delete(key: string): boolean {
    const at = this.index.get(key);
    if (at === undefined) return false;
    const last = this.items.pop()!;
    this.index.delete(key);
    if (at < this.items.length) {
      this.items[at] = last;
      this.index.set(last.key, at);
      this.down(at);
      this.up(at);
    }
    return true;
  }

  /** The earliest entry, without removing it. */
  peek(): { key: string; due: number } | undefined {
    const top = this.items[0];
    return top ? { key: top.key, due: top.due } : undefined;
  }

  /** The due time of `key`, if present. */
  dueOf(key: string): number | undefined {
    const at = this.index.get(key);
    return at === undefined ? undefined : this.items[at]!.due;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.items[parent]!.due <= this.items[i]!.due) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && this.items[l]!.due < this.items[min]!.due) min = l;
      if (r < n && this.items[r]!.due < this.items[min]!.due) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }

  private swap(a: number, b: number): void {
    const x = this.items[a]!;
    const y = this.items[b]!;
    this.items[a] = y;
    this.items[b] = x;
    this.index.set(y.key, a);
    this.index.set(x.key, b);
  }
}
