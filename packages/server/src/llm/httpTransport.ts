import { Agent, request } from 'undici';

/** The few things the chat client needs from an HTTP response. */
export interface UpstreamResponse {
  status: number;
  /** Built on demand (only failure paths read headers other than content-type). */
  headers(): Headers;
  contentType: string;
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  /** Releases the connection without reading the rest of the body. */
  discard(): Promise<void>;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export type HttpTransport = (url: string, init: UpstreamRequest) => Promise<UpstreamResponse>;

/**
 * undici's `request` (Node streams) rather than `fetch` (web streams): measured here, it reaches the
 * first byte ~0.3 ms sooner and reads a long stream ~15 % faster, which matters on the hot path.
 * Timeouts are the watchdog's job, so undici's own are switched off.
 */
export function createUndiciTransport(): HttpTransport {
  const dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 10_000 });
  return async (url, init) => {
    const response = await request(url, { method: init.method, headers: init.headers, body: init.body, signal: init.signal, dispatcher });
    const raw = response.headers;
    const contentType = raw['content-type'];
    return {
      status: response.statusCode,
      headers: () => toHeaders(raw),
      contentType: (Array.isArray(contentType) ? contentType[0] : contentType) ?? '',
      body: response.body,
      text: () => response.body.text(),
      discard: async () => {
        response.body.destroy();
      },
    };
  };
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}
