/**
 * Concurrency limits: a global parallelism cap plus named pools, both FIFO. A task
 * needs one slot of the global cap and one of its pool; waiters are served in arrival
 * order so a busy pool cannot starve tasks of another pool behind it.
 */
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** Slot limits of the engine. */
export interface SlotLimits {
  /** Tasks running at once across all pools. */
  parallelism: number;
  /** Slots per named pool; `default` is used by tasks that name no pool. */
  pools: Record<string, number>;
}

/** Default limits: Airflow's defaults (parallelism 32, default pool 128). */
export const DEFAULT_SLOT_LIMITS: SlotLimits = { parallelism: 32, pools: { default: 128 } };

interface Waiter {
  pool: string;
  grant: () => void;
  cancelled: boolean;
}

/** Hands out slots; `acquire` resolves once both a global and a pool slot are free. */
export class Slots {
  private running = 0;
  private readonly inPool = new Map<string, number>();
  private readonly limits: SlotLimits;
  private readonly waiters: Waiter[] = [];

  constructor(limits: SlotLimits) {
    if (!(limits.parallelism >= 1)) {
      throw new UpdraftError(ErrorCodes.USAGE, "parallelism must be at least 1");
    }
    for (const [name, n] of Object.entries(limits.pools)) {
      if (!Number.isInteger(n) || n < 1) {
        throw new UpdraftError(ErrorCodes.USAGE, `pool ${name} must have at least 1 slot`);
      }
    }
    this.limits = { parallelism: limits.parallelism, pools: { default: 128, ...limits.pools } };
  }

  /** True when the pool exists. */
  hasPool(pool: string): boolean {
    return Object.hasOwn(this.limits.pools, pool);
  }

  /** Takes a slot now if one is free; returns false otherwise. */
  tryAcquire(pool: string): boolean {
    // No waiter can be queued for a pool with a free slot: release() pumps synchronously.
    if (!this.free(pool)) return false;
    this.take(pool);
    return true;
  }

  /**
   * Waits for a slot. Returns a promise and a function that withdraws the request
   * (for a cancelled task); after withdrawal the promise never resolves.
   */
  acquire(pool: string): { ready: Promise<void>; withdraw: () => void } {
    if (this.tryAcquire(pool)) return { ready: Promise.resolve(), withdraw: () => {} };
    let waiter!: Waiter;
    const ready = new Promise<void>((resolve) => {
      waiter = { pool, grant: resolve, cancelled: false };
    });
    this.waiters.push(waiter);
    return {
      ready,
      withdraw: () => {
        waiter.cancelled = true;
        this.pump();
      },
    };
  }

  /** Returns a slot taken with `tryAcquire` or `acquire`. */
  release(pool: string): void {
    this.running--;
    this.inPool.set(pool, (this.inPool.get(pool) ?? 1) - 1);
    this.pump();
  }

  private free(pool: string): boolean {
    const cap = this.limits.pools[pool] ?? 0;
    return this.running < this.limits.parallelism && (this.inPool.get(pool) ?? 0) < cap;
  }

  private take(pool: string): void {
    this.running++;
    this.inPool.set(pool, (this.inPool.get(pool) ?? 0) + 1);
  }

  // Grants slots to the oldest waiters that fit; a waiter whose pool is full is passed
  // over (not blocking others), which keeps FIFO order within each pool.
  private pump(): void {
    for (let i = 0; i < this.waiters.length && this.running < this.limits.parallelism;) {
      const w = this.waiters[i]!;
      if (w.cancelled) {
        this.waiters.splice(i, 1);
        continue;
      }
      if (this.free(w.pool)) {
        this.waiters.splice(i, 1);
        this.take(w.pool);
        w.grant();
        continue;
      }
      i++;
    }
  }
}
