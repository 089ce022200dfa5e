import { test, expect, shot, sendMessage, lastAssistant } from './fixtures';

const userTexts = (page: import('@playwright/test').Page) => page.locator('article[data-role="user"] .user-text').allInnerTexts();
const versionOf = (article: import('@playwright/test').Locator) => article.locator('.version-count');

test('edit a message into a new branch, switch between the versions at once, and the choice survives a reload', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  await sendMessage(page, 'first question');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await sendMessage(page, 'second question');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await expect(page.locator('.version-switch')).toHaveCount(0);

  // Edit: an inline editor; Cancel leaves everything as it was.
  const second = page.locator('article[data-role="user"]').nth(1);
  await second.getByRole('button', { name: 'Edit your message “second question”' }).click();
  const editor = second.getByRole('textbox', { name: 'Edit your message' });
  await expect(editor).toHaveValue('second question');
  await second.getByRole('button', { name: 'Cancel' }).click();
  await expect(editor).toHaveCount(0);
  await second.getByRole('button', { name: 'Edit your message “second question”' }).click();
  await editor.fill('second question, edited');
  await shot(page, 'branches-editing');
  await second.getByRole('button', { name: 'Save & send' }).click();

  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await expect.poll(() => userTexts(page)).toEqual(['first question', 'second question, edited']);
  const edited = page.locator('article[data-role="user"]').nth(1);
  await expect(versionOf(edited)).toHaveText('2 / 2');
  await expect(page.locator('article[data-role="user"]').first().locator('.version-switch')).toHaveCount(0);
  await shot(page, 'branches-edited');

  // Switch back: shown from the tree already read, then the server is told.
  const told = page.waitForResponse((res) => res.url().endsWith('/branch') && res.request().method() === 'POST');
  const reads: string[] = [];
  page.on('request', (req) => {
    if (req.method() === 'GET' && req.url().includes('/messages')) reads.push(req.url());
  });
  await edited.getByRole('button', { name: 'Previous version' }).click();
  await expect.poll(() => userTexts(page)).toEqual(['first question', 'second question']);
  // Shown from what the page already had: nothing was read to show it.
  expect(reads).toEqual([]);
  await expect(versionOf(page.locator('article[data-role="user"]').nth(1))).toHaveText('1 / 2');
  expect((await told).status()).toBe(200);
  expect((await api.messages(conversation.id)).map((m) => m.text).filter((_, i) => i % 2 === 0)).toEqual(['first question', 'second question']);

  await page.reload();
  await expect.poll(() => userTexts(page)).toEqual(['first question', 'second question']);
  await expect(versionOf(page.locator('article[data-role="user"]').nth(1))).toHaveText('1 / 2');
  await shot(page, 'branches-after-reload');

  // Answers have versions too: regenerating keeps the old one.
  await lastAssistant(page).getByRole('button', { name: 'Regenerate' }).click();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await expect(versionOf(lastAssistant(page))).toHaveText('2 / 2');
  await lastAssistant(page).getByRole('button', { name: 'Previous version' }).click();
  await expect(versionOf(lastAssistant(page))).toHaveText('1 / 2');
  await page.reload();
  await expect(versionOf(lastAssistant(page))).toHaveText('1 / 2');
  await expect.poll(() => userTexts(page)).toEqual(['first question', 'second question']);
  await shot(page, 'branches-answer-versions');
});
