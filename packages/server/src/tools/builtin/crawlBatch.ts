import { z } from 'zod';
import type { WebSettings } from '@nanoclaw/protocol';
import type { ZodToolDefinition } from '../types.js';
import type { SafeFetcher } from '../web/safeFetch.js';
import { createSemaphore } from '../createSemaphore.js';
import { errorMessage } from '../toolOutput.js';
import { CONVERSION_MARGIN_MS, fetchReadable } from './fetchPage.js';
import type { ConvertHtml, ReadablePage } from '../web/pageToMarkdown.js';

const DEFAULT_CHARS_PER_PAGE = 8_000;

const crawlBatchArguments = (maxUrls: number) =>
  z.strictObject({
    urls: z.array(z.string().min(1).max(4096)).min(1).max(maxUrls).describe('Absolute http(s) URLs.'),
    max_chars_per_page: z
      .int()
      .min(100)
      .max(50_000)
      .default(DEFAULT_CHARS_PER_PAGE)
      .describe(`Longest content returned per page, in characters (default ${DEFAULT_CHARS_PER_PAGE}).`),
  });

export type CrawlBatchArgs = z.infer<ReturnType<typeof crawlBatchArguments>>;

export type CrawlItem = ({ success: true } & ReadablePage) | { success: false; url: string; error: string };

export interface CrawlBatchResult {
  results: CrawlItem[];
  succeeded: number;
  failed: number;
}

/** Fetches several URLs at once (bounded by web.crawl_concurrency); one URL failing does not fail the others. */
export function createCrawlBatchTool(
  fetcher: SafeFetcher,
  settings: Pick<WebSettings, 'crawl_max_urls' | 'crawl_concurrency'> & Partial<Pick<WebSettings, 'timeout_ms'>>,
  convert?: ConvertHtml,
): ZodToolDefinition<CrawlBatchArgs> {
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
    arguments: crawlBatchArguments(settings.crawl_max_urls),
    handler: async ({ urls, max_chars_per_page }, ctx): Promise<CrawlBatchResult> => {
      const semaphore = createSemaphore(settings.crawl_concurrency);
      const maxChars = max_chars_per_page;
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
