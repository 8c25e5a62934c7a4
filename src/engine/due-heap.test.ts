import { describe, expect, it } from "vitest";
import { DueHeap } from "./due-heap.js";

describe("DueHeap", () => {
  it("pops keys in due order through sets, moves and deletes (checked against a sort)", () => {
    const heap = new DueHeap();
    const model = new Map<string, number>();
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let step = 0; step < 5000; step++) {
      const key = `k${Math.floor(rand() * 300)}`;
      if (rand() < 0.2) {
        expect(heap.delete(key)).toBe(model.delete(key));
      } else {
        const due = Math.floor(rand() * 1e6);
        heap.set(key, due);
        model.set(key, due);
      }
      expect(heap.size).toBe(model.size);
      const min = Math.min(...model.values());
      if (model.size > 0) expect(heap.peek()?.due).toBe(min);
    }
    const order: number[] = [];
    while (heap.size > 0) {
      const top = heap.peek()!;
      expect(heap.dueOf(top.key)).toBe(model.get(top.key));
      order.push(top.due);
      heap.delete(top.key);
    }
    expect(order).toEqual([...model.values()].sort((a, b) => a - b));
    expect(heap.peek()).toBeUndefined();
  });
});
