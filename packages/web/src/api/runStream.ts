import { errorFrom } from './http';
import { authHeaders } from '../lib/session';
import { readJsonEvents, type JsonSseEvent } from './sseEvents';

export type RunEvent = JsonSseEvent;

export interface RunStreamHandlers {
  onEvent(event: RunEvent): void;
}

/** How a stream ended: the run finished (`done`/`error` seen), or the connection ended first. */
export type StreamEnd = 'finished' | 'cut';

/**
 * Opens an agent run's event stream (the POST that starts it, or GET /stream to re-attach) and
 * feeds each event to the handler as it arrives. Throws ApiError when the server refuses.
 */
export async function openRunStream(url: string, init: RequestInit, handlers: RunStreamHandlers, signal: AbortSignal): Promise<StreamEnd> {
  const res = await fetch(url, { ...init, signal, headers: { accept: 'text/event-stream', ...(init.headers as Record<string, string> | undefined), ...authHeaders() } });
  if (!res.ok || !res.body) throw await errorFrom(res);
  let finished = false;
  try {
    for await (const event of readJsonEvents(res.body)) {
      if (event.event === 'done' || event.event === 'error') finished = true;
      handlers.onEvent(event);
    }
  } catch (err) {
    if (signal.aborted) return finished ? 'finished' : 'cut';
    if (!finished) return 'cut';
    throw err;
  }
  return finished ? 'finished' : 'cut';
}
