/** Socket errors: the database server cannot be reached or the connection broke. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/** Driver and engine codes that mean the same: MySQL/MariaDB connection loss, PostgreSQL shutting down or starting. */
const ENGINE_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_SERVER_SHUTDOWN', '57P01', '57P02', '57P03', 'SQLITE_BUSY']);
/** pg reports a connection lost mid-query by message only. */
const MESSAGES = [/^Connection terminated/, /timeout exceeded when trying to connect/, /Client has encountered a connection error/];

/** The sentence API requests answer (503) while the database cannot be reached. */
export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is not reachable; try again shortly.';

/**
 * True when `err` (or its cause, or one of an AggregateError's errors) says the database could not be
 * reached or the connection to it broke: a condition that passes, unlike a bad query.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const { code, message, cause, errors } = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || ENGINE_CODES.has(code) || code.startsWith('08'))) return true;
  if (typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message))) return true;
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}

export interface RetryOptions {
  /** Give up (rethrow) after this long, ms. */
  maxWaitMs: number;
  /** First pause between attempts, doubled up to `maxDelayMs`. */
  delayMs?: number;
  maxDelayMs?: number;
  /** Told once, at the first failure. */
  onUnavailable?: (err: unknown) => void;
}

/** Runs `work`, and again while it fails because the database is unavailable, for up to `maxWaitMs`. */
export async function retryWhileDatabaseUnavailable<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = Date.now() + options.maxWaitMs;
  let delay = options.delayMs ?? 200;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() + delay > deadline) throw err;
      if (attempt === 0) options.onUnavailable?.(err);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, options.maxDelayMs ?? 2_000);
    }
  }
}
