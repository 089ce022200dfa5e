import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../appContext.js';

/** Public metadata: auth mode, models, tools. (The profile lives in authRoutes.ts.) */
export function metaRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/auth/mode', async () => ({ code: 0, data: { mode: ctx.config.auth_mode } }));

    app.get('/models', async () => ({ code: 0, data: ctx.catalog.describe() }));

    app.get('/tools', async () => ({ code: 0, data: ctx.tools.describe() }));
  };
}
