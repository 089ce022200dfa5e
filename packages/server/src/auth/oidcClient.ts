import type { OidcSettings } from '@nanoclaw/protocol';
import * as client from 'openid-client';
import { SsoError, SsoRejectedError, SsoStateError, SsoUnavailableError } from './authErrors.js';
import type { OidcClaims } from './oidcAccounts.js';

/** What the browser carries (sealed) between the redirect to the provider and the callback. */
export interface OidcFlow {
  state: string;
  nonce: string;
  /** The PKCE code verifier; only its S256 challenge leaves the server. */
  verifier: string;
  redirectUri: string;
  /** The page of the app to return to afterwards. */
  returnTo: string;
}

export interface OidcSignIn {
  issuer: string;
  claims: OidcClaims;
}

/** Turns what openid-client throws into a sentence for the person signing in. */
export function ssoErrorFrom(err: unknown, provider: string): SsoError {
  if (err instanceof SsoError) return err;
  if (err instanceof client.AuthorizationResponseError) {
    const reason = err.error_description ?? err.error;
    return new SsoRejectedError(`${provider} did not sign you in (${reason}). Try again.`);
  }
  if (err instanceof client.ResponseBodyError && err.error === 'invalid_grant') {
    return new SsoRejectedError(`${provider} refused the sign-in code: it has expired or was already used. Start the sign-in again.`);
  }
  // openid-client's ClientError carries oauth4webapi's precise reason as its cause.
  const cause = (err as { cause?: unknown }).cause;
  const message = cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err);
  if (/"state"/.test(message)) {
    return new SsoStateError('The sign-in answer does not belong to this sign-in attempt (state mismatch). Start the sign-in again.');
  }
  if (/"nonce"/.test(message)) {
    return new SsoRejectedError('The ID token was not issued for this sign-in attempt (nonce mismatch). Start the sign-in again.');
  }
  const code = (err as { code?: unknown }).code;
  if (err instanceof client.ClientError || (typeof code === 'string' && code.startsWith('OAUTH_'))) {
    return new SsoRejectedError(`The answer from ${provider} failed a check (${message}). Start the sign-in again.`);
  }
  return new SsoUnavailableError(`${provider} cannot be reached right now (${message}). Try again later.`);
}

/**
 * The relying party's side of OpenID Connect (authorization code flow with PKCE and a nonce), built
 * on openid-client: it checks state, nonce, PKCE, the ID token's signature, issuer, audience and
 * expiry. The provider's metadata is discovered on first use and kept; a failed discovery is retried
 * by the next sign-in.
 */
export function createOidcClient(settings: OidcSettings) {
  let configuration: Promise<client.Configuration> | null = null;

  function discover(): Promise<client.Configuration> {
    configuration ??= client
      .discovery(
        new URL(settings.issuer),
        settings.client_id,
        settings.client_secret ? { client_secret: settings.client_secret } : undefined,
        settings.client_secret ? undefined : client.None(),
        // Plain http only when the config asks for it (a test provider on this machine).
        settings.allow_insecure_issuer ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
      )
      .catch((err: unknown) => {
        configuration = null;
        throw new SsoUnavailableError(`The sign-in provider at ${settings.issuer} cannot be reached or is not an OpenID provider (${(err as Error).message}). Try again later.`);
      });
    return configuration;
  }

  /** Where to send the browser, and the flow to keep (sealed) until it comes back. */
  async function start(redirectUri: string, returnTo: string): Promise<{ url: string; flow: OidcFlow }> {
    const config = await discover();
    const flow: OidcFlow = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      redirectUri,
      returnTo,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: settings.scopes.join(' '),
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, flow };
  }

  /** Redeems the code the provider sent to `callbackUrl`; answers who signed in (ID token claims, completed by UserInfo). */
  async function finish(callbackUrl: URL, flow: OidcFlow): Promise<OidcSignIn> {
    const config = await discover();
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new SsoRejectedError(`${settings.name} sent no ID token. Start the sign-in again.`);
      const userInfo = config.serverMetadata().userinfo_endpoint
        ? await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)
        : {};
      return { issuer: config.serverMetadata().issuer, claims: { ...userInfo, ...idClaims } };
    } catch (err) {
      throw ssoErrorFrom(err, settings.name);
    }
  }

  return { start, finish };
}

export type OidcClient = ReturnType<typeof createOidcClient>;
