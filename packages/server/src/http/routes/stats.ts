import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { statsQuerySchema } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';

export function statsRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/stats/tokens', { schema: { querystring: statsQuerySchema } }, async (request) => ({
      code: 0,
      data: await ctx.repos.usage.stats(request.user.id, request.query.period, ctx.now()),
    }));

    /** The signed-in user's use against their quotas, and when each resets. */
    app.get('/stats/limits', async (request) => ({ code: 0, data: { limits: await ctx.quotas.usage(request.user.id) } }));
  };
}
