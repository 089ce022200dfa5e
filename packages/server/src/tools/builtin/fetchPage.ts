import type { ToolDefinition } from '../types.js';
import type { SafeFetcher } from '../web/safeFetch.js';
import { pageToMarkdown, type ConvertHtml, type ReadablePage } from '../web/pageToMarkdown.js';

export interface FetchPageArgs {
  url: string;
  max_chars?: number;
}

export const DEFAULT_PAGE_CHARS = 20_000;
export const MAX_PAGE_CHARS = 100_000;

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

export function createFetchPageTool(fetcher: SafeFetcher, requestTimeoutMs?: number, convert?: ConvertHtml): ToolDefinition<FetchPageArgs> {
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
    parameters: {
      type: 'object',
      properties: {
        url: { type: 'string', minLength: 1, maxLength: 4096, description: 'The absolute http(s) URL to fetch.' },
        max_chars: {
          type: 'integer',
          minimum: 100,
          maximum: MAX_PAGE_CHARS,
          default: DEFAULT_PAGE_CHARS,
          description: `Longest content to return, in characters (default ${DEFAULT_PAGE_CHARS}).`,
        },
      },
      required: ['url'],
      additionalProperties: false,
    },
    handler: ({ url, max_chars }, ctx) => fetchReadable(fetcher, url, max_chars ?? DEFAULT_PAGE_CHARS, ctx.signal, convert),
  };
}
