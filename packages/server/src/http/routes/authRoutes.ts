import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { changePasswordBodySchema, loginBodySchema, registerBodySchema, updateProfileBodySchema } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import { AppError } from '../appError.js';
import { presentUser } from '../../auth/authService.js';
import { AttemptLimiter } from '../../auth/attemptLimiter.js';

/** Sign-up, sign-in and the current user's profile (SPEC §7). */
export function authRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const { max, window_ms } = ctx.config.auth_rate_limit;
  const limiters = {
    login: new AttemptLimiter(ctx.counters, 'login', max, window_ms, () => ctx.now().getTime()),
    register: new AttemptLimiter(ctx.counters, 'register', max, window_ms, () => ctx.now().getTime()),
  };
  /**
   * Per client address, every attempt counted (even malformed ones), by every instance together (Redis or
   * the database); answers 429 with Retry-After once the window is full.
   */
  const limit = (kind: keyof typeof limiters) => async (request: FastifyRequest, reply: FastifyReply) => {
    const decision = await limiters[kind].attempt(request.ip);
    if (decision.allowed) return;
    reply.header('retry-after', String(decision.retryAfterSeconds));
    const what = kind === 'login' ? 'sign-in' : 'registration';
    throw new AppError(429, `Too many ${what} attempts from this address. Try again in ${decision.retryAfterSeconds} seconds.`);
  };

  return async (app) => {
    app.post('/auth/register', { schema: { body: registerBodySchema }, onRequest: limit('register') }, async (request) => ({
      code: 0,
      data: await ctx.auth.register(request.body),
    }));

    app.post('/auth/login', { schema: { body: loginBodySchema }, onRequest: limit('login') }, async (request) => ({
      code: 0,
      data: await ctx.auth.login(request.body.username, request.body.password),
    }));

    app.get('/auth/profile', async (request) => ({ code: 0, data: presentUser(request.user) }));

    /** Email, and the password when `new_password` comes with `current_password` (the answer then carries a fresh `token`). */
    app.patch('/auth/profile', { schema: { body: updateProfileBodySchema } }, async (request) => {
      const { email, current_password, new_password } = request.body;
      let token: string | undefined;
      if (new_password !== undefined) {
        const result = await ctx.auth.changePassword(request.user, current_password, new_password);
        token = result.token;
      }
      const updated = email !== undefined ? await ctx.repos.users.update(request.user.id, { email }) : await ctx.repos.users.findById(request.user.id);
      // Single-user mode keeps the default user in memory across requests: keep that copy current.
      if (updated) Object.assign(request.user, updated);
      return { code: 0, data: { ...presentUser(request.user), ...(token ? { token } : {}) } };
    });

    /** Password change; the answer is a fresh sign-in (tokens issued before stop working). */
    app.post('/auth/password', { schema: { body: changePasswordBodySchema } }, async (request) => ({
      code: 0,
      data: await ctx.auth.changePassword(request.user, request.body.current_password, request.body.new_password),
    }));
  };
}
