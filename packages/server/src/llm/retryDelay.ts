export interface RetrySettings {
  retry_base_ms: number;
  retry_max_ms: number;
}

/**
 * How long to wait before retry number `attempt` (0-based): the server's own hint when it gave
 * one, else exponential backoff with jitter; never more than `retry_max_ms`.
 */
export function retryDelayMs(
  attempt: number,
  settings: RetrySettings,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, settings.retry_max_ms);
  const ceiling = Math.min(settings.retry_base_ms * 2 ** attempt, settings.retry_max_ms);
  // Half fixed, half random, so that clients throttled together do not retry in lockstep.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The wait a 429/5xx answer asks for: `retry-after-ms`, or `Retry-After` in seconds or as an HTTP date. */
export function parseRetryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const retryAfter = headers.get('retry-after')?.trim();
  if (!retryAfter) return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number.parseFloat(retryAfter) * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
