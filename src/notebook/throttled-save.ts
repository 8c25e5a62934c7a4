/**
 * Saving the executed notebook as it runs without making every cell pay for a full
 * rewrite: the first request saves at once, later ones at most once per interval (a
 * trailing save catches the last change), and `flush` saves whatever is pending now.
 * The interval grows with the cost of a save, so a large notebook is not rewritten
 * more often than it can afford.
 */

/** Options of {@link ThrottledSave}. */
export interface ThrottledSaveOptions {
  /** Shortest time between two saves; default 200 ms. */
  minIntervalMs?: number;
  /** The interval is at least this many times the duration of the last save; default 10. */
  costFactor?: number;
  now?: () => number;
}

/** Coalesces save requests; call {@link flush} once the run is over. */
export class ThrottledSave {
  readonly #save: () => void;
  readonly #minIntervalMs: number;
  readonly #costFactor: number;
  readonly #now: () => number;
  #lastAt = -Infinity;
  #lastCost = 0;
  #timer: NodeJS.Timeout | undefined;
  #error: Error | undefined;

  constructor(save: () => void, opts: ThrottledSaveOptions = {}) {
    this.#save = save;
    this.#minIntervalMs = opts.minIntervalMs ?? 200;
    this.#costFactor = opts.costFactor ?? 10;
    this.#now = opts.now ?? performance.now.bind(performance);
  }

  /** Saves now if the last save is old enough, else schedules one. */
  request(): void {
    if (this.#timer !== undefined) return;
    const wait = this.#lastAt + this.#interval() - this.#now();
    if (wait <= 0) {
      this.#run();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#run();
    }, wait);
  }

  /** Saves now (pending or not) and rethrows the first error a save raised, if any. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#run();
    if (this.#error !== undefined) throw this.#error;
  }

  /** Drops a pending save (the run ended another way); no save happens after this. */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #interval(): number {
    return Math.max(this.#minIntervalMs, this.#lastCost * this.#costFactor);
  }

  #run(): void {
    const t0 = this.#now();
    try {
      this.#save();
    } catch (err) {
      // A save from a timer has nobody to throw to: keep the first error for flush().
      this.#error ??= err instanceof Error ? err : new Error(String(err));
    }
    const t1 = this.#now();
    this.#lastAt = t1;
    this.#lastCost = t1 - t0;
  }
}
