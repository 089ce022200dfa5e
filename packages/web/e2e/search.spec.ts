import type { APIRequestContext } from '@playwright/test';
import { test, expect, shot, simUrl } from './fixtures';

/**
 * Search from the sidebar (and Ctrl-K): hits with their matches highlighted; choosing one opens the
 * conversation scrolled to that message, even far up a long conversation. Pinning from the menu and
 * the date groups of the sidebar.
 */

const base = () => process.env.E2E_BASE_URL!;

async function newConversation(request: APIRequestContext, title: string): Promise<string> {
  const res = await request.post(`${base()}/api/conversations`, { data: { title } });
  expect(res.status()).toBe(200);
  return (await res.json()).data.id;
}

async function ask(request: APIRequestContext, conversationId: string, text: string, answer = 'Noted.'): Promise<void> {
  expect((await request.post(`${simUrl()}/_sim/script`, { data: { responses: [{ kind: 'stream', content: answer }] } })).status()).toBe(200);
  const res = await request.post(`${base()}/api/conversations/${conversationId}/messages`, { data: { text, tools_enabled: false } });
  expect(res.status()).toBe(200);
  await res.text();
}

test('search finds a message far up a long conversation and opens it there, highlighted', async ({ page, request }) => {
  const id = await newConversation(request, 'Travel notes');
  await ask(request, id, 'Where is the best Café in Zürich for breakfast?', 'Try the one by the lake.');
  for (let i = 1; i <= 60; i++) await ask(request, id, `filler question ${i}`, `Filler answer ${i}, with a second line.\n\nAnd a paragraph.`);
  const other = await newConversation(request, '学习计划');
  await ask(request, other, '我们明天在北京大学图书馆见面吧', '好的，明天见。');

  await page.goto('/');
  await page.keyboard.press('Control+k');
  const box = page.getByRole('searchbox', { name: 'Search conversations' });
  await expect(box).toBeFocused();
  await box.fill('cafe zurich');
  const hit = page.getByTestId('search-hit').filter({ hasText: 'Travel notes' });
  await expect(hit).toHaveCount(1);
  await expect(hit.locator('mark')).toHaveText(['Café', 'Zürich']);
  await shot(page, 'search-results');

  await hit.click();
  await expect(page).toHaveURL(new RegExp(`/c/${id}$`));
  const target = page.locator('.vlist-item.search-target');
  await expect(target).toContainText('Where is the best Café in Zürich');
  await expect(target).toBeInViewport();
  await shot(page, 'search-opened-hit');

  await box.fill('北京大');
  const chinese = page.getByTestId('search-hit').filter({ hasText: '学习计划' });
  await expect(chinese.locator('mark')).toHaveText('北京大');
  await chinese.click();
  await expect(page).toHaveURL(new RegExp(`/c/${other}$`));
  await expect(page.locator('.vlist-item.search-target')).toContainText('北京大学图书馆');

  await box.fill('zz');
  await expect(page.getByText('Type at least one word of 3 or more characters.')).toBeVisible();
  await box.press('Escape');
  await expect(box).toHaveValue('');
  await expect(page.getByRole('heading', { name: 'Today' })).toBeVisible();
});

test('pinning puts a conversation under Pinned, before the date groups', async ({ page, request }) => {
  const id = await newConversation(request, 'Pin candidate');
  await page.goto('/');
  const row = page.locator(`[data-conversation-id="${id}"]`);
  await row.hover();
  await row.getByRole('button', { name: 'Actions for “Pin candidate”' }).click();
  await page.getByRole('menuitem', { name: 'Pin' }).click();
  const pinnedHeading = page.getByRole('heading', { name: 'Pinned' });
  await expect(pinnedHeading).toBeVisible();
  await expect(page.getByRole('list', { name: 'Pinned' }).locator(`[data-conversation-id="${id}"]`)).toBeVisible();
  await expect(page.locator('.sidebar-group').first()).toHaveText('Pinned');
  await shot(page, 'sidebar-pinned');

  await page.reload();
  await expect(page.getByRole('list', { name: 'Pinned' }).locator(`[data-conversation-id="${id}"]`)).toBeVisible();
  await row.hover();
  await row.getByRole('button', { name: 'Actions for “Pin candidate”' }).click();
  await page.getByRole('menuitem', { name: 'Unpin' }).click();
  await expect(pinnedHeading).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Today' }).locator(`[data-conversation-id="${id}"]`)).toBeVisible();
});
