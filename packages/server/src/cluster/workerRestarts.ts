/** A worker that dies within this long of starting counts as crashing at start, ms. */
export const QUICK_EXIT_MS = 10_000;
/** Back-off before restarting a worker that crashed at start: doubles from this, ms. */
export const RESTART_BASE_DELAY_MS = 500;
export const RESTART_MAX_DELAY_MS = 30_000;
/** A worker slot that crashed at start this many times in a row is not restarted any more. */
export const MAX_QUICK_EXITS = 5;

export type RestartDecision = { restart: true; delayMs: number } | { restart: false; quickExits: number };

/**
 * When to replace a worker that died (the primary's policy, one instance per worker slot): at once after a
 * worker that had been running a while; with a doubling delay after workers that die right after starting;
 * and not any more after MAX_QUICK_EXITS of those in a row (something is wrong that a restart does not fix).
 */
export class WorkerRestarts {
  private quickExits = 0;

  constructor(
    private readonly limits = { quickExitMs: QUICK_EXIT_MS, baseDelayMs: RESTART_BASE_DELAY_MS, maxDelayMs: RESTART_MAX_DELAY_MS, maxQuickExits: MAX_QUICK_EXITS },
  ) {}

  /** The worker exited after running `uptimeMs`: whether and when to start another. */
  exited(uptimeMs: number): RestartDecision {
    if (uptimeMs >= this.limits.quickExitMs) {
      this.quickExits = 0;
      return { restart: true, delayMs: 0 };
    }
    this.quickExits++;
    if (this.quickExits >= this.limits.maxQuickExits) return { restart: false, quickExits: this.quickExits };
    return { restart: true, delayMs: Math.min(this.limits.maxDelayMs, this.limits.baseDelayMs * 2 ** (this.quickExits - 1)) };
  }
}
