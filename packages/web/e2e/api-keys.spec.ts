import { test, expect, shot } from './fixtures';

test('API keys: create one in the settings (shown once), use it on /v1, revoke it and it stops working', async ({ page, api, request, baseURL }) => {
  const conversation = await api.createConversation({ title: 'Keys' });
  await page.goto(`/c/${conversation.id}`);
  await page.getByTestId('open-settings').click();
  const section = page.getByTestId('api-keys');
  await section.scrollIntoViewIfNeeded();
  await expect(section.getByRole('heading', { name: 'API keys' })).toBeVisible();

  const name = `editor ${Date.now().toString(36)}`;
  await section.getByLabel('Key name').fill(name);
  await section.getByRole('button', { name: 'Create key' }).click();
  const shown = section.getByTestId('api-key-value');
  await expect(shown).toHaveText(/^nck_[A-Za-z0-9_-]{43}$/);
  await expect(section.getByTestId('api-key-new')).toContainText('shown only this once');
  const key = (await shown.textContent())!;
  const row = section.locator('.api-key', { hasText: name });
  await expect(row).toContainText(key.slice(0, 12));
  await expect(row).toContainText('Never used');
  await section.getByRole('button', { name: 'Copy key' }).click();
  await expect(section).toContainText('Copied');
  await shot(page, 'api-keys-created');

  // The key works on the OpenAI-compatible API (and nowhere is it shown again).
  const models = await request.get(`${baseURL}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  expect(models.status()).toBe(200);
  expect((await models.json()).data.map((m: { id: string }) => m.id)).toContain('agent/text');
  await section.getByRole('button', { name: 'I have copied it' }).click();
  await expect(shown).toHaveCount(0);
  await page.reload();
  await page.getByTestId('open-settings').click();
  await expect(row).toContainText('Last used');
  await expect(page.getByTestId('api-keys')).not.toContainText(key);

  await row.getByRole('button', { name: `Revoke key ${name}` }).click();
  await expect(page.getByRole('dialog', { name: `Revoke “${name}”?` })).toBeVisible();
  await shot(page, 'api-keys-revoke');
  await page.getByTestId('confirm-ok').click();
  await expect(row).toHaveCount(0);
  const after = await request.get(`${baseURL}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  expect(after.status()).toBe(401);
  expect((await after.json()).error.message).toMatch(/revoked/);
});

test('multi-user mode: an administrator sees every user’s keys and revokes another user’s key', async ({ page, request }) => {
  const multi = process.env.E2E_MULTI_URL!;
  const adminToken = process.env.E2E_MULTI_ADMIN_TOKEN!;
  const username = `keyowner${Date.now().toString(36)}`;
  const registered = await request.post(`${multi}/api/auth/register`, { data: { username, password: 'correct horse battery' } });
  const ownerToken = (await registered.json()).data.token as string;
  const created = await request.post(`${multi}/api/api-keys`, { data: { name: 'owner key' }, headers: { authorization: `Bearer ${ownerToken}` } });
  const key = (await created.json()).data.key as string;
  expect((await request.get(`${multi}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status()).toBe(200);

  const conversation = await request.post(`${multi}/api/conversations`, { data: { title: 'Admin keys' }, headers: { authorization: `Bearer ${adminToken}` } });
  await page.addInitScript((token) => localStorage.setItem('nanoclaw.token', token), adminToken);
  await page.goto(`${multi}/c/${(await conversation.json()).data.id}`);
  await page.getByTestId('open-settings').click();
  const all = page.getByTestId('api-keys-all');
  await all.scrollIntoViewIfNeeded();
  await all.locator('summary').click();
  const row = all.locator('.api-key', { hasText: username });
  await expect(row).toContainText('owner key');
  await expect(row).toContainText(key.slice(0, 12));
  await row.scrollIntoViewIfNeeded();
  await shot(page, 'api-keys-admin');
  await row.getByRole('button', { name: `Revoke key owner key of ${username}` }).click();
  await page.getByTestId('confirm-ok').click();
  await expect(row).toHaveCount(0);
  expect((await request.get(`${multi}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status()).toBe(401);
});

test('API documentation: /api/docs shows every route of the OpenAPI document, with no CSP violations', async ({ page }) => {
  await page.goto('/api/docs');
  await expect(page.getByRole('heading', { name: /NanoClaw API/ })).toBeVisible();
  await expect(page.locator('.opblock-summary-path', { hasText: '/v1/chat/completions' })).toBeVisible();
  await expect(page.locator('.opblock-summary-path', { hasText: '/api/api-keys' }).first()).toBeVisible();
  await expect(page.locator('.opblock-tag', { hasText: 'conversations' })).toBeVisible();
  await shot(page, 'api-docs');
  await page.locator('.opblock-summary-path', { hasText: '/v1/chat/completions' }).click();
  await expect(page.locator('.opblock-body').first()).toContainText('messages');
  await shot(page, 'api-docs-completions');
});
