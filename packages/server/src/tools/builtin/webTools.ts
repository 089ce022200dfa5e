import type { SearchSettings, WeatherSettings, WebSettings } from '@nanoclaw/protocol';
import type { ToolRegistry } from '../toolRegistry.js';
import type { FetchLike } from '../web/httpGet.js';
import { createSafeFetcher, type ResolveHost } from '../web/safeFetch.js';
import { CONVERSION_MARGIN_MS, createFetchPageTool } from './fetchPage.js';
import { createHtmlConverter } from '../web/pageToMarkdown.js';
import { createCrawlBatchTool } from './crawlBatch.js';
import { createWebSearchTool } from './webSearch.js';
import { createWeatherTool } from './weather.js';

export interface WebToolDeps {
  web: WebSettings;
  search: SearchSettings;
  weather: WeatherSettings;
  /** DNS for the SSRF guard of fetch_page / crawl_batch (system resolver by default). */
  resolve?: ResolveHost;
  /** Transport to the configured search and weather services (global fetch by default). */
  fetch?: FetchLike;
}

/** fetch_page and crawl_batch share one SSRF-guarded fetcher; web_search and get_weather talk to configured services. */
export function registerWebTools(registry: ToolRegistry, deps: WebToolDeps): void {
  const fetcher = createSafeFetcher({ settings: deps.web, resolve: deps.resolve });
  // Large pages are converted in worker threads; their workers start on the first large page.
  const converter = createHtmlConverter({ timeoutMs: CONVERSION_MARGIN_MS });
  const convert = (html: string, baseUrl: string) => converter.convert(html, baseUrl);
  registry.register(createFetchPageTool(fetcher, deps.web.timeout_ms, convert));
  registry.register(createCrawlBatchTool(fetcher, deps.web, convert));
  registry.register(createWebSearchTool(deps.search, deps.fetch));
  registry.register(createWeatherTool(deps.weather, deps.fetch));
}
