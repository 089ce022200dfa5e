/**
 * Renders the items of a list one at a time in the browser's idle periods (requestIdleCallback), so that
 * the frames of a fast scroll are never made long by them: in each idle period, as many items as the time
 * left allows, judged by what the last ones cost. No DOM here: useVirtualList says what to render next
 * and how.
 */

export interface IdleDeadlineLike {
  timeRemaining(): number;
}

export interface IdleScheduler {
  /** Calls `callback` in the next idle period; a handle for `cancel`. */
  request(callback: (deadline: IdleDeadlineLike) => void): number;
  cancel(handle: number): void;
  /** A clock in milliseconds. */
  now(): number;
}

export interface IdleWork {
  /** The next item to render; null when there is none. */
  next(): string | null;
  /** Renders it; resolves once it is in the DOM. */
  render(key: string): Promise<void>;
}

/** An item needs this many times what rendering one takes (its layout and paint come after it). */
const COST_FACTOR = 1.5;
/** Whatever an item cost before, one starts once an idle period has this much time left (the longest is 50 ms). */
const MAX_NEEDED_MS = 30;
/** What rendering an item takes is the median of this many of the latest (a first render or a GC pause does not count for long). */
const COSTS_KEPT = 5;

export class IdleRenderer {
  private handle: number | null = null;
  private running = false;
  private stopped = false;
  /** What rendering the latest items took, in ms. */
  private readonly costs: number[];

  constructor(
    private readonly work: IdleWork,
    private readonly scheduler: IdleScheduler = browserIdleScheduler(),
    initialCostMs = 4,
  ) {
    this.costs = [initialCostMs];
  }

  /** Asks for an idle period if there is something to render and none is asked for already. */
  schedule(): void {
    if (this.stopped || this.handle !== null || this.running || this.work.next() === null) return;
    this.handle = this.scheduler.request((deadline) => void this.run(deadline));
  }

  /** The time an idle period must have left for the next item to be started in it, in ms. */
  needed(): number {
    const sorted = [...this.costs].sort((a, b) => a - b);
    return Math.min(MAX_NEEDED_MS, COST_FACTOR * sorted[sorted.length >> 1]!);
  }

  stop(): void {
    this.stopped = true;
    if (this.handle !== null) this.scheduler.cancel(this.handle);
    this.handle = null;
  }

  private async run(deadline: IdleDeadlineLike): Promise<void> {
    this.handle = null;
    this.running = true;
    try {
      for (let key = this.work.next(); key !== null && !this.stopped; key = this.work.next()) {
        if (deadline.timeRemaining() < this.needed()) break;
        const started = this.scheduler.now();
        await this.work.render(key);
        this.costs.push(this.scheduler.now() - started);
        if (this.costs.length > COSTS_KEPT) this.costs.shift();
      }
    } finally {
      this.running = false;
    }
    this.schedule();
  }
}

/** requestIdleCallback where there is one; elsewhere a timer standing in for an idle period of 10 ms. */
export function browserIdleScheduler(): IdleScheduler {
  const now = () => (typeof performance === 'object' ? performance.now() : Date.now());
  if (typeof requestIdleCallback === 'function') {
    return { request: (callback) => requestIdleCallback(callback), cancel: (handle) => cancelIdleCallback(handle), now };
  }
  return {
    request: (callback) =>
      setTimeout(() => {
        const until = now() + 10;
        callback({ timeRemaining: () => Math.max(0, until - now()) });
      }, 0) as unknown as number,
    cancel: (handle) => clearTimeout(handle),
    now,
  };
}
