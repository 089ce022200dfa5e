import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/** What the provider says about a person, by the login typed on its page (which is also the `sub`). */
export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  groups?: string[];
  preferred_username?: string;
}

export interface TestOidcProvider {
  /** http://127.0.0.1:<port> */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by login; any other login signs in as a person with only a `sub`. */
  accounts: Map<string, TestAccount>;
  /** Creates the provider, allowing these redirect URIs (known once the app listens). */
  allowRedirects(uris: string[]): Promise<void>;
  /** Seconds an authorization code stays valid (60 by default). */
  codeTtlSeconds: number;
  /** Milliseconds the token endpoint waits before answering (a slow provider; 0 by default). */
  tokenDelayMs: number;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (the certified `oidc-provider` package) on 127.0.0.1 and a random port,
 * with its development login page (any login, any password) and consent granted up front. One
 * confidential client; PKCE is required.
 */
export async function startOidcProvider(): Promise<TestOidcProvider> {
  let provider: Provider | null = null;
  const server: Server = createServer((req, res) => {
    const current = provider;
    if (!current) {
      res.writeHead(503).end('provider not configured yet');
      return;
    }
    const delay = req.url?.startsWith('/token') ? result.tokenDelayMs : 0;
    setTimeout(() => current.callback()(req, res), delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test-key' };

  const result: TestOidcProvider = {
    issuer,
    clientId: 'nanoclaw-test',
    clientSecret: 'test-client-secret-0c6f2b8e9a4d',
    accounts: new Map(),
    codeTtlSeconds: 60,
    tokenDelayMs: 0,
    async allowRedirects(uris) {
      provider = new Provider(issuer, {
        clients: [
          {
            client_id: result.clientId,
            client_secret: result.clientSecret,
            redirect_uris: uris,
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        jwks: { keys: [signingKey] },
        cookies: { keys: ['test-cookie-key-5d1e8b2a7c'] },
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'], groups: ['groups'] },
        scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
        features: { devInteractions: { enabled: true } },
        pkce: { required: () => true },
        ttl: { AuthorizationCode: () => result.codeTtlSeconds, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
        findAccount: (_ctx, sub) => ({
          accountId: sub,
          claims: () => ({ sub, ...result.accounts.get(sub) }),
        }),
        // Consent is granted up front, so the login page is the only one a person sees.
        loadExistingGrant: async (ctx) => {
          const session = ctx.oidc.session;
          const client = ctx.oidc.client;
          if (!session?.accountId || !client) return undefined;
          const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
          grant.addOIDCScope('openid email profile groups');
          await grant.save();
          return grant;
        },
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return result;
}
