import type { FastifyInstance } from 'fastify';
import type { AppContext } from './appContext.js';
import { AppError } from './appError.js';

/**
 * Attaches the current user to every request. Single-user mode: everyone is the `default` admin,
 * created on first start. (Multi-user login arrives with its own issue; start-up refuses that mode until then.)
 */
export function registerAuth(scope: FastifyInstance, ctx: AppContext): void {
  let cached: Awaited<ReturnType<AppContext['repos']['users']['ensureDefaultUser']>> | null = null;
  scope.decorateRequest('user', null as never);
  scope.addHook('onRequest', async (request) => {
    if (ctx.config.auth_mode !== 'single') throw new AppError(501, 'Multi-user mode is not available in this version.');
    cached ??= await ctx.repos.users.ensureDefaultUser();
    request.user = cached;
  });
}
