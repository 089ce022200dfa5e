import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { searchQuerySchema } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import { isIndexedWord } from '../../db/index.js';
import { queryWords } from '../../search/searchText.js';
import { badRequest } from '../appError.js';

/** `GET /api/search?q=&limit=&cursor=`: the caller's own titles and messages, best matches first. */
export function searchRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/search', { schema: { querystring: searchQuerySchema } }, async (request) => {
      const { q, limit, cursor } = request.query;
      const words = queryWords(q);
      // The indexes look up words of 3+ letters or digits (CJK: 3+ characters); without one a search would read every row.
      if (!words.some(isIndexedWord)) throw badRequest('q: search for at least one word of 3 or more letters or digits.');
      const page = await ctx.repos.search.search(request.user.id, words, { limit, cursor });
      return { code: 0, data: page };
    });
  };
}
