import type { SearchSettings } from '@nanoclaw/protocol';
import type { ToolDefinition } from '../types.js';
import type { FetchLike } from '../web/httpGet.js';
import { createSearchBackend, type SearchResult } from '../web/searchBackends.js';

export interface WebSearchArgs {
  query: string;
  max_results?: number;
}

export interface WebSearchResult {
  query: string;
  backend: string;
  results: SearchResult[];
  note?: string;
}

export function createWebSearchTool(settings: SearchSettings, fetchImpl: FetchLike = fetch): ToolDefinition<WebSearchArgs> {
  const backend = createSearchBackend(settings, fetchImpl);
  return {
    name: 'web_search',
    category: 'web',
    cacheable: true,
    description:
      'Search the web and get a list of results, each with title, url and snippet. Use it for current events, facts you are ' +
      'unsure of, or to find pages to read with fetch_page. Write the query as you would in a search engine.',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', minLength: 1, maxLength: 500, description: 'The search query.' },
        max_results: {
          type: 'integer',
          minimum: 1,
          maximum: 20,
          description: `How many results to return (default ${settings.max_results}).`,
        },
      },
      required: ['query'],
      additionalProperties: false,
    },
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
