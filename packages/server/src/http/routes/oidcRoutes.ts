import { parse as parseCookies, serialize as serializeCookie, type SerializeOptions } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OidcSettings } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import { AppError } from '../appError.js';
import { AccountDeactivatedError, SingleUserModeError, SsoError, SsoStateError, UnauthenticatedError } from '../../auth/authErrors.js';
import type { OidcFlow } from '../../auth/oidcClient.js';
import { createSealer } from '../../auth/sealedValues.js';

/** Cookies live under the SSO routes only; the flow's for the time a person takes at the provider, the hand-off's for one page load. */
const COOKIE_PATH = '/api/auth/oidc';
const FLOW_COOKIE = 'nanoclaw_oidc_flow';
const FLOW_SECONDS = 10 * 60;
const HANDOFF_COOKIE = 'nanoclaw_oidc_handoff';
const HANDOFF_SECONDS = 60;
export const OIDC_LOGIN_PATH = '/api/auth/oidc/login';

/** A path inside the app to come back to; anything else (another site, `//host`) becomes "/". */
function appPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && !/[\\\r\n]/.test(value) ? value : '/';
}

function cookieOptions(request: FastifyRequest, maxAge: number): SerializeOptions {
  // Lax: the callback arrives as a top-level navigation from the provider's site, which Lax allows.
  return { path: COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', maxAge };
}

/**
 * Single sign-on with OpenID Connect (authorization code + PKCE). The browser goes to `/login`, is sent
 * to the provider, comes back to `/callback`, which links or creates the account and leaves a sealed,
 * one-minute hand-off cookie; the sign-in page then trades it at `/session` for the same bearer token a
 * password sign-in gives. The flow's state, nonce and PKCE verifier travel sealed in an httpOnly cookie,
 * so any instance of a cluster can finish what another started.
 */
export function oidcRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const settings = ctx.config.auth_mode === 'multi' ? ctx.config.oidc : undefined;
  const sealer = settings && ctx.config.jwt_secret ? createSealer(ctx.config.jwt_secret, ctx.now) : null;
  type Services = { client: import('../../auth/oidcClient.js').OidcClient; accounts: import('../../auth/oidcAccounts.js').OidcAccounts };
  let services: Promise<Services> | null = null;

  /** openid-client is loaded on first use: a server without SSO never loads it. */
  function load(oidc: OidcSettings): Promise<Services> {
    services ??= (async () => {
      const [{ createOidcClient }, { createOidcAccounts }] = await Promise.all([import('../../auth/oidcClient.js'), import('../../auth/oidcAccounts.js')]);
      return {
        client: createOidcClient(oidc),
        accounts: createOidcAccounts({ settings: oidc, users: ctx.repos.users, identities: ctx.repos.identities }),
      };
    })();
    return services;
  }

  function configured(): { oidc: OidcSettings; seal: NonNullable<typeof sealer> } {
    if (ctx.config.auth_mode !== 'multi') throw new SingleUserModeError();
    if (!settings || !sealer) throw new AppError(404, 'Single sign-on is not configured on this server (no oidc section in the config).');
    return { oidc: settings, seal: sealer };
  }

  function readCookie(request: FastifyRequest, name: string): string | undefined {
    return parseCookies(request.headers.cookie ?? '')[name];
  }

  /** A browser goes back to the sign-in page, which names the failure; other clients get the error itself. */
  function fail(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
    const wantsPage = /\btext\/html\b/.test(request.headers.accept ?? '');
    const failure = err instanceof SsoError ? err.failure : err instanceof AccountDeactivatedError ? 'deactivated' : null;
    if (!wantsPage || !failure) throw err;
    return reply.redirect(`/login?sso_error=${failure}`, 303);
  }

  return async (app) => {
    app.get('/auth/oidc/login', { schema: { querystring: z.object({ redirect: z.string().optional() }) } }, async (request, reply) => {
      const { oidc, seal } = configured();
      const redirectUri = oidc.redirect_url ?? `${request.protocol}://${request.host}/api/auth/oidc/callback`;
      try {
        const { client } = await load(oidc);
        const { url, flow } = await client.start(redirectUri, appPath(request.query.redirect));
        const sealed = await seal.seal('oidc-flow', { ...flow }, FLOW_SECONDS);
        reply.header('set-cookie', serializeCookie(FLOW_COOKIE, sealed, cookieOptions(request, FLOW_SECONDS)));
        return reply.redirect(url, 302);
      } catch (err) {
        return fail(request, reply, err);
      }
    });

    app.get('/auth/oidc/callback', async (request, reply) => {
      const { oidc, seal } = configured();
      // The flow cookie is good for one callback, whatever its outcome (Fastify adds each set-cookie header).
      reply.header('set-cookie', serializeCookie(FLOW_COOKIE, '', cookieOptions(request, 0)));
      try {
        const flow = (await seal.open('oidc-flow', readCookie(request, FLOW_COOKIE))) as unknown as OidcFlow | null;
        if (!flow) {
          throw new SsoStateError('This sign-in attempt is unknown or has expired (it lasts 10 minutes and must finish in the browser that started it). Start the sign-in again.');
        }
        const callbackUrl = new URL(flow.redirectUri);
        callbackUrl.search = new URL(request.url, 'http://callback.invalid').search;
        const { client, accounts } = await load(oidc);
        const { issuer, claims } = await client.finish(callbackUrl, flow);
        const user = await accounts.resolve(issuer, claims);
        const handoff = await seal.seal('oidc-handoff', { sub: user.id }, HANDOFF_SECONDS);
        reply.header('set-cookie', serializeCookie(HANDOFF_COOKIE, handoff, cookieOptions(request, HANDOFF_SECONDS)));
        return reply.redirect(`/login?sso=done&redirect=${encodeURIComponent(flow.returnTo)}`, 303);
      } catch (err) {
        return fail(request, reply, err);
      }
    });

    /** Trades the hand-off cookie the callback left for a bearer token, once. */
    app.post('/auth/oidc/session', async (request, reply) => {
      const { seal } = configured();
      reply.header('set-cookie', serializeCookie(HANDOFF_COOKIE, '', cookieOptions(request, 0)));
      const handoff = await seal.open('oidc-handoff', readCookie(request, HANDOFF_COOKIE));
      const user = handoff?.sub ? await ctx.repos.users.findById(handoff.sub) : null;
      if (!user) throw new UnauthenticatedError('No single sign-on is waiting to finish in this browser (it lasts one minute). Sign in again.');
      if (!user.is_active) throw new AccountDeactivatedError();
      return { code: 0, data: await ctx.auth.issue(user) };
    });
  };
}
