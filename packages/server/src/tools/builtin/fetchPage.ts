import { z } from 'zod';
import type { ZodToolDefinition } from '../types.js';
import type { SafeFetcher } from '../web/safeFetch.js';
import { pageToMarkdown, type ConvertHtml, type ReadablePage } from '../web/pageToMarkdown.js';

export const DEFAULT_PAGE_CHARS = 20_000;
export const MAX_PAGE_CHARS = 100_000;

const fetchPageArguments = z.strictObject({
  url: z.string().min(1).max(4096).describe('The absolute http(s) URL to fetch.'),
  max_chars: z
    .int()
    .min(100)
    .max(MAX_PAGE_CHARS)
    .default(DEFAULT_PAGE_CHARS)
    .describe(`Longest content to return, in characters (default ${DEFAULT_PAGE_CHARS}).`),
});

export type FetchPageArgs = z.infer<typeof fetchPageArguments>;

/** Fetches one URL through the SSRF guard and returns it as Markdown (HTML) or text. */
export async function fetchReadable(fetcher: SafeFetcher, url: string, maxChars: number, signal: AbortSignal, convert?: ConvertHtml): Promise<ReadablePage> {
  const page = await fetcher.fetch(url, signal);
  const readable = await pageToMarkdown(page, maxChars, convert);
  if (page.status >= 400) {
    readable.notes = [`The server answered HTTP ${page.status}; the content is its error page.`, ...(readable.notes ?? [])];
  }
  return readable;
}

/** Extra time beyond web.timeout_ms for turning a large page into Markdown. */
export const CONVERSION_MARGIN_MS = 10_000;

export function createFetchPageTool(fetcher: SafeFetcher, requestTimeoutMs?: number, convert?: ConvertHtml): ZodToolDefinition<FetchPageArgs> {
  return {
    name: 'fetch_page',
    category: 'web',
    cacheable: true,
    // The fetch has its own deadline (web.timeout_ms); the executor's must not cut it short.
    ...(requestTimeoutMs !== undefined ? { timeoutMs: requestTimeoutMs + CONVERSION_MARGIN_MS } : {}),
    description:
      'Fetch a web page (http/https) and return its readable content as Markdown: the main article text when one is ' +
      'found, otherwise the page body. Plain text, JSON, XML and other text types are returned as they are; images and ' +
      'other binary files are refused. Private and local network addresses are blocked. Use it to read a URL the user ' +
      'gave or one found with web_search.',
    arguments: fetchPageArguments,
    handler: ({ url, max_chars }, ctx) => fetchReadable(fetcher, url, max_chars, ctx.signal, convert),
  };
}
