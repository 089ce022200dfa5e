import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../appContext.js';
import type { UserRow } from '../../db/index.js';

const profilePatchSchema = z.object({ email: z.string().email('must be an email address').nullable().optional() }).strict();

/** Public and per-user metadata: auth mode, profile, models, tools. */
export function metaRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/auth/mode', async () => ({ code: 0, data: { mode: ctx.config.auth_mode } }));

    app.get('/auth/profile', async (request) => ({ code: 0, data: publicUser(request.user) }));

    app.patch('/auth/profile', { schema: { body: profilePatchSchema } }, async (request) => {
      const updated = await ctx.repos.users.update(request.user.id, { email: request.body.email ?? null });
      if (updated) request.user = updated;
      return { code: 0, data: publicUser(request.user) };
    });

    app.get('/models', async () => ({ code: 0, data: ctx.catalog.describe() }));

    app.get('/tools', async () => ({ code: 0, data: ctx.tools.describe() }));
  };
}

function publicUser(user: UserRow) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    role: user.role,
    is_active: user.is_active,
    created_at: user.created_at,
    last_login_at: user.last_login_at,
  };
}
