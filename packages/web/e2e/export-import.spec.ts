import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test, expect, shot, sendMessage, lastAssistant } from './fixtures';

const chatgptFixture = fileURLToPath(new URL('../../server/test/fixtures/imports/chatgpt-conversations.json', import.meta.url));

test('export a conversation as JSON and Markdown from its menu', async ({ page, api }) => {
  const conversation = await api.createConversation({ title: 'Export me', model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  await sendMessage(page, 'hello there');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');

  const item = page.locator(`[data-conversation-id="${conversation.id}"]`);
  await item.getByRole('button', { name: /^Actions for/ }).click();
  await shot(page, 'export-conversation-menu');
  const jsonDownload = page.waitForEvent('download');
  await item.getByRole('menuitem', { name: 'Export as JSON' }).click();
  const json = await jsonDownload;
  expect(json.suggestedFilename()).toBe('Export-me.json');
  const document = JSON.parse(readFileSync(await json.path(), 'utf8'));
  expect(document).toMatchObject({ format: 'nanoclaw-export', version: 1, conversations: [{ title: 'Export me' }] });
  expect(document.conversations[0].messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);

  await item.getByRole('button', { name: /^Actions for/ }).click();
  const mdDownload = page.waitForEvent('download');
  await item.getByRole('menuitem', { name: 'Export as Markdown' }).click();
  const md = await mdDownload;
  expect(md.suggestedFilename()).toBe('Export-me.md');
  expect(readFileSync(await md.path(), 'utf8')).toMatch(/^# Export me\n[\s\S]*## User\n\nhello there\n\n## Assistant\n/);
});

test('import a ChatGPT export from settings: a summary, the conversations in the sidebar, one opened on its active branch', async ({ page, api }) => {
  const conversation = await api.createConversation({ title: 'Settings host' });
  await page.goto(`/c/${conversation.id}`);
  await page.getByRole('button', { name: 'Conversation settings' }).click();
  const panel = page.getByRole('dialog', { name: 'Conversation settings' });
  const data = panel.getByRole('region', { name: 'Your data' });
  await expect(data).toBeVisible();

  // A file of another format: a sentence saying so, nothing created.
  await data.getByLabel('File to import').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"notes": []}') });
  await expect(data.getByRole('alert')).toContainText('Could not import notes.json: The file is in none of the formats NanoClaw imports');
  await data.getByRole('alert').scrollIntoViewIfNeeded();
  await shot(page, 'import-refused');

  await data.getByLabel('File to import').setInputFiles(chatgptFixture);
  const summary = data.getByRole('status');
  await expect(summary).toContainText('Imported 2 conversation(s) with 9 message(s) from a ChatGPT export.');
  await expect(summary).toContainText('image asset pointer: 1 kept as a text placeholder.');
  await expect(data.getByRole('alert')).toHaveCount(0);
  await summary.scrollIntoViewIfNeeded();
  await shot(page, 'import-summary');

  // In the sidebar, and opened from the summary.
  const sidebar = page.getByRole('navigation').or(page.locator('aside.sidebar, nav')).first();
  await expect(sidebar.getByText('Fibonacci numbers')).toBeVisible();
  await expect(sidebar.getByText('Plant identification')).toBeVisible();
  await summary.getByRole('link', { name: 'Fibonacci numbers' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Fibonacci numbers');
  await expect(page.locator('article[data-role="user"]').first()).toContainText('What is the 10th Fibonacci number?');
  // The code run is one answer: the python call with its output, then the text (on the active path, so shown).
  const codeRun = page.locator('article[data-role="assistant"]').filter({ hasText: 'Python agrees' });
  await expect(codeRun.locator('[data-step="tool"]')).toContainText('python');
  await expect(codeRun.locator('[data-step="tool"]')).toContainText('55');
  await shot(page, 'import-opened');
  const imported = await api.get('/api/conversations?limit=100');
  expect(imported.items.filter((c: { title: string }) => c.title === 'Fibonacci numbers')).toHaveLength(1);
});
