/**
 * A clock that moves only when told to, for tests and benchmarks of time-driven code
 * (the scheduler, retry delays) that cannot wait for real days to pass.
 */
import type { Clock } from "./clock.js";

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A controllable Clock: `advance` runs the timers that come due, in order. */
export class ManualClock implements Clock {
  private readonly timers = new Set<Timer>();
  private seq = 0;

  constructor(private current: number) {}

  /** Milliseconds since the epoch, as set. */
  now(): number {
    return this.current;
  }

  /** Registers a timer; it runs when `advance` passes its time. */
  setTimer(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** Timers waiting to run. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, running each timer at its time and letting the promise
   * work it starts settle before the next one.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      let next: Timer | undefined;
      for (const t of this.timers) {
        if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq)))
          next = t;
      }
      if (!next) break;
      this.timers.delete(next);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
    await settle();
  }
}

// Lets queued promise callbacks and immediates run (several rounds: chains go deep).
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
