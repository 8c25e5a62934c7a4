/**
 * Slows down password guessing: after `maxFailures` failed logins for one username from
 * one client address within `windowMs`, further attempts for that pair are refused until
 * the oldest failure leaves the window. Checked before the password is hashed, so a
 * blocked guesser costs no scrypt work. In memory: a restart forgets it (acceptable, the
 * window is minutes), and the number of tracked pairs is capped so a flood of invented
 * usernames cannot grow memory without bound.
 */

/** Options of LoginRateLimiter. */
export interface LoginRateLimiterOptions {
  /** Failures allowed within the window (default 5). */
  maxFailures?: number;
  /** Length of the window in ms (default 15 minutes). */
  windowMs?: number;
  /** Most username+address pairs tracked; the least recently failed are forgotten first (default 10,000). */
  maxEntries?: number;
  /** Clock in ms since the epoch (default Date.now). */
  now?: () => number;
}

/** Failed-login counting per username and client address. */
export class LoginRateLimiter {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Failure times per key, oldest first; Map order = least recently failed first. */
  private readonly failures = new Map<string, number[]>();

  constructor(options: LoginRateLimiterOptions = {}) {
    this.maxFailures = Math.max(1, options.maxFailures ?? 5);
    this.windowMs = Math.max(1, options.windowMs ?? 15 * 60_000);
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
    this.now = options.now ?? Date.now;
  }

  /** Seconds until `username` may try again from `address`; 0 when it may now. */
  retryAfterSeconds(username: string, address: string): number {
    const times = this.live(key(username, address));
    if (times.length < this.maxFailures) return 0;
    const oldest = times[times.length - this.maxFailures] ?? 0;
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }

  /** Records a failed login. */
  recordFailure(username: string, address: string): void {
    const k = key(username, address);
    const times = this.live(k);
    times.push(this.now());
    // Only the newest maxFailures matter for the decision.
    if (times.length > this.maxFailures) times.splice(0, times.length - this.maxFailures);
    this.failures.delete(k);
    this.failures.set(k, times);
    while (this.failures.size > this.maxEntries) {
      const first = this.failures.keys().next();
      if (first.done === true) break;
      this.failures.delete(first.value);
    }
  }

  /** Forgets the failures of a pair after a successful login. */
  recordSuccess(username: string, address: string): void {
    this.failures.delete(key(username, address));
  }

  /** Number of pairs currently tracked (for tests and metrics). */
  get size(): number {
    return this.failures.size;
  }

  private live(k: string): number[] {
    const times = this.failures.get(k);
    if (times === undefined) return [];
    const cutoff = this.now() - this.windowMs;
    const kept = times.filter((t) => t > cutoff);
    if (kept.length === 0) this.failures.delete(k);
    else this.failures.set(k, kept);
    return kept;
  }
}

function key(username: string, address: string): string {
  // Bounded so a 1 MB "username" does not become a 1 MB map key.
  return `${username.slice(0, 128).toLowerCase()}\u0000${address.slice(0, 64)}`;
}
