import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { adminUpdateUserBodySchema } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import { AppError, notFound } from '../appError.js';
import { presentUser } from '../../auth/authService.js';

const userParamsSchema = z.object({ id: z.string().min(1).max(64) });

/** User administration: admins only, everyone else 403. */
export function adminRoutes(ctx: AppContext): FastifyPluginAsyncZod {
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
  };
}
