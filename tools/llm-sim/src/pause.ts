import { setTimeout as sleep } from 'node:timers/promises';

/** Waits `ms` (no-op at 0); rejects with an AbortError as soon as the client goes away. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (ms > 0) await sleep(ms, undefined, { signal });
}
