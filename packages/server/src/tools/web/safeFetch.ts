import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent, request } from 'undici';
import type { WebSettings } from '@nanoclaw/protocol';
import { classifyAddress, createAddressAllowlist, isIpLiteral, normaliseHostname, type AddressAllowlist } from './addressPolicy.js';

/** Resolves a host name to every address it has (dns.lookup with all: true). */
export type ResolveHost = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolve: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface SafeFetchOptions {
  settings: WebSettings;
  /** DNS; tests inject a fake resolver to prove refusals and pinning. */
  resolve?: ResolveHost;
}

export interface FetchedPage {
  /** URL as asked. */
  url: string;
  /** URL of the last hop (after redirects). */
  finalUrl: string;
  status: number;
  /** Lower-case media type without parameters ("text/html"), or "" when the server sent none. */
  mediaType: string;
  /** Charset from the Content-Type header, if any. */
  charset: string | null;
  body: Buffer;
  /** True when the body was cut at the size limit. */
  truncated: boolean;
  redirects: string[];
}

/** A refusal or failure the model should read as is. */
export class WebFetchError extends Error {
  constructor(
    message: string,
    readonly kind: 'refused' | 'invalid' | 'network' | 'timeout' | 'http' | 'too_many_redirects',
  ) {
    super(message);
  }
}

