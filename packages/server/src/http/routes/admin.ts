import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { adminUpdateUserBodySchema, userLimitsBodySchema, type ApiUserQuota } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import { AppError, notFound } from '../appError.js';
import { presentUser } from '../../auth/authService.js';
import { NO_OVERRIDES, type UserRow } from '../../db/index.js';

const userParamsSchema = z.object({ id: z.string().min(1).max(64) });

/** User administration: admins only, everyone else 403. */
export function adminRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  /** A user's limits as the administrator set them, and their use against the limits in force. */
  const quotaOf = async (user: UserRow, overrides = NO_OVERRIDES): Promise<ApiUserQuota> => ({
    user_id: user.id,
    username: user.username,
    overrides,
    limits: await ctx.quotas.usage(user.id),
  });
  const findUser = async (id: string): Promise<UserRow> => {
    const user = await ctx.repos.users.findById(id);
    if (!user) throw notFound('User');
    return user;
  };

  return async (app) => {
    app.addHook('preHandler', async (request) => {
      if (request.user?.role !== 'admin') throw new AppError(403, 'Only an administrator can manage users.');
    });

    app.get('/admin/users', async () => ({ code: 0, data: (await ctx.repos.users.list()).map(presentUser) }));

    app.patch('/admin/users/:id', { schema: { params: userParamsSchema, body: adminUpdateUserBodySchema } }, async (request) => {
      const target = await ctx.repos.users.findById(request.params.id);
      if (!target) throw notFound('User');
      const { is_active, role } = request.body;
      if (target.id === request.user.id && (is_active === false || role === 'user')) {
        throw new AppError(400, 'You cannot deactivate your own account or remove your own admin role: ask another administrator.');
      }
      const updated = await ctx.repos.users.update(target.id, {
        ...(is_active !== undefined && { isActive: is_active }),
        ...(role !== undefined && { role }),
      });
      if (!updated) throw notFound('User');
      return { code: 0, data: presentUser(updated) };
    });

    /** Every user's use against their limits (the stats page's administrator view). */
    app.get('/admin/limits', async () => {
      const [users, overrides] = await Promise.all([ctx.repos.users.list(), ctx.repos.userLimits.list()]);
      return { code: 0, data: { users: await Promise.all(users.map((user) => quotaOf(user, overrides.get(user.id)))) } };
    });

    app.get('/admin/users/:id/limits', { schema: { params: userParamsSchema } }, async (request) => {
      const user = await findUser(request.params.id);
      return { code: 0, data: await quotaOf(user, await ctx.repos.userLimits.get(user.id)) };
    });

    /** Replaces the user's limits: a number per field (0 = unlimited), null or absent = the configured default. */
    app.put('/admin/users/:id/limits', { schema: { params: userParamsSchema, body: userLimitsBodySchema } }, async (request) => {
      const user = await findUser(request.params.id);
      const { tokens_per_day, tokens_per_month, requests_per_minute } = request.body;
      const overrides = { tokens_per_day: tokens_per_day ?? null, tokens_per_month: tokens_per_month ?? null, requests_per_minute: requests_per_minute ?? null };
      await ctx.repos.userLimits.set(user.id, overrides);
      ctx.quotas.forget(user.id);
      return { code: 0, data: await quotaOf(user, overrides) };
    });
  };
}
