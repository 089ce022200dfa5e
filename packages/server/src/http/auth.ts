import type { FastifyInstance } from 'fastify';
import type { AppContext } from './appContext.js';

/** Routes anyone may call in multi-user mode, signed in or not (route patterns under /api). */
export const PUBLIC_ROUTES = new Set([
  '/api/auth/mode',
  '/api/auth/login',
  '/api/auth/register',
  '/api/auth/oidc/login',
  '/api/auth/oidc/callback',
  '/api/auth/oidc/session',
  '/api/models',
  '/api/tools',
]);

/**
 * Attaches the current user to every request. Single-user mode: everyone is the `default` admin,
 * created on first start. Multi-user mode: the user named by the `Authorization: Bearer` token
 * (401 without a valid one, 403 for a deactivated account); public routes need none.
 */
export function registerAuth(scope: FastifyInstance, ctx: AppContext): void {
  let cached: Awaited<ReturnType<AppContext['repos']['users']['ensureDefaultUser']>> | null = null;
  scope.decorateRequest('user', null as never);
  scope.addHook('onRequest', async (request) => {
    if (ctx.config.auth_mode === 'single') {
      cached ??= await ctx.repos.users.ensureDefaultUser();
      request.user = cached;
      return;
    }
    const authorization = request.headers.authorization;
    if (PUBLIC_ROUTES.has(request.routeOptions.url ?? '')) {
      // A public route still knows who is asking when a token is sent, but never insists.
      if (authorization) request.user = await ctx.auth.authenticate(authorization).catch(() => null as never);
      return;
    }
    request.user = await ctx.auth.authenticate(authorization);
  });
}
