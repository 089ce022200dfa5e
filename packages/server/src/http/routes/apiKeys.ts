import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createApiKeyBodySchema, type ApiApiKey } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import { AppError, notFound } from '../appError.js';
import type { ApiKeyRow } from '../../db/index.js';

const keyParamsSchema = z.object({ id: z.string().min(1).max(64) });

function presentKey(row: ApiKeyRow): ApiApiKey {
  return { id: row.id, name: row.name, prefix: row.prefix, created_at: row.created_at, last_used_at: row.last_used_at };
}

/**
 * API keys for the OpenAI-compatible API: each user makes, lists and revokes their own; administrators
 * see and revoke everyone's (`/admin/api-keys`). A key is shown once, when it is made.
 */
export function apiKeyRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const requireAdmin = async (request: { user?: { role: string } }) => {
    if (request.user?.role !== 'admin') throw new AppError(403, 'Only an administrator can see or revoke other users\' API keys.');
  };

  return async (app) => {
    app.post('/api-keys', { schema: { body: createApiKeyBodySchema } }, async (request) => {
      const { row, key } = await ctx.apiKeys.create(request.user.id, request.body.name);
      return { code: 0, data: { ...presentKey(row), key } };
    });

    app.get('/api-keys', async (request) => ({ code: 0, data: (await ctx.apiKeys.listForUser(request.user.id)).map(presentKey) }));

    app.delete('/api-keys/:id', { schema: { params: keyParamsSchema } }, async (request) => {
      if (!(await ctx.apiKeys.remove(request.params.id, request.user.id))) throw notFound('API key');
      return { code: 0, data: { id: request.params.id, deleted: true } };
    });

    app.get('/admin/api-keys', { preHandler: requireAdmin }, async () => ({
      code: 0,
      data: (await ctx.apiKeys.listAll()).map((row) => ({ ...presentKey(row), user_id: row.user_id, username: row.username })),
    }));

    app.delete('/admin/api-keys/:id', { preHandler: requireAdmin, schema: { params: keyParamsSchema } }, async (request) => {
      if (!(await ctx.apiKeys.remove(request.params.id, null))) throw notFound('API key');
      return { code: 0, data: { id: request.params.id, deleted: true } };
    });
  };
}
