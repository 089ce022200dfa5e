export interface LimitDecision {
  allowed: boolean;
  /** When refused: seconds until the oldest counted attempt leaves the window. */
  retryAfterSeconds: number;
}

/**
 * Counts attempts per key (a client address) over the last `windowMs` and refuses the one that would
 * exceed `max`. Refused attempts are not counted, so a client that waits gets in again on time.
 */
export class SlidingWindowLimiter {
  private readonly attempts = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  attempt(key: string): LimitDecision {
    const at = this.now();
    this.sweep(at);
    const since = at - this.windowMs;
    const recent = (this.attempts.get(key) ?? []).filter((time) => time > since);
    if (recent.length >= this.max) {
      this.attempts.set(key, recent);
      const oldest = recent[0] ?? at;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.windowMs - at) / 1000)) };
    }
    recent.push(at);
    this.attempts.set(key, recent);
    return { allowed: true, retryAfterSeconds: 0 };
  }

  /** Forgets keys with no attempt in the window, at most once a window, so the map cannot grow without bound. */
  private sweep(at: number): void {
    if (at - this.lastSweep < this.windowMs) return;
    this.lastSweep = at;
    for (const [key, times] of this.attempts) {
      if ((times.at(-1) ?? 0) <= at - this.windowMs) this.attempts.delete(key);
    }
  }
}
