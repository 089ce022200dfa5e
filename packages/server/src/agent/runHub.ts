import type { RunListener, RunSession } from './runSession.js';

/** A run as a client sees it, wherever it runs: its ids and its replayable event stream. */
export interface RunView {
  readonly id: string;
  readonly userId: string;
  readonly messageId: string;
  /** Replays events after `afterSeq`, then follows live; `onEnd` once the final event was delivered. */
  subscribe(afterSeq: number, listener: RunListener, onEnd: () => void): () => void;
}

/**
 * Where runs are coordinated: one process (RunRegistry) or several sharing Redis (RedisRunHub).
 * At most one run per conversation; any instance can re-attach to a run or stop it.
 */
export interface RunHub {
  /** Claims the conversation for a new run; throws RunConflictError while one is going. Resolves to a release. */
  reserve(conversationId: string): Promise<() => void>;
  /** Turns a reservation into a live run on this instance; `work` drives it and its promise marks the end. */
  start(session: RunSession, work: (session: RunSession) => Promise<void>): void;
  /** The running run, or the last finished one while it is retained. */
  find(conversationId: string): Promise<RunView | undefined>;
  isRunning(conversationId: string): Promise<boolean>;
  /** Stops the conversation's run wherever it runs; what it produced is kept. */
  stop(conversationId: string): Promise<{ stopped: boolean; messageId: string | null }>;
  /** Resolves once the store shared between instances answers (Redis PING); at once for a single instance. */
  ping(): Promise<void>;
  /** Interrupts this instance's runs and waits until each has stored what it produced. */
  shutdown(): Promise<void>;
}
