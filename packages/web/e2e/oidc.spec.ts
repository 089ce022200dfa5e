import { fileURLToPath } from 'node:url';
import { test, expect, shot, simUrl } from './fixtures';
import { startNanoclaw, type Started } from './globalSetup';
import { startOidcProvider, type TestOidcProvider } from '../../server/test/oidcProvider';

/**
 * Single sign-on through the browser: a real OpenID provider (oidc-provider, its development login
 * page) and two NanoClaws of their own, one with password sign-in turned off (most tests) and one
 * offering both ways in, all started by this spec.
 */
let provider: TestOidcProvider;
let app: Started;
let both: Started;

test.beforeAll(async () => {
  provider = await startOidcProvider();
  provider.accounts.set('grace', { preferred_username: 'grace', email: 'grace@example.com', email_verified: true });
  const serverMain = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
  const q = JSON.stringify;
  const config = (localLogin: boolean) => [
    'auth_mode: multi',
    'jwt_secret: e2e-only-oidc-secret-8c2d4f6a1b3e5d7f9a0c',
    `local_login: ${localLogin}`,
    `oidc: { issuer: ${q(provider.issuer)}, client_id: ${q(provider.clientId)}, client_secret: ${q(provider.clientSecret)}, name: "Test SSO", allow_insecure_issuer: true }`,
  ];
  [app, both] = await Promise.all([
    startNanoclaw(serverMain, `${simUrl()}/chat/completions`, config(false)),
    startNanoclaw(serverMain, `${simUrl()}/chat/completions`, config(true)),
  ]);
  await provider.allowRedirects([app, both].map((instance) => `${instance.address}/api/auth/oidc/callback`));
});

test.afterAll(async () => {
  await Promise.all([app?.stop(), both?.stop()]);
  await provider?.close();
});

/** From the app's sign-in page through the provider's login page, back into the app (or its sign-in page). */
async function signInAtProvider(page: import('@playwright/test').Page, login: string): Promise<void> {
  await page.getByRole('link', { name: 'Sign in with Test SSO' }).click();
  await expect(page).toHaveURL(new RegExp(`^${provider.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
}

test('sign in with the provider, see the app signed in, sign out', async ({ page }) => {
  await page.goto(`${app.address}/stats`);
  await expect(page).toHaveURL(/\/login\?redirect=(%2F|\/)stats$/);
  // Password sign-in is off: only the provider's button is offered.
  await expect(page.getByRole('link', { name: 'Sign in with Test SSO' })).toBeVisible();
  await expect(page.getByLabel('Password')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'No account yet? Create one' })).toHaveCount(0);
  await shot(page, 'oidc-login');

  await signInAtProvider(page, 'grace');
  await expect(page).toHaveURL(`${app.address}/stats`);
  await expect(page.locator('.account-name')).toHaveText('grace');
  expect(await page.evaluate(() => localStorage.getItem('nanoclaw.token'))).toBeTruthy();
  await shot(page, 'oidc-signed-in');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await page.evaluate(() => localStorage.getItem('nanoclaw.token'))).toBeNull();
  await expect(page.getByRole('link', { name: 'Sign in with Test SSO' })).toBeVisible();
});

const TAMPERED = [
  { param: 'state', failure: 'state', says: 'That sign-in attempt expired or did not come from this browser. Please start again.' },
  { param: 'nonce', failure: 'rejected', says: 'The sign-in provider’s answer could not be accepted (the code expired or a check failed). Please start again.' },
];

for (const { param, failure, says } of TAMPERED) {
  test(`a tampered ${param} comes back to the sign-in page with the reason`, async ({ page }) => {
    // The parameter sent to the provider is changed on the way; the provider answers with it (in the
    // redirect for state, in the signed ID token for nonce), which no longer matches the attempt.
    await page.route(`${app.address}/api/auth/oidc/login?*`, async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      const location = new URL(response.headers()['location']!);
      location.searchParams.set(param, `tampered-${param}`);
      await route.fulfill({ response, headers: { ...response.headers(), location: location.href } });
    });
    await page.goto(`${app.address}/login`);
    await signInAtProvider(page, 'grace');
    await expect(page).toHaveURL(new RegExp(`/login\\?sso_error=${failure}$`));
    await expect(page.getByRole('alert')).toHaveText(says);
    expect(await page.evaluate(() => localStorage.getItem('nanoclaw.token'))).toBeNull();
    await shot(page, `oidc-tampered-${param}`);
  });
}

test('an expired code comes back to the sign-in page with the reason', async ({ page }) => {
  // Codes live one second, and the provider's token endpoint takes longer to answer.
  provider.codeTtlSeconds = 1;
  provider.tokenDelayMs = 2100;
  try {
    await page.goto(`${app.address}/login`);
    await signInAtProvider(page, 'grace');
    await expect(page).toHaveURL(/\/login\?sso_error=rejected$/);
    await expect(page.getByRole('alert')).toContainText('the code expired or a check failed');
    expect(await page.evaluate(() => localStorage.getItem('nanoclaw.token'))).toBeNull();
  } finally {
    provider.codeTtlSeconds = 60;
    provider.tokenDelayMs = 0;
  }
});

test('with password sign-in on, both ways in are offered', async ({ page }) => {
  await page.goto(`${both.address}/login`);
  await expect(page.getByRole('link', { name: 'Sign in with Test SSO' })).toBeVisible();
  await expect(page.getByLabel('Username')).toBeVisible();
  await expect(page.getByLabel('Password')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'No account yet? Create one' })).toBeVisible();
  await shot(page, 'oidc-login-both');
  await page.getByRole('button', { name: 'No account yet? Create one' }).click();
  // Registering is about a password: the provider's button steps aside.
  await expect(page.getByRole('link', { name: 'Sign in with Test SSO' })).toHaveCount(0);
});
