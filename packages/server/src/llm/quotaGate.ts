import { LlmError } from './llmError.js';

/**
 * Per-user quotas, as the chat client sees them: asked before every model request made for a user
 * (chat rounds, regenerate, sub-agents, the API relay), told the tokens each one used.
 */
export interface QuotaGate {
  /** Throws QuotaExceededError when one of the user's limits is used up; otherwise counts the request. */
  admit(userId: string): Promise<void>;
  /**
   * Adds the tokens (prompt + completion) a finished request used to the user's counters. Never
   * rejects; the caller need not wait for it (the user's next `admit` does).
   */
  record(userId: string, tokens: number): Promise<void>;
}

/** A user's limit is used up: the sentence says which and when it resets. */
export class QuotaExceededError extends LlmError {
  constructor(
    message: string,
    readonly limit: 'tokens_per_day' | 'tokens_per_month' | 'requests_per_minute',
    /** When the limit's window ends. */
    readonly resetsAt: Date,
    /** Whole seconds until then, at least 1 (the `Retry-After` header). */
    readonly retryAfterSeconds: number,
  ) {
    super('quota', message, { status: 429 });
  }
}
