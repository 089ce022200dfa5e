import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealer } from '../src/auth/sealedValues.js';
import { apiAs, registerUser, startMultiUserServer, TEST_JWT_SECRET, TEST_PASSWORD } from './authHelpers.js';
import { startTestServer, type TestServer } from './helpers.js';
import { FlowBrowser, signInAtProvider } from './oidcBrowser.js';
import { startOidcProvider, type TestOidcProvider } from './oidcProvider.js';

const ADMINS = 'nanoclaw-admins';

async function startWithProvider(provider: TestOidcProvider, extra: Record<string, unknown> = {}): Promise<TestServer> {
  const t = await startMultiUserServer({
    oidc: {
      issuer: provider.issuer,
      client_id: provider.clientId,
      client_secret: provider.clientSecret,
      name: 'Test SSO',
      scopes: ['openid', 'email', 'profile', 'groups'],
      allow_insecure_issuer: true,
      ...(extra.oidc as object),
    },
    ...Object.fromEntries(Object.entries(extra).filter(([key]) => key !== 'oidc')),
  });
  await provider.allowRedirects([`${t.url}/api/auth/oidc/callback`]);
  return t;
}

/** Signs in through the provider and trades the hand-off for a token, as the sign-in page does. */
async function ssoSignIn(t: TestServer, login: string) {
  const browser = new FlowBrowser();
  const callback = await browser.request(await signInAtProvider(browser, t.url, login), { accept: 'text/html' });
  expect(callback.status, await callback.clone().text()).toBe(303);
  expect(callback.headers.get('location')).toBe('/login?sso=done&redirect=%2F');
  const res = await browser.request(`${t.url}/api/auth/oidc/session`, { method: 'POST' });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return { browser, token: body.data.token as string, user: body.data.user as { id: string; username: string; email: string | null; role: string } };
}

/** The callback's answer to a JSON client, with its sentence. */
async function callbackAnswer(browser: FlowBrowser, url: string) {
  const res = await browser.request(url);
  return { status: res.status, message: ((await res.json()) as any).message as string };
}

