import { test, expect, shot, sendMessage, lastAssistant } from './fixtures';

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

test('phone width: the sidebar is a drawer, chatting works and nothing overflows sideways', async ({ page }) => {
  await page.goto('/');
  const sidebar = page.getByRole('navigation', { name: 'Conversations' });
  await expect(sidebar).toBeHidden();
  await shot(page, 'phone-home');
  await page.getByRole('button', { name: 'Open the sidebar' }).click();
  await expect(sidebar).toBeVisible();
  await shot(page, 'phone-sidebar');
  await page.getByTestId('new-chat').click();
  await expect(sidebar).toBeHidden();
  await expect(page).toHaveURL(/\/c\//);

  await sendMessage(page, 'what is 12*12?');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await expect(lastAssistant(page).locator('[data-step="tool"]')).toContainText('144');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await shot(page, 'phone-chat');

  await page.getByRole('button', { name: 'Conversation settings' }).click();
  await expect(page.getByRole('dialog', { name: 'Conversation settings' })).toBeVisible();
  await shot(page, 'phone-settings');
  await page.getByRole('button', { name: 'Close settings' }).click();
  await expect(page.getByRole('dialog', { name: 'Conversation settings' })).toBeHidden();
});
