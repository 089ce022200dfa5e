import type { WebSettings } from '@nanoclaw/protocol';
import type { ToolDefinition } from '../types.js';
import type { SafeFetcher } from '../web/safeFetch.js';
import { createSemaphore } from '../createSemaphore.js';
import { errorMessage } from '../toolOutput.js';
import { CONVERSION_MARGIN_MS, fetchReadable } from './fetchPage.js';
import type { ConvertHtml, ReadablePage } from '../web/pageToMarkdown.js';

export interface CrawlBatchArgs {
  urls: string[];
  max_chars_per_page?: number;
}

export type CrawlItem = ({ success: true } & ReadablePage) | { success: false; url: string; error: string };

export interface CrawlBatchResult {
  results: CrawlItem[];
  succeeded: number;
  failed: number;
}

const DEFAULT_CHARS_PER_PAGE = 8_000;

/** Fetches several URLs at once (bounded by web.crawl_concurrency); one URL failing does not fail the others. */
export function createCrawlBatchTool(
  fetcher: SafeFetcher,
  settings: Pick<WebSettings, 'crawl_max_urls' | 'crawl_concurrency'> & Partial<Pick<WebSettings, 'timeout_ms'>>,
  convert?: ConvertHtml,
): ToolDefinition<CrawlBatchArgs> {
  const waves = Math.ceil(settings.crawl_max_urls / settings.crawl_concurrency);
  return {
    name: 'crawl_batch',
    category: 'web',
    cacheable: true,
    // Enough for the largest batch: each wave of crawl_concurrency pages has its own web.timeout_ms.
    ...(settings.timeout_ms !== undefined ? { timeoutMs: waves * (settings.timeout_ms + CONVERSION_MARGIN_MS) } : {}),
    description:
      `Fetch several web pages at once (up to ${settings.crawl_max_urls}) and return each one's readable content as ` +
      'Markdown, in the order given. A URL that fails (blocked, unreachable, binary) gets its own error without ' +
      'stopping the others. Use it to compare or summarise several pages.',
    parameters: {
      type: 'object',
      properties: {
        urls: {
          type: 'array',
          items: { type: 'string', minLength: 1, maxLength: 4096 },
          minItems: 1,
          maxItems: settings.crawl_max_urls,
          description: 'Absolute http(s) URLs.',
        },
        max_chars_per_page: {
          type: 'integer',
          minimum: 100,
          maximum: 50_000,
          default: DEFAULT_CHARS_PER_PAGE,
          description: `Longest content returned per page, in characters (default ${DEFAULT_CHARS_PER_PAGE}).`,
        },
      },
      required: ['urls'],
      additionalProperties: false,
    },
    handler: async ({ urls, max_chars_per_page }, ctx): Promise<CrawlBatchResult> => {
      const semaphore = createSemaphore(settings.crawl_concurrency);
      const maxChars = max_chars_per_page ?? DEFAULT_CHARS_PER_PAGE;
      const results = await Promise.all(
        urls.map(async (url): Promise<CrawlItem> => {
          const release = await semaphore.acquire();
          try {
            return { success: true, ...(await fetchReadable(fetcher, url, maxChars, ctx.signal, convert)) };
          } catch (error) {
            return { success: false, url, error: errorMessage(error) };
          } finally {
            release();
          }
        }),
      );
      const succeeded = results.filter((item) => item.success).length;
      return { results, succeeded, failed: results.length - succeeded };
    },
  };
}