describe('single sign-on with OpenID Connect', () => {
  let provider: TestOidcProvider;
  let t: TestServer;

  beforeAll(async () => {
    provider = await startOidcProvider();
    t = await startWithProvider(provider, { oidc: { admin_claim: { name: 'groups', value: ADMINS } } });
    provider.accounts.set('carol', { preferred_username: 'carol', email: 'carol@example.com', email_verified: true });
    provider.accounts.set('alice-sso', { preferred_username: 'alice.sso', email: 'ALICE@example.com', email_verified: true });
    provider.accounts.set('bob-sso', { preferred_username: 'bob', email: 'bob@example.com', email_verified: false });
    provider.accounts.set('root', { preferred_username: 'root', groups: ['staff', ADMINS] });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  it('GET /api/auth/mode names the provider and that password sign-in is on', async () => {
    const { body } = await t.api('GET', '/api/auth/mode');
    expect(body.data).toEqual({ mode: 'multi', local_login: true, oidc: { name: 'Test SSO', login_url: '/api/auth/oidc/login' } });
  });

  it('the first sign-in creates the user; the next one signs the same user in', async () => {
    const first = await ssoSignIn(t, 'carol');
    expect(first.user).toMatchObject({ username: 'carol', email: 'carol@example.com', role: 'user' });
    const profile = await apiAs(t, first.token)('GET', '/api/auth/profile');
    expect(profile.status).toBe(200);
    expect(profile.body.data.id).toBe(first.user.id);

    const again = await ssoSignIn(t, 'carol');
    expect(again.user.id).toBe(first.user.id);
    const users = (await t.server.ctx.repos.users.list()).filter((user) => user.username.startsWith('carol'));
    expect(users).toHaveLength(1);
  });

  it('links to an existing local account by a verified email (any case), and keeps the link', async () => {
    const local = await registerUser(t, 'alice');
    await local.api('PATCH', '/api/auth/profile', { email: 'alice@example.com' });
    const sso = await ssoSignIn(t, 'alice-sso');
    expect(sso.user.id).toBe(local.id);
    expect(sso.user.username).toBe('alice');
    // The provider's email changes: the identity still signs in the same account.
    provider.accounts.set('alice-sso', { email: 'alice@new.example.com', email_verified: true });
    expect((await ssoSignIn(t, 'alice-sso')).user.id).toBe(local.id);
    // Password sign-in still works for the linked account.
    expect((await t.api('POST', '/api/auth/login', { username: 'alice', password: TEST_PASSWORD })).status).toBe(200);
  });

  it('never links by an unverified email, nor stores it', async () => {
    const local = await registerUser(t, 'bob');
    await local.api('PATCH', '/api/auth/profile', { email: 'bob@example.com' });
    const sso = await ssoSignIn(t, 'bob-sso');
    expect(sso.user.id).not.toBe(local.id);
    expect(sso.user.username).toBe('bob-2');
    expect(sso.user.email).toBeNull();
  });

  it('the admin claim makes an admin, and its absence takes admin rights away at the next sign-in', async () => {
    const admin = await ssoSignIn(t, 'root');
    expect(admin.user.role).toBe('admin');
    expect((await apiAs(t, admin.token)('GET', '/api/admin/users')).status).toBe(200);
    provider.accounts.set('root', { preferred_username: 'root', groups: ['staff'] });
    const demoted = await ssoSignIn(t, 'root');
    expect(demoted.user).toMatchObject({ id: admin.user.id, role: 'user' });
    expect((await apiAs(t, demoted.token)('GET', '/api/admin/users')).status).toBe(403);
  });

  it('refuses a tampered state with 400 and a sentence, and signs nobody in', async () => {
    const browser = new FlowBrowser();
    const url = new URL(await signInAtProvider(browser, t.url, 'carol'));
    url.searchParams.set('state', 'tampered-state-value');
    const answer = await callbackAnswer(browser, url.href);
    expect(answer.status).toBe(400);
    expect(answer.message).toMatch(/state/);
    expect(browser.cookie(t.url, 'nanoclaw_oidc_handoff')).toBeUndefined();
    expect((await browser.request(`${t.url}/api/auth/oidc/session`, { method: 'POST' })).status).toBe(401);
  });

  it('a browser is sent back to the sign-in page with the failure named', async () => {
    const browser = new FlowBrowser();
    const url = new URL(await signInAtProvider(browser, t.url, 'carol'));
    url.searchParams.set('state', 'tampered');
    const res = await browser.request(url.href, { accept: 'text/html' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?sso_error=state');
  });

  it('refuses an ID token whose nonce is not this attempt’s (401)', async () => {
    const browser = new FlowBrowser();
    const callback = await signInAtProvider(browser, t.url, 'carol');
    // Re-seal the flow with another nonce (the test knows the server's secret).
    const sealer = createSealer(TEST_JWT_SECRET, () => new Date());
    const flow = await sealer.open('oidc-flow', browser.cookie(t.url, 'nanoclaw_oidc_flow'));
    expect(flow?.nonce).toEqual(expect.any(String));
    browser.setCookie(t.url, 'nanoclaw_oidc_flow', await sealer.seal('oidc-flow', { ...flow, nonce: 'another-nonce' }, 600));
    const answer = await callbackAnswer(browser, callback);
    expect(answer.status).toBe(401);
    expect(answer.message).toMatch(/nonce/);
  });

  it('refuses a code used twice (401)', async () => {
    const browser = new FlowBrowser();
    const callback = await signInAtProvider(browser, t.url, 'carol');
    const flowCookie = browser.cookie(t.url, 'nanoclaw_oidc_flow')!;
    expect((await browser.request(callback, { accept: 'text/html' })).status).toBe(303);
    // Someone replays the same callback with the same cookie.
    browser.setCookie(t.url, 'nanoclaw_oidc_flow', flowCookie);
    const answer = await callbackAnswer(browser, callback);
    expect(answer.status).toBe(401);
    expect(answer.message).toMatch(/expired or was already used/);
  });

  it('refuses an expired code (401)', async () => {
    provider.codeTtlSeconds = 1;
    try {
      const browser = new FlowBrowser();
      const callback = await signInAtProvider(browser, t.url, 'carol');
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const answer = await callbackAnswer(browser, callback);
      expect(answer.status).toBe(401);
      expect(answer.message).toMatch(/expired or was already used/);
    } finally {
      provider.codeTtlSeconds = 60;
    }
  });

  it('a callback without the attempt’s cookie is refused (400)', async () => {
    const callback = await signInAtProvider(new FlowBrowser(), t.url, 'carol');
    const answer = await callbackAnswer(new FlowBrowser(), callback);
    expect(answer.status).toBe(400);
    expect(answer.message).toMatch(/unknown or has expired/);
  });

  it('a deactivated user cannot sign in with SSO either (403)', async () => {
    provider.accounts.set('dave', { preferred_username: 'dave' });
    const dave = await ssoSignIn(t, 'dave');
    await t.server.ctx.repos.users.update(dave.user.id, { isActive: false });
    const browser = new FlowBrowser();
    const answer = await callbackAnswer(browser, await signInAtProvider(browser, t.url, 'dave'));
    expect(answer.status).toBe(403);
    expect(answer.message).toMatch(/deactivated/);
  });

  it('the hand-off gives one token only, and never returns outside the app', async () => {
    const browser = new FlowBrowser();
    const callback = await browser.request(await signInAtProvider(browser, t.url, 'carol', '//evil.example.com/x'), { accept: 'text/html' });
    expect(callback.headers.get('location')).toBe('/login?sso=done&redirect=%2F');
    const handoff = browser.cookie(t.url, 'nanoclaw_oidc_handoff')!;
    expect((await browser.request(`${t.url}/api/auth/oidc/session`, { method: 'POST' })).status).toBe(200);
    expect((await browser.request(`${t.url}/api/auth/oidc/session`, { method: 'POST' })).status).toBe(401);
    // The hand-off cannot stand in for a flow.
    browser.setCookie(t.url, 'nanoclaw_oidc_flow', handoff);
    expect((await callbackAnswer(browser, `${t.url}/api/auth/oidc/callback?code=x&state=y`)).status).toBe(400);
  });
});

describe('password sign-in turned off (local_login: false)', () => {
  let provider: TestOidcProvider;
  let t: TestServer;

  beforeAll(async () => {
    provider = await startOidcProvider();
    t = await startWithProvider(provider, { local_login: false });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  it('refuses password sign-in and registration with 403 and a sentence naming the way in', async () => {
    const login = await t.api('POST', '/api/auth/login', { username: 'someone', password: TEST_PASSWORD });
    expect(login.status).toBe(403);
    expect(login.body.message).toBe('Password sign-in is turned off on this server (local_login: false). Use "Sign in with Test SSO".');
    const register = await t.api('POST', '/api/auth/register', { username: 'someone', password: TEST_PASSWORD });
    expect(register.status).toBe(403);
    expect((await t.server.ctx.repos.users.findByUsername('someone'))).toBeNull();
    expect((await t.api('GET', '/api/auth/mode')).body.data).toMatchObject({ local_login: false, oidc: { name: 'Test SSO' } });
  });

  it('signs in with SSO; with no admin claim configured the first account becomes the admin, later ones users', async () => {
    const first = await ssoSignIn(t, 'erin');
    expect(first.user.role).toBe('admin');
    const second = await ssoSignIn(t, 'frank');
    expect(second.user.role).toBe('user');
  });
});

describe('single sign-on when it cannot work', () => {
  it('answers 404 when no provider is configured, 400 in single-user mode', async () => {
    const multi = await startMultiUserServer();
    const single = await startTestServer();
    try {
      const missing = await multi.api('GET', '/api/auth/oidc/login');
      expect(missing).toMatchObject({ status: 404, body: { message: 'Single sign-on is not configured on this server (no oidc section in the config).' } });
      expect((await multi.api('POST', '/api/auth/oidc/session')).status).toBe(404);
      const unused = await single.api('GET', '/api/auth/oidc/callback?code=x&state=y');
      expect(unused.status).toBe(400);
      expect(unused.body.message).toMatch(/single-user mode/);
    } finally {
      await Promise.all([multi.close(), single.close()]);
    }
  });

  it('answers 502 while the provider cannot be reached, and a browser is told so on the sign-in page', async () => {
    const provider = await startOidcProvider();
    const issuer = provider.issuer;
    await provider.close();
    const t = await startMultiUserServer({ oidc: { issuer, client_id: 'nanoclaw', allow_insecure_issuer: true } });
    try {
      const answer = await t.api('GET', '/api/auth/oidc/login');
      expect(answer.status).toBe(502);
      expect(answer.body.message).toContain(`The sign-in provider at ${issuer} cannot be reached`);
      const res = await new FlowBrowser().request(`${t.url}/api/auth/oidc/login`, { accept: 'text/html' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login?sso_error=unavailable');
    } finally {
      await t.close();
    }
  });
});
