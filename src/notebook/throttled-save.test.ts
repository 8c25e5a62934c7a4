import { describe, expect, it } from "vitest";
import { ThrottledSave } from "./throttled-save.js";

/** A controllable clock; each save "takes" `cost` ms of it. */
function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("throttled save", () => {
  it("saves the first request at once and coalesces the rest into one trailing save", async () => {
    const c = clock();
    let saves = 0;
    const saver = new ThrottledSave(() => saves++, { minIntervalMs: 30, now: c.now });
    saver.request();
    expect(saves).toBe(1);
    saver.request();
    saver.request();
    expect(saves).toBe(1);
    c.advance(30);
    await new Promise((r) => setTimeout(r, 60));
    expect(saves).toBe(2);
    saver.request();
    saver.flush();
    expect(saves).toBe(3);
    await new Promise((r) => setTimeout(r, 60));
    expect(saves).toBe(3); // flush dropped the pending trailing save
  });

  it("spaces saves by ten times their cost", () => {
    const c = clock();
    let saves = 0;
    const saver = new ThrottledSave(
      () => {
        saves++;
        c.advance(50); // a 50 ms save: the next waits 500 ms, not 30
      },
      { minIntervalMs: 30, now: c.now },
    );
    saver.request();
    c.advance(100);
    saver.request();
    expect(saves).toBe(1);
    saver.cancel();
    c.advance(400);
    saver.request();
    expect(saves).toBe(2);
  });

  it("keeps a failed save's error for flush, which always tries to save once more", () => {
    let calls = 0;
    const saver = new ThrottledSave(() => {
      calls++;
      if (calls === 1) throw new Error("disk full");
    });
    saver.request();
    expect(() => saver.flush()).toThrow("disk full");
    expect(calls).toBe(2);
  });
});
