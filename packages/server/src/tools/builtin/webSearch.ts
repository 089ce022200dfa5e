import { z } from 'zod';
import type { SearchSettings } from '@nanoclaw/protocol';
import type { ZodToolDefinition } from '../types.js';
import type { FetchLike } from '../web/httpGet.js';
import { createSearchBackend, type SearchResult } from '../web/searchBackends.js';

const webSearchArguments = (defaultCount: number) =>
  z.strictObject({
    query: z.string().min(1).max(500).describe('The search query.'),
    max_results: z.int().min(1).max(20).optional().describe(`How many results to return (default ${defaultCount}).`),
  });

export type WebSearchArgs = z.infer<ReturnType<typeof webSearchArguments>>;

export interface WebSearchResult {
  query: string;
  backend: string;
  results: SearchResult[];
  note?: string;
}

export function createWebSearchTool(settings: SearchSettings, fetchImpl: FetchLike = fetch): ZodToolDefinition<WebSearchArgs> {
  const backend = createSearchBackend(settings, fetchImpl);
  return {
    name: 'web_search',
    category: 'web',
    cacheable: true,
    description:
      'Search the web and get a list of results, each with title, url and snippet. Use it for current events, facts you are ' +
      'unsure of, or to find pages to read with fetch_page. Write the query as you would in a search engine.',
    arguments: webSearchArguments(settings.max_results),
    handler: async ({ query, max_results }, ctx): Promise<WebSearchResult> => {
      if ('unavailable' in backend) throw new Error(backend.unavailable);
      const trimmed = query.trim();
      if (trimmed === '') throw new Error('The query is empty');
      const outcome = await backend.search({ query: trimmed, count: max_results ?? settings.max_results, signal: ctx.signal });
      const note = outcome.results.length === 0 ? ['No results were found for this query.', outcome.note].filter(Boolean).join(' ') : outcome.note;
      return { query: trimmed, backend: backend.name, results: outcome.results, ...(note ? { note } : {}) };
    },
  };
}
