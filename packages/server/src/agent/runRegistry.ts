import { RunSession } from './runSession.js';
import { SHUTDOWN_REASON } from './runAgent.js';

export class RunConflictError extends Error {
  override name = 'RunConflictError';
}

/**
 * The runs in flight on this server, one per conversation at most, plus recently finished ones
 * that clients may still re-attach to for a while.
 */
export class RunRegistry {
  private readonly active = new Map<string, RunSession>();
  private readonly reserved = new Set<string>();
  private readonly recent = new Map<string, { session: RunSession; timer: NodeJS.Timeout }>();
  private readonly completions = new Set<Promise<unknown>>();

  constructor(private readonly retentionMs: number) {}

  /**
   * Claims the conversation synchronously, before any I/O, so two simultaneous requests cannot both
   * start a run. Throws RunConflictError when a run is already going.
   */
  reserve(conversationId: string): () => void {
    if (this.active.has(conversationId) || this.reserved.has(conversationId)) {
      throw new RunConflictError('A reply is still being generated in this conversation. Stop it or wait for it to finish.');
    }
    this.reserved.add(conversationId);
    return () => this.reserved.delete(conversationId);
  }

  /** Turns a reservation into a live session; `work` drives it and its promise marks the end. */
  start(session: RunSession, work: (session: RunSession) => Promise<void>): void {
    this.reserved.delete(session.conversationId);
    this.active.set(session.conversationId, session);
    this.forgetRecent(session.conversationId);
    const done = work(session).finally(() => {
      this.active.delete(session.conversationId);
      this.completions.delete(done);
      this.keepRecent(session);
    });
    this.completions.add(done);
  }

  /** The running session, or the last finished one while it is retained. */
  find(conversationId: string): RunSession | undefined {
    return this.active.get(conversationId) ?? this.recent.get(conversationId)?.session;
  }

  isRunning(conversationId: string): boolean {
    return this.active.has(conversationId) || this.reserved.has(conversationId);
  }

  /** Stops the conversation's run; resolves once it is stored. False when nothing was running. */
  stop(conversationId: string): boolean {
    const session = this.active.get(conversationId);
    if (!session) return false;
    session.controller.abort('stop');
    return true;
  }

  get size(): number {
    return this.active.size;
  }

  /** Interrupts every run and waits until each has stored what it produced. */
  async shutdown(): Promise<void> {
    for (const session of this.active.values()) session.controller.abort(SHUTDOWN_REASON);
    await Promise.allSettled([...this.completions]);
    for (const { timer } of this.recent.values()) clearTimeout(timer);
    this.recent.clear();
  }

  private keepRecent(session: RunSession): void {
    if (this.retentionMs <= 0) return;
    const timer = setTimeout(() => this.recent.delete(session.conversationId), this.retentionMs);
    timer.unref();
    this.recent.set(session.conversationId, { session, timer });
  }

  private forgetRecent(conversationId: string): void {
    const entry = this.recent.get(conversationId);
    if (entry) clearTimeout(entry.timer);
    this.recent.delete(conversationId);
  }
}
