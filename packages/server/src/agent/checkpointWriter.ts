import type { AssistantContent } from '@nanoclaw/protocol';

export type SaveBatch = (items: Array<{ id: string; content: AssistantContent }>) => Promise<void>;

/**
 * Saves the growing answers of all running runs together: once per interval, every answer that
 * changed is written in one batch (one transaction), so 200 concurrent runs cost two commits a second,
 * not hundreds. A crash loses at most one interval of output. Writes never overlap and keep their order.
 */
export class CheckpointWriter {
  private readonly dirty = new Map<string, () => AssistantContent>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly intervalMs: number,
    private readonly saveBatch: SaveBatch,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The answer `id` changed; `snapshot` gives its current content when the batch is written. */
  mark(id: string, snapshot: () => AssistantContent): void {
    this.dirty.set(id, snapshot);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.intervalMs);
    }
  }

  /** Writes everything pending now (e.g. before a tool that may run long). */
  flush(): Promise<void> {
    const items = [...this.dirty].map(([id, snapshot]) => ({ id, content: snapshot() }));
    this.dirty.clear();
    if (items.length === 0) return this.inFlight;
    this.inFlight = this.inFlight.then(() => this.saveBatch(items)).catch(this.onError);
    return this.inFlight;
  }

  /** The run of `id` is ending: drop its pending save and wait until no batch is being written. */
  async release(id: string): Promise<void> {
    this.dirty.delete(id);
    await this.inFlight;
  }

  /** Stops the timer (server shutdown); pending saves are superseded by the runs' final writes. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
