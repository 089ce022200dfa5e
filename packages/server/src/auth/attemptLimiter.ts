import type { CounterStore } from '../quotas/counterStore.js';

export interface LimitDecision {
  allowed: boolean;
  /** When refused: seconds until the window ends and attempts are counted from zero again. */
  retryAfterSeconds: number;
}

/**
 * Counts attempts per key (a client address) in a window that starts with the first attempt and lasts
 * `windowMs`, and refuses those past `max`. The counters are a CounterStore (Redis or the database), so
 * every instance of the server counts together.
 */
export class AttemptLimiter {
  constructor(
    private readonly counters: CounterStore,
    /** Names the limit in the counter keys (`login`, `register`). */
    private readonly name: string,
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async attempt(key: string): Promise<LimitDecision> {
    const at = this.now();
    const { count, expiresAtMs } = await this.counters.add(`attempts:${this.name}:${key}`, 1, at + this.windowMs);
    if (count <= this.max) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((expiresAtMs - at) / 1000)) };
  }
}
