import { describeNetworkError } from './safeFetch.js';

/** The fetch used to reach configured services (search backends, weather); tests inject one or point the config at local servers. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpGetOptions {
  /** Who is being asked, for sentences: "The searxng search backend at http://…". */
  service: string;
  timeoutMs: number;
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** Largest body read, bytes. */
  maxBytes?: number;
}

export interface HttpGetResult {
  status: number;
  contentType: string;
  text: string;
}

const DEFAULT_MAX_BYTES = 5_000_000;

/** GET with a deadline and a size cap; failures become sentences naming the service. */
export async function httpGet(fetchImpl: FetchLike, url: string, options: HttpGetOptions): Promise<HttpGetResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  try {
    const response = await fetchImpl(url, { method: 'GET', headers: options.headers, signal, redirect: 'follow' });
    const text = await readText(response, options.maxBytes ?? DEFAULT_MAX_BYTES);
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
  } catch (error) {
    if (error instanceof TooLargeError) throw new Error(`${options.service} sent an answer larger than ${error.maxBytes} bytes`);
    if (timeout.aborted) throw new Error(`${options.service} did not answer within ${options.timeoutMs} ms`);
    if (options.signal.aborted) throw new Error(`The request to ${options.service} was stopped`);
    throw new Error(`${options.service} could not be reached: ${describeNetworkError(error)}`);
  }
}

class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`larger than ${maxBytes} bytes`);
  }
}

async function readText(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new TooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJsonBody(text: string, service: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${service} answered with something that is not JSON`);
  }
}
