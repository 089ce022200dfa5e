import { test, expect, shot, sendMessage, lastAssistant } from './fixtures';

const multi = () => process.env.E2E_MULTI_URL!;

test('multi-user mode: sign-in page, register, chat with the token, sign out, sign in again', async ({ page }) => {
  const name = `user${Date.now().toString(36)}`;
  await page.goto(`${multi()}/stats`);
  await expect(page).toHaveURL(/\/login\?redirect=(%2F|\/)stats$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');

  // A wrong password is refused in plain words.
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await shot(page, 'login');

  await page.getByRole('button', { name: 'No account yet? Create one' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create an account');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/stats$/);
  await expect(page.locator('.account-name')).toHaveText(name);

  await page.getByTestId('new-chat').click();
  await sendMessage(page, 'what is 3*3?');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await expect(lastAssistant(page).locator('[data-step="tool"]')).toContainText('9');
  await page.reload();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await expect(page.locator('.conversation-item')).toHaveCount(1);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await page.evaluate(() => localStorage.getItem('nanoclaw.token'))).toBeNull();
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('.conversation-item')).toHaveCount(1);
  await expect(page.locator('.conversation-item')).toContainText('what is 3*3?');

  // An invalid token (expired, revoked) sends the person back to the sign-in page.
  await page.evaluate(() => localStorage.setItem('nanoclaw.token', 'not-a-valid-token'));
  await page.reload();
  await expect(page).toHaveURL(/\/login/);
});

test('single-user mode never shows the sign-in page', async ({ page }) => {
  await page.goto('/login');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('new-chat')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
});
