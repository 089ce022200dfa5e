import type { APIRequestContext } from '@playwright/test';
import { test, expect, shot, sendMessage, lastAssistant } from './fixtures';

/**
 * Quotas on the single-user instance, whose one user is also its administrator: each test sets that
 * user's limits through the admin API and puts them back to the default (unlimited) afterwards.
 */
const base = () => process.env.E2E_BASE_URL!;

async function me(request: APIRequestContext): Promise<string> {
  return (await (await request.get(`${base()}/api/auth/profile`)).json()).data.id;
}

async function setLimits(request: APIRequestContext, limits: Record<string, number>): Promise<void> {
  const res = await request.put(`${base()}/api/admin/users/${await me(request)}/limits`, { data: limits });
  expect(res.status()).toBe(200);
}

async function used(request: APIRequestContext): Promise<Record<string, number>> {
  const limits = (await (await request.get(`${base()}/api/stats/limits`)).json()).data.limits as Array<{ kind: string; used: number }>;
  return Object.fromEntries(limits.map((l) => [l.kind, l.used]));
}

test.afterEach(async ({ request }) => {
  await setLimits(request, {});
});

test('a used-up daily quota: the sentence saying which limit and when it resets, and nothing sent', async ({ page, api, request }) => {
  // Tokens are counted while a token limit applies: one answer uses more than 5.
  await setLimits(request, { tokens_per_day: 5 });
  const warmUp = await api.createConversation({ model: 'text' });
  await (await request.post(`${base()}/api/conversations/${warmUp.id}/messages`, { data: { text: 'hello' } })).body();
  expect((await used(request)).tokens_per_day).toBeGreaterThanOrEqual(5);

  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  await sendMessage(page, 'one more, please');
  const note = page.getByTestId('limit-error');
  await expect(note).toBeVisible();
  await expect(note).toHaveAttribute('role', 'alert');
  await expect(note).toContainText('Limit reached.');
  await expect(note).toContainText('You have used your 5 tokens for today; the limit resets at 00:00 UTC (in');
  await expect(note).not.toContainText('Something went wrong');
  await expect(page.locator('article[data-role="assistant"]')).toHaveCount(0);
  await shot(page, 'quota-exceeded-desktop');
  expect(await api.messages(conversation.id)).toEqual([]);
});

test('a run that reaches its limit mid-way ends with that sentence and keeps what it produced', async ({ page, api, request }) => {
  // The tool-call model calls the calculator in round 1; round 2 finds the month's tokens used up.
  await setLimits(request, { tokens_per_month: (await used(request)).tokens_per_month! + 1 });
  const conversation = await api.createConversation({ model: 'tool-call' });
  await page.goto(`/c/${conversation.id}`);
  await sendMessage(page, 'what is 17*23?');

  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'error');
  await expect(answer.locator('.run-error')).toContainText(/You have used your [\d,]+ tokens? for this month; the limit resets on 1 \w+ at 00:00 UTC/);
  await expect(answer.locator('[data-step="tool"] [data-part="result"]')).toContainText('391');
  await shot(page, 'quota-mid-run-desktop');

  // Stored: after a reload the partial answer and the sentence are still there.
  await page.reload();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'error');
  await expect(lastAssistant(page).locator('[data-step="tool"]')).toContainText('calculator');
  const [, stored] = await api.messages(conversation.id);
  expect(stored.status).toBe('error');
});

test('the stats page shows use against limits; the administrator edits a user\'s limits there', async ({ page, request }) => {
  await setLimits(request, { tokens_per_day: 1_000_000 });
  await page.goto('/stats');
  const own = page.getByTestId('own-limits');
  await expect(own).toBeVisible();
  const day = own.getByTestId('quota-tokens_per_day');
  await expect(day).toContainText('of 1,000,000');
  await expect(day.getByRole('meter', { name: 'Tokens today' })).toHaveAttribute('aria-valuemax', '1000000');
  await expect(own.getByTestId('quota-requests_per_minute')).toContainText('No limit');

  const admin = page.getByTestId('quota-admin');
  const user = admin.getByTestId('quota-user-default');
  await user.getByRole('button', { name: 'Edit the limits of default' }).click();
  await expect(user.getByRole('spinbutton', { name: 'Tokens today' })).toHaveValue('1000000');
  await user.getByRole('spinbutton', { name: 'Model requests this minute' }).fill('500');
  await user.getByRole('spinbutton', { name: 'Tokens today' }).fill('');
  await shot(page, 'quota-admin-edit-desktop');
  await user.getByRole('button', { name: 'Save limits' }).click();
  await expect(user.getByTestId('quota-requests_per_minute')).toContainText('of 500');
  await expect(user.getByTestId('quota-tokens_per_day')).toContainText('No limit');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(own.getByTestId('quota-requests_per_minute')).toContainText('of 500');
  await shot(page, 'quota-stats-desktop');
});
