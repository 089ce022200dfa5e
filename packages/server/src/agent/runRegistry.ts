import type { RunSession } from './runSession.js';
import type { RunHub, RunView } from './runHub.js';
import { SHUTDOWN_REASON } from './runAgent.js';

/** What finished runs may keep for re-attaching: for how long, and at most how many and how many bytes of logs. */
export interface RunRetention {
  /** How long a finished run stays re-attachable, ms (0: not at all). */
  ms: number;
  /** Most finished runs kept; the oldest is let go first. */
  maxRuns: number;
  /** Most bytes of their event logs kept (see RunSession.logBytes); the oldest are let go first. */
  maxBytes: number;
}

export class RunConflictError extends Error {
  override name = 'RunConflictError';
}

/**
 * The runs in flight on this server, one per conversation at most, plus recently finished ones
 * that clients may still re-attach to for a while. On its own it is the single-instance RunHub;
 * RedisRunHub uses it for the runs of its own instance.
 */
export class RunRegistry implements RunHub {
  private readonly active = new Map<string, RunSession>();
  private readonly reserved = new Set<string>();
  /** Finished runs still re-attachable, oldest first (Map keeps insertion order). */
  private readonly recent = new Map<string, { session: RunSession; timer: NodeJS.Timeout; bytes: number }>();
  private recentBytes = 0;
  private readonly completions = new Set<Promise<unknown>>();
  private readonly retention: RunRetention;

  /** `retention` as a number: that many ms, with no bound on count or bytes. */
  constructor(retention: number | RunRetention) {
    this.retention = typeof retention === 'number' ? { ms: retention, maxRuns: Infinity, maxBytes: Infinity } : retention;
  }

  /**
   * Claims the conversation synchronously, before any I/O, so two simultaneous requests cannot both
   * start a run. Throws RunConflictError when a run is already going.
   */
  async reserve(conversationId: string): Promise<() => void> {
    return this.reserveNow(conversationId);
  }

  /** The synchronous check-and-claim behind reserve(). */
  reserveNow(conversationId: string): () => void {
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

  async find(conversationId: string): Promise<RunView | undefined> {
    return this.findLocal(conversationId);
  }

  /** The running session of this instance, or its last finished one while it is retained. */
  findLocal(conversationId: string): RunSession | undefined {
    return this.active.get(conversationId) ?? this.recent.get(conversationId)?.session;
  }

  async isRunning(conversationId: string): Promise<boolean> {
    return this.isRunningLocally(conversationId);
  }

  isRunningLocally(conversationId: string): boolean {
    return this.active.has(conversationId) || this.reserved.has(conversationId);
  }

  async stop(conversationId: string): Promise<{ stopped: boolean; messageId: string | null }> {
    const session = this.stopLocal(conversationId);
    return { stopped: Boolean(session), messageId: session?.messageId ?? null };
  }

  /** Aborts this instance's run of the conversation (the run then stores what it produced). */
  stopLocal(conversationId: string): RunSession | undefined {
    const session = this.active.get(conversationId);
    session?.controller.abort('stop');
    return session;
  }

  /** Conversations with a run going on this instance. */
  activeConversationIds(): string[] {
    return [...this.active.keys()];
  }

  get size(): number {
    return this.active.size;
  }

  /** Interrupts every run and waits until each has stored what it produced. */
  async ping(): Promise<void> {}

  async shutdown(): Promise<void> {
    for (const session of this.active.values()) session.controller.abort(SHUTDOWN_REASON);
    await Promise.allSettled([...this.completions]);
    for (const { timer } of this.recent.values()) clearTimeout(timer);
    this.recent.clear();
    this.recentBytes = 0;
  }

  /** Finished runs kept for re-attaching, and roughly how many bytes their logs hold. */
  retained(): { runs: number; bytes: number } {
    return { runs: this.recent.size, bytes: this.recentBytes };
  }

  /**
   * Keeps a finished run re-attachable for a while, then lets the oldest go while more runs or bytes are kept
   * than allowed. A client re-attaching to a run let go gets 404 and reads the stored answer instead.
   */
  private keepRecent(session: RunSession): void {
    const { ms, maxRuns, maxBytes } = this.retention;
    if (ms <= 0 || maxRuns <= 0) return;
    const bytes = session.logBytes();
    if (bytes > maxBytes) return;
    const timer = setTimeout(() => this.forgetRecent(session.conversationId), ms);
    timer.unref();
    this.recent.set(session.conversationId, { session, timer, bytes });
    this.recentBytes += bytes;
    for (const conversationId of this.recent.keys()) {
      if (this.recent.size <= maxRuns && this.recentBytes <= maxBytes) break;
      this.forgetRecent(conversationId);
    }
  }

  private forgetRecent(conversationId: string): void {
    const entry = this.recent.get(conversationId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.recentBytes -= entry.bytes;
    this.recent.delete(conversationId);
  }
}
