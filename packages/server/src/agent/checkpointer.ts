/**
 * Saves a streaming answer at most once per interval, writes strictly in order, and lets the final
 * save wait for any write in flight, so a crash loses at most one interval of output.
 */
export class Checkpointer {
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly save: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Something changed: make sure a save happens within the interval. */
  schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.enqueue(this.save);
    }, this.intervalMs);
  }

  /** Save right away (e.g. before a tool runs for a long time). */
  flushNow(): Promise<void> {
    this.clearTimer();
    return this.enqueue(this.save);
  }

  /** Cancels pending saves, waits for the one in flight, then runs the final write (its failure is thrown). */
  async close(finalSave: () => Promise<void>): Promise<void> {
    this.closed = true;
    this.clearTimer();
    const final = this.chain.then(finalSave);
    this.chain = final.catch(this.onError);
    await final;
  }

  private enqueue(write: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(write).catch(this.onError);
    return this.chain;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
