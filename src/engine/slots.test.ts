import { describe, expect, it } from "vitest";
import { Slots } from "./slots.js";

describe("Slots", () => {
  it("caps global parallelism", () => {
    const s = new Slots({ parallelism: 2, pools: {} });
    expect(s.tryAcquire("default")).toBe(true);
    expect(s.tryAcquire("default")).toBe(true);
    expect(s.tryAcquire("default")).toBe(false);
    s.release("default");
    expect(s.tryAcquire("default")).toBe(true);
  });

  it("caps a pool without blocking other pools", async () => {
    const s = new Slots({ parallelism: 10, pools: { gpu: 1 } });
    expect(s.tryAcquire("gpu")).toBe(true);
    const waiting = s.acquire("gpu");
    let granted = false;
    void waiting.ready.then(() => (granted = true));
    expect(s.tryAcquire("default")).toBe(true);
    await Promise.resolve();
    expect(granted).toBe(false);
    s.release("gpu");
    await Promise.resolve();
    expect(granted).toBe(true);
  });

  it("serves waiters in FIFO order and skips withdrawn ones", async () => {
    const s = new Slots({ parallelism: 1, pools: {} });
    expect(s.tryAcquire("default")).toBe(true);
    const order: string[] = [];
    const a = s.acquire("default");
    const b = s.acquire("default");
    const c = s.acquire("default");
    void a.ready.then(() => order.push("a"));
    void b.ready.then(() => order.push("b"));
    void c.ready.then(() => order.push("c"));
    b.withdraw();
    s.release("default");
    await Promise.resolve();
    s.release("default");
    await Promise.resolve();
    expect(order).toEqual(["a", "c"]);
  });

  it("refuses nonsense limits", () => {
    expect(() => new Slots({ parallelism: 0, pools: {} })).toThrow(/at least 1/);
    expect(() => new Slots({ parallelism: 1, pools: { x: 0 } })).toThrow(/pool x/);
  });

  it("knows which pools exist", () => {
    const s = new Slots({ parallelism: 1, pools: { gpu: 2 } });
    expect(s.hasPool("default")).toBe(true);
    expect(s.hasPool("gpu")).toBe(true);
    expect(s.hasPool("__proto__")).toBe(false);
  });
});
