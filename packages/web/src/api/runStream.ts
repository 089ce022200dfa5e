import { EventSourceParserStream } from 'eventsource-parser/stream';
import { errorFrom } from './http';
import { authHeaders } from '../lib/session';

export interface RunEvent {
  id: string | undefined;
  event: string;
  data: any;
}

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
  const stream = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      let data: unknown;
      try {
        data = JSON.parse(value.data);
      } catch {
        continue;
      }
      const event = { id: value.id, event: value.event ?? 'message', data };
      if (event.event === 'done' || event.event === 'error') finished = true;
      handlers.onEvent(event);
    }
  } catch (err) {
    if (signal.aborted) return finished ? 'finished' : 'cut';
    if (!finished) return 'cut';
    throw err;
  } finally {
    reader.releaseLock?.();
  }
  return finished ? 'finished' : 'cut';
}