export interface SafeFetcher {
  /** Fetches a URL following redirects, every hop checked by the SSRF guard and connected to the vetted address. */
  fetch(url: string, signal: AbortSignal): Promise<FetchedPage>;
  /** Checks a URL against the guard without fetching; resolves to the address that would be used. */
  vet(url: string, signal?: AbortSignal): Promise<{ url: URL; address: string; family: number }>;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function createSafeFetcher(options: SafeFetchOptions): SafeFetcher {
  const { settings } = options;
  const resolve = options.resolve ?? systemResolve;
  const allowlist: AddressAllowlist = createAddressAllowlist(settings.allow_private_hosts);

  async function vet(raw: string, signal?: AbortSignal): Promise<{ url: URL; address: string; family: number }> {
    const url = parseHttpUrl(raw);
    const hostname = normaliseHostname(url.hostname);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    let addresses: Array<{ address: string; family: number }>;
    if (isIpLiteral(hostname)) {
      addresses = [{ address: hostname, family: hostname.includes(':') ? 6 : 4 }];
    } else {
      try {
        addresses = await untilAborted(resolve(hostname), signal);
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new WebFetchError(`Cannot resolve host ${hostname}: ${describeNetworkError(error)}`, 'network');
      }
      if (addresses.length === 0) throw new WebFetchError(`Cannot resolve host ${hostname}: no addresses`, 'network');
    }
    // Every address must pass: a name with one public and one private address could be connected to either.
    for (const { address } of addresses) {
      const verdict = classifyAddress(address);
      if (!verdict.allowed && !allowlist.permits({ hostname, port, address })) {
        const via = isIpLiteral(hostname) ? '' : ` (${hostname} resolves to ${verdict.address})`;
        throw new WebFetchError(
          `Refused to fetch ${url.href}: ${verdict.address} is ${verdict.reason}${via}. ` +
            'Private, loopback, link-local and other non-public addresses are blocked; an administrator can allow one with web.allow_private_hosts.',
          'refused',
        );
      }
    }
    const first = addresses[0] as { address: string; family: number };
    return { url, address: first.address, family: first.family };
  }

  async function fetchPage(raw: string, outerSignal: AbortSignal): Promise<FetchedPage> {
    const timeout = AbortSignal.timeout(settings.timeout_ms);
    const signal = AbortSignal.any([outerSignal, timeout]);
    const redirects: string[] = [];
    let current = raw;
    try {
      for (let hop = 0; ; hop++) {
        const { url, address, family } = await vet(current, signal);
        signal.throwIfAborted();
        const agent = pinnedAgent(address, family);
        try {
          const response = await request(url, {
            method: 'GET',
            dispatcher: agent,
            signal,
            headers: {
              'user-agent': settings.user_agent,
              accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,application/json;q=0.9,*/*;q=0.5',
              'accept-encoding': 'gzip, deflate, br',
            },
          });
          const location = headerValue(response.headers.location);
          if (REDIRECT_STATUSES.has(response.statusCode) && location) {
            discard(response.body);
            if (hop >= settings.max_redirects) {
              throw new WebFetchError(`Too many redirects (more than ${settings.max_redirects}) starting at ${raw}`, 'too_many_redirects');
            }
            const next = new URL(location, url).href;
            redirects.push(next);
            current = next;
            continue;
          }
          const { mediaType, charset } = parseContentType(headerValue(response.headers['content-type']));
          const { body, truncated } = await readCapped(response.body, headerValue(response.headers['content-encoding']), settings.max_bytes);
          return { url: raw, finalUrl: url.href, status: response.statusCode, mediaType, charset, body, truncated, redirects };
        } finally {
          void agent.destroy().catch(() => undefined);
        }
      }
    } catch (error) {
      if (error instanceof WebFetchError) throw error;
      if (timeout.aborted) throw new WebFetchError(`Fetching ${current} took longer than ${settings.timeout_ms} ms`, 'timeout');
      if (outerSignal.aborted) throw new WebFetchError(`Fetching ${current} was stopped`, 'timeout');
      throw new WebFetchError(`Could not fetch ${current}: ${describeNetworkError(error)}`, 'network');
    }
  }

  return { fetch: fetchPage, vet };
}

/** dns.lookup cannot be cancelled: stop waiting for it when the request's deadline passes. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * An agent whose connections go only to the vetted address: undici asks this lookup instead of DNS,
 * so a name that resolves differently a moment later (DNS rebinding) cannot redirect the connection.
 */
function pinnedAgent(address: string, family: number): Agent {
  const lookup = (
    _hostname: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  return new Agent({ connect: { lookup }, connections: 1, pipelining: 0 });
}

function parseHttpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new WebFetchError(`Not a valid URL: ${raw}`, 'invalid');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebFetchError(`Only http and https URLs can be fetched, not ${url.protocol.replace(/:$/, '')}`, 'invalid');
  }
  if (url.username || url.password) throw new WebFetchError('URLs with a user name or password are not fetched', 'invalid');
  url.hash = '';
  return url;
}

async function readCapped(body: Readable, encoding: string | undefined, maxBytes: number): Promise<{ body: Buffer; truncated: boolean }> {
  const decoder = decoderFor(encoding);
  const source: Readable = decoder ? body.pipe(decoder) : body;
  if (decoder) body.on('error', (error) => decoder.destroy(error));
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of source) {
      const buffer = chunk as Buffer;
      if (size + buffer.length > maxBytes) {
        chunks.push(buffer.subarray(0, maxBytes - size));
        size = maxBytes;
        truncated = true;
        break;
      }
      chunks.push(buffer);
      size += buffer.length;
    }
  } finally {
    discard(body);
    if (decoder) discard(decoder);
  }
  return { body: Buffer.concat(chunks, size), truncated };
}

/** Drops a body we no longer read; the abort error undici raises for it is expected, not a failure. */
function discard(stream: Readable): void {
  stream.on('error', () => undefined);
  stream.destroy();
}

function decoderFor(encoding: string | undefined): (Readable & NodeJS.WritableStream) | null {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return null;
  }
}

export function parseContentType(header: string | undefined): { mediaType: string; charset: string | null } {
  if (!header) return { mediaType: '', charset: null };
  const [type = '', ...params] = header.split(';');
  let charset: string | null = null;
  for (const param of params) {
    const [key, value] = param.split('=');
    if (key?.trim().toLowerCase() === 'charset' && value) charset = value.trim().replace(/^"|"$/g, '');
  }
  return { mediaType: type.trim().toLowerCase(), charset };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function describeNetworkError(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err?.cause?.code ?? err?.code;
  const sentences: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'DNS lookup failed (temporary)',
    ECONNRESET: 'connection reset',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed unexpectedly',
    CERT_HAS_EXPIRED: 'the TLS certificate has expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'the TLS certificate is self-signed',
  };
  if (code && sentences[code]) return sentences[code];
  return err?.cause?.message ?? err?.message ?? String(error);
}
