import { test, expect, shot, sendMessage, lastAssistant, simUrl } from './fixtures';

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

test('streams an answer: thinking, then the calculator call with its result, then the text, in order', async ({ page, consoleErrors }) => {
  await page.goto('/');
  await page.getByTestId('new-chat').click();
  await expect(page).toHaveURL(/\/c\/[\w-]+$/);
  // The server stores an empty title until the first message: the page shows a localised default.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New chat');
  await sendMessage(page, 'what is 17*23?');

  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'complete');
  const kinds = await answer.locator('[data-step]').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
  expect(kinds).toEqual(['thinking', 'tool', 'text']);

  // Thinking was open while streaming and is collapsed once the answer is done.
  const thinking = answer.locator('details.thinking');
  await expect(thinking).toContainText('calculator');
  await expect(thinking).not.toHaveAttribute('open', /.*/);

  const card = answer.locator('[data-step="tool"]');
  await expect(card).toContainText('calculator');
  await expect(card.locator('[data-part="arguments"]')).toContainText('"expression": "17*23"');
  await expect(card.locator('[data-part="result"]')).toContainText('391');
  await expect(card.locator('.tool-state')).toHaveAttribute('data-state', 'success');
  await expect(card.locator('.tool-duration')).toHaveText(/\d+ ms|\d+\.\d s/);
  await expect(answer.locator('[data-step="text"]')).toContainText('391');

  // The title the server derived from the first message reaches the header and the sidebar.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('what is 17*23?');
  await expect(page.locator('.conversation-item.active')).toContainText('what is 17*23?');
  await expect(page.getByRole('textbox', { name: 'Your message' })).toBeFocused();
  await shot(page, 'chat-tool-call-desktop');
  expect(consoleErrors).toEqual([]);
});

test('a reload in the middle of an answer re-attaches and shows the rest of it', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'slow:250' });
  await page.goto(`/c/${conversation.id}`);
  await sendMessage(page, 'tell me a long story');
  const answer = lastAssistant(page);
  await expect(answer.locator('[data-step="text"]')).toContainText(/\w+ \w+ \w+/);
  await expect(answer).toHaveAttribute('data-status', 'streaming');
  const box = page.getByRole('textbox', { name: 'Your message' });
  await expect(box).toBeEditable();
  await expect(page.getByText('An answer is being written.')).toBeVisible();
  await shot(page, 'chat-streaming');

  await page.reload();
  const resumed = lastAssistant(page);
  await expect(resumed).toHaveAttribute('data-status', 'streaming');
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
  await expect(resumed).toHaveAttribute('data-status', 'complete', { timeout: 30_000 });
  await expect(box).toBeEnabled();

  const stored = (await api.messages(conversation.id)).at(-1);
  expect(stored.status).toBe('complete');
  expect(squash(await resumed.locator('[data-step="text"]').innerText())).toBe(squash(stored.text));
  expect(stored.text.split(' ').length).toBe(40);
});

test('a second tab on the same conversation shows the same live run', async ({ page, api, context }) => {
  const conversation = await api.createConversation({ model: 'slow:250' });
  await page.goto(`/c/${conversation.id}`);
  await sendMessage(page, 'two tabs');
  await expect(lastAssistant(page).locator('[data-step="text"]')).toContainText(/\w+/);
  const second = await context.newPage();
  await second.goto(`/c/${conversation.id}`);
  await expect(lastAssistant(second)).toHaveAttribute('data-status', 'streaming');
  await expect(lastAssistant(second)).toHaveAttribute('data-status', 'complete', { timeout: 30_000 });
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  expect(squash(await lastAssistant(second).innerText())).toBe(squash(await lastAssistant(page).innerText()));
  await second.close();
});

test('Stop ends the answer, keeps what was written and frees the input', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'slow:200' });
  await page.goto(`/c/${conversation.id}`);
  await sendMessage(page, 'a very long answer please');
  const answer = lastAssistant(page);
  await expect(answer.locator('[data-step="text"]')).toContainText(/\w+ \w+/);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(answer).toHaveAttribute('data-status', 'stopped');
  await expect(answer.locator('.status-note')).toContainText('Stopped');
  await expect(page.getByRole('textbox', { name: 'Your message' })).toBeEnabled();
  const stored = (await api.messages(conversation.id)).at(-1);
  expect(stored.status).toBe('stopped');
  expect(stored.text.split(' ').length).toBeLessThan(40);
  expect(squash(await answer.locator('[data-step="text"]').innerText())).toBe(squash(stored.text));
});

test('regenerate shows a new version of the answer; delete removes a message and a conversation after confirming', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  await sendMessage(page, 'say something');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await expect(lastAssistant(page)).toHaveAttribute('data-message-id', /.+/);
  const firstId = await lastAssistant(page).getAttribute('data-message-id');
  expect(firstId).toBeTruthy();
  // Each action button says, for screen readers, which message it acts on.
  await expect(page.locator('article[data-role="user"]').getByRole('button', { name: 'Copy your message “say something”' })).toBeVisible();
  await expect(page.locator('article[data-role="user"]').getByRole('button', { name: 'Delete your message “say something”' })).toBeVisible();
  await expect(lastAssistant(page).getByRole('button', { name: /^Regenerate the answer “\S/ })).toBeVisible();

  await lastAssistant(page).getByRole('button', { name: 'Regenerate' }).click();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await expect(lastAssistant(page)).toHaveAttribute('data-message-id', /.+/);
  await expect(lastAssistant(page)).not.toHaveAttribute('data-message-id', firstId!);
  await expect(page.locator('article[data-role="assistant"]')).toHaveCount(1);
  const stored = await api.messages(conversation.id);
  expect(stored.map((m: any) => m.role)).toEqual(['user', 'assistant']);
  expect(stored[1].id).not.toBe(firstId);

  // Delete the answer: a confirmation first; cancelling keeps it.
  await lastAssistant(page).getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this message?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('article[data-role="assistant"]')).toHaveCount(1);
  await lastAssistant(page).getByRole('button', { name: 'Delete' }).click();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  // The earlier version of the answer (kept by regenerate) takes its place.
  await expect(lastAssistant(page)).toHaveAttribute('data-message-id', firstId!);
  await expect(lastAssistant(page).locator('.version-switch')).toHaveCount(0);
  expect((await api.messages(conversation.id)).map((m: any) => m.id)).toEqual([stored[0].id, firstId]);
  await lastAssistant(page).getByRole('button', { name: 'Delete' }).click();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(page.locator('article[data-role="assistant"]')).toHaveCount(0);
  expect((await api.messages(conversation.id)).map((m: any) => m.role)).toEqual(['user']);

  // Rename, then delete the conversation from the sidebar.
  const item = page.locator(`[data-conversation-id="${conversation.id}"]`);
  await item.getByRole('button', { name: /^Actions for/ }).click();
  await item.getByRole('menuitem', { name: 'Rename' }).click();
  await item.getByRole('textbox', { name: 'New title' }).fill('Renamed chat');
  await item.getByRole('textbox', { name: 'New title' }).press('Enter');
  await expect(item).toContainText('Renamed chat');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Renamed chat');
  expect((await api.get(`/api/conversations/${conversation.id}`)).title).toBe('Renamed chat');

  await item.getByRole('button', { name: 'Actions for “Renamed chat”' }).click();
  await item.getByRole('menuitem', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete this conversation?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(item).toHaveCount(0);
  const gone = await page.request.get(`/api/conversations/${conversation.id}`);
  expect(gone.status()).toBe(404);
});

test('settings change what the model receives (echo model reports the request)', async ({ page, api }) => {
  const conversation = await api.createConversation({});
  await page.goto(`/c/${conversation.id}`);
  await page.getByRole('button', { name: 'Conversation settings' }).click();
  const panel = page.getByRole('dialog', { name: 'Conversation settings' });
  await panel.getByLabel('Model', { exact: true }).selectOption('echo');
  await panel.getByLabel('System prompt').fill('You are terse.');
  await panel.getByRole('slider', { name: /Temperature/ }).fill('0.3');
  await panel.getByLabel('Max tokens').fill('321');
  await panel.getByLabel('Let the model use tools').uncheck();
  await shot(page, 'chat-settings-panel');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(panel.getByText('Saved.')).toBeVisible();
  await expect(page.getByTestId('model-picker')).toContainText('Sim echo');
  await expect(page.getByText('Tools are off for this conversation.')).toBeVisible();

  await sendMessage(page, 'hello echo');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  const stored = (await api.messages(conversation.id)).at(-1);
  const seen = JSON.parse(stored.text);
  expect(seen).toMatchObject({ temperature: 0.3, max_tokens: 321, tools: [], last_user: 'hello echo' });
  expect(seen.roles[0]).toBe('system');
  const requests = await (await page.request.get(`${simUrl()}/_sim/requests`)).json();
  const last = requests.at(-1).body;
  expect(last.messages[0]).toMatchObject({ role: 'system', content: 'You are terse.' });

  // The settings are the conversation's: they survive a reload.
  await page.reload();
  await page.getByRole('button', { name: 'Conversation settings' }).click();
  await expect(page.getByRole('dialog', { name: 'Conversation settings' }).getByLabel('System prompt')).toHaveValue('You are terse.');
  await expect(page.getByRole('dialog', { name: 'Conversation settings' }).getByLabel('Let the model use tools')).not.toBeChecked();
});

test('attachments: a text file read in the browser is sent with the message', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  await page.getByTestId('attach-input').setInputFiles({ name: 'notes.py', mimeType: 'text/x-python', buffer: Buffer.from('print("hi")\n') });
  await expect(page.locator('.composer .chip')).toContainText('notes.py');
  await sendMessage(page, 'look at this file');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await expect(page.locator('article[data-role="user"] .chip')).toContainText('notes.py');
  const [question] = await api.messages(conversation.id);
  expect(question.attachments).toEqual([{ name: 'notes.py', extension: 'py', content: 'print("hi")\n' }]);
});

test('Shift+Enter makes a new line, Enter sends', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  const box = page.getByRole('textbox', { name: 'Your message' });
  await box.fill('line one');
  await box.press('Shift+Enter');
  await box.pressSequentially('line two');
  await expect(box).toHaveValue('line one\nline two');
  await box.press('Enter');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  const [question] = await api.messages(conversation.id);
  expect(question.text).toBe('line one\nline two');
});

test('a failing provider shows a plain error inline with a retry', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'error-503' });
  await page.goto(`/c/${conversation.id}`);
  await sendMessage(page, 'will this work?');
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'error');
  const alert = answer.getByRole('alert');
  await expect(alert).toContainText('LLM service unavailable');
  await expect(alert.getByRole('button', { name: 'Retry' })).toBeEnabled();
  await shot(page, 'chat-error');
  // Switch to a working model and retry: the answer is produced in place of the failed one.
  await api.get(`/api/conversations/${conversation.id}`);
  await page.request.patch(`/api/conversations/${conversation.id}`, { data: { model: 'text' } });
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await expect(page.locator('article[data-role="assistant"]')).toHaveCount(1);
});

test('the sidebar lists conversations newest first and loads older ones as it scrolls', async ({ page, api }) => {
  for (let i = 1; i <= 35; i++) await api.createConversation({ title: `Bulk ${String(i).padStart(2, '0')}` });
  let total = 0;
  let cursor: string | null = null;
  do {
    const page_: any = await api.get(`/api/conversations?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    total += page_.items.length;
    cursor = page_.has_more ? page_.next_cursor : null;
  } while (cursor);

  await page.goto('/');
  const items = page.locator('.conversation-item');
  await expect(items.first()).toContainText('Bulk 35');
  await expect(items.nth(1)).toContainText('Bulk 34');
  expect(await items.count()).toBeLessThan(total);
  const scroller = page.locator('.conversation-scroll');
  await expect(async () => {
    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    expect(await items.count()).toBe(total);
  }).toPass({ timeout: 15_000 });
  await expect(page.locator(`.conversation-item:has-text("Bulk 01")`)).toHaveCount(1);
});

test('sending from the start page creates the conversation and streams the answer there', async ({ page }) => {
  await page.goto('/');
  await sendMessage(page, 'what is 6*7?');
  await expect(page).toHaveURL(/\/c\/[\w-]+$/);
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await expect(lastAssistant(page).locator('[data-step="tool"]')).toContainText('42');
  await expect(page.locator('article[data-role="user"]')).toHaveCount(1);
  await expect(page.locator('.conversation-item.active')).toContainText('what is 6*7?');
});

test('a long conversation shows its latest messages and brings in earlier ones when scrolled up', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text:3' });
  for (let i = 1; i <= 35; i++) {
    const res = await page.request.post(`/api/conversations/${conversation.id}/messages`, { data: { text: `question ${i}` } });
    expect(res.status()).toBe(200);
    await res.text();
  }
  await page.goto(`/c/${conversation.id}`);
  await expect(page.locator('article[data-role="user"]').last()).toContainText('question 35');
  // The list is virtualised: only the messages near the viewport are in the page.
  expect(await page.locator('article.message').count()).toBeLessThan(70);
  await expect(async () => {
    await page.locator('.messages').evaluate((el) => el.scrollTo(0, 0));
    await expect(page.locator('article[data-role="user"] .user-text').first()).toHaveText('question 1', { timeout: 1000 });
  }).toPass({ timeout: 10_000 });
});

test('a conversation longer than one page opens at its newest page and fetches older pages when scrolled up', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text:3' });
  for (let i = 1; i <= 60; i++) {
    const res = await page.request.post(`/api/conversations/${conversation.id}/messages`, { data: { text: `question ${i}` } });
    expect(res.status()).toBe(200);
    await res.text();
  }
  const messageRequests: string[] = [];
  page.on('request', (request) => {
    if (/\/messages\?/.test(request.url())) messageRequests.push(new URL(request.url()).search);
  });
  await page.goto(`/c/${conversation.id}`);
  await expect(page.locator('article[data-role="user"]').last()).toContainText('question 60');
  // 120 messages stored: only the newest 100 are fetched to open it.
  expect(messageRequests).toEqual(['?limit=100&direction=backward']);
  await expect(async () => {
    await page.locator('.messages').evaluate((el) => el.scrollTo(0, 0));
    await expect(page.locator('article[data-role="user"]').getByText('question 1', { exact: true })).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  expect(messageRequests).toHaveLength(2);
  expect(messageRequests[1]).toMatch(/^\?limit=100&direction=backward&cursor=/);
  expect(await page.locator('article.message').count()).toBeLessThan(120);
});

test('projects: create one, chats made under it belong to it, and the sidebar filters by it', async ({ page, api }) => {
  const outside = await api.createConversation({ title: 'Outside any project' });
  await page.goto('/');
  await page.getByRole('button', { name: 'New project' }).click();
  const projectName = `proj-${Date.now().toString(36)}`;
  await page.getByRole('textbox', { name: 'Project name' }).fill(projectName);
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByTestId('project-select')).toHaveValue(/.+/);
  await expect(page.locator(`[data-conversation-id="${outside.id}"]`)).toHaveCount(0);

  await page.getByTestId('new-chat').click();
  await expect(page).toHaveURL(/\/c\//);
  const id = page.url().split('/c/')[1]!;
  const detail = await api.get(`/api/conversations/${id}`);
  expect(detail.project_name).toBe(projectName);
  await expect(page.getByText(`Project: ${projectName}`)).toBeVisible();
  await expect(page.locator('.conversation-item')).toHaveCount(1);

  await page.getByTestId('project-select').selectOption('');
  await expect(page.locator(`[data-conversation-id="${outside.id}"]`)).toHaveCount(1);
  await expect(page.locator(`[data-conversation-id="${id}"]`)).toHaveCount(1);
});

test('typing while it answers: Enter queues the message (cancellable), sent when the answer ends; "Stop and send" stops and sends now', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'slow:250' });
  await page.goto(`/c/${conversation.id}`);
  await sendMessage(page, 'first question');
  const box = page.getByRole('textbox', { name: 'Your message' });
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'streaming');

  // Enter during the run queues; the queued messages are listed, each with its own cancel button.
  await box.fill('second question');
  await box.press('Enter');
  await box.fill('never sent');
  await page.getByRole('button', { name: 'Queue', exact: true }).click();
  const queued = page.getByTestId('queued-message');
  await expect(queued).toHaveCount(2);
  await expect(queued.first()).toContainText('second question');
  await expect(box).toHaveValue('');
  await expect(box).toBeFocused();
  await shot(page, 'chat-queued-while-answering');
  await page.getByRole('button', { name: 'Cancel queued message: never sent' }).click();
  await expect(queued).toHaveCount(1);

  // When the answer ends, the queued message goes out by itself, and its answer streams.
  const userTexts = page.locator('article[data-role="user"] .user-text');
  await expect(userTexts).toHaveText(['first question', 'second question'], { timeout: 30_000 });
  await expect(queued).toHaveCount(0);
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'streaming');

  // "Stop and send": the running answer stops (kept, marked stopped) and the new message is sent at once.
  await box.fill('third, right now');
  await page.getByRole('button', { name: 'Stop and send' }).click();
  await expect(userTexts).toHaveText(['first question', 'second question', 'third, right now']);
  await expect(page.locator('article[data-role="assistant"]').nth(1)).toHaveAttribute('data-status', 'stopped');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', /streaming|complete/);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'stopped');
  const stored = await api.messages(conversation.id);
  expect(stored.filter((m) => m.role === 'user').map((m) => m.text)).toEqual(['first question', 'second question', 'third, right now']);
  expect(stored.filter((m) => m.role === 'assistant').map((m) => m.status)).toEqual(['complete', 'stopped', 'stopped']);
});

test('the sidebar: one Tab stop per conversation, its menu from the keyboard (→), moving it into and out of a project', async ({ page, api }) => {
  const projectName = `Menu project ${Date.now()}`;
  const project = (await (await page.request.post('/api/projects', { data: { name: projectName } })).json()).data;
  const first = await api.createConversation({ model: 'text', title: 'Menu one' });
  const second = await api.createConversation({ model: 'text', title: 'Menu two' });
  await page.goto(`/c/${second.id}`);
  const links = page.locator('.conversation-link');
  await expect(page.locator(`[data-conversation-id="${first.id}"]`)).toBeVisible();

  // A title has its row's whole width until the row is hovered, focused or open.
  await page.mouse.move(900, 700);
  const row = page.locator(`[data-conversation-id="${first.id}"]`);
  const [rowBox, linkBox] = [await row.boundingBox(), await row.locator('.conversation-link').boundingBox()];
  const padding = await row.locator('.conversation-link').evaluate((el) => parseFloat(getComputedStyle(el).paddingRight));
  expect(linkBox!.width).toBeGreaterThanOrEqual(rowBox!.width - 1);
  expect(padding).toBeLessThan(20);

  // Tab goes from one conversation's link to the next: the menu buttons are not Tab stops.
  await links.filter({ hasText: 'Menu two' }).focus();
  await page.keyboard.press('Tab');
  await expect(links.filter({ hasText: 'Menu one' })).toBeFocused();

  // → opens the menu on its first item; arrows move; Esc closes it and focus returns to the link.
  await page.keyboard.press('ArrowRight');
  const menu = page.getByRole('menu', { name: 'Actions for “Menu one”' });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Rename' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: `Move to ${projectName}` })).toBeFocused();
  await shot(page, 'sidebar-conversation-menu');
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(links.filter({ hasText: 'Menu one' })).toBeFocused();

  // Move into the project, from the keyboard.
  await page.keyboard.press('Shift+F10');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(menu).toBeHidden();
  await expect.poll(async () => (await api.get(`/api/conversations/${first.id}`)).project_id).toBe(project.id);
  await page.getByTestId('project-select').selectOption(project.id);
  await expect(page.locator(`[data-conversation-id="${first.id}"]`)).toBeVisible();
  await expect(page.locator(`[data-conversation-id="${second.id}"]`)).toHaveCount(0);

  // And out of it: it leaves the project's list.
  await page.locator(`[data-conversation-id="${first.id}"]`).getByRole('button', { name: 'Actions for “Menu one”' }).click();
  await page.getByRole('menuitem', { name: 'Move out of its project' }).click();
  await expect(page.locator(`[data-conversation-id="${first.id}"]`)).toHaveCount(0);
  expect((await api.get(`/api/conversations/${first.id}`)).project_id).toBeNull();
  await page.getByTestId('project-select').selectOption('');
});

test('model picker: chosen on the start page and in the header (searchable, grouped, with badges), applies to the next message; a thinking switch for models that think', async ({ page, api }) => {
  await page.goto('/');
  const picker = page.getByTestId('model-picker');
  await expect(picker).toContainText('Sim tool-call');
  await picker.click();
  const search = page.getByRole('combobox', { name: 'Search models' });
  await expect(search).toBeFocused();
  await search.fill('echo');
  const options = page.getByRole('listbox', { name: 'Models' }).getByRole('option');
  await expect(options).toHaveCount(1);
  await page.keyboard.press('Enter');
  await expect(picker).toContainText('Sim echo');
  await expect(picker).toBeFocused();
  await sendMessage(page, 'which model?');
  await expect(page).toHaveURL(/\/c\//);
  const id = new URL(page.url()).pathname.split('/').at(-1)!;
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  expect((await api.get(`/api/conversations/${id}`)).model).toBe('echo');
  // Only the echo model answers with the request it got: the model chosen on the start page answered.
  await expect(lastAssistant(page)).toContainText('"last_user":"which model?"');

  // In the header: every model, grouped by provider, with what it can do; choosing one applies to the next message.
  await picker.click();
  await expect(page.getByRole('group', { name: 'OpenAI-compatible' }).getByRole('option')).toHaveCount(9);
  await expect(page.getByRole('listbox', { name: 'Models' }).getByRole('option', { name: /Sim reasoning/ })).toContainText('images');
  await expect(page.getByRole('listbox', { name: 'Models' }).getByRole('option', { name: /Sim reasoning/ })).toContainText('thinks');
  await expect(page.getByRole('listbox', { name: 'Models' }).getByRole('option', { name: /Sim echo/ })).toHaveAttribute('aria-selected', 'true');
  await shot(page, 'model-picker-open');
  await page.keyboard.type('reason');
  await page.keyboard.press('Enter');
  await expect(picker).toContainText('Sim reasoning');
  await expect.poll(async () => (await api.get(`/api/conversations/${id}`)).model).toBe('reasoning');
  const thinking = page.getByRole('switch', { name: 'Thinking' });
  await expect(thinking).not.toBeChecked();
  await thinking.check();
  await expect.poll(async () => (await api.get(`/api/conversations/${id}`)).thinking_enabled).toBe(true);
  await sendMessage(page, 'think about it');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await expect(lastAssistant(page).locator('[data-step="thinking"]')).toHaveCount(1);

  // Esc closes the list without changing anything; a model without thinking has no switch.
  await picker.click();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('listbox')).toBeHidden();
  await expect(picker).toBeFocused();
  await picker.click();
  await page.keyboard.type('text:3');
  await page.keyboard.press('Enter');
  await expect(picker).toContainText('Sim text:3');
  await expect(page.getByRole('switch', { name: 'Thinking' })).toHaveCount(0);
});

test('a slow first token is never silent: the waiting note counts the seconds', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  const res = await page.request.post(`${simUrl()}/_sim/script`, { data: { responses: [{ kind: 'stream', content: 'Finally here.', delayMs: 4000 }] } });
  expect(res.status()).toBe(200);
  await sendMessage(page, 'take your time');
  const answer = lastAssistant(page);
  await expect(answer.getByText('Waiting for the model…')).toBeVisible();
  await expect(answer.getByTestId('waiting-elapsed')).toHaveText(/^[2-9] s$/, { timeout: 5000 });
  await shot(page, 'chat-waiting-elapsed');
  await expect(answer).toHaveAttribute('data-status', 'complete', { timeout: 15_000 });
  await expect(answer.getByTestId('waiting-elapsed')).toHaveCount(0);
  await expect(answer).toContainText('Finally here.');
});

test('waiting is never silent: while the provider is busy the answer says when it retries and which attempt it is', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  const res = await page.request.post(`${simUrl()}/_sim/script`, {
    data: {
      responses: [
        { kind: 'error', status: 429, headers: { 'retry-after': '3' } },
        { kind: 'stream', content: 'Back again, here is the answer.' },
      ],
    },
  });
  expect(res.status()).toBe(200);
  await sendMessage(page, 'are you busy?');
  const answer = lastAssistant(page);
  const note = answer.getByTestId('retry-note');
  await expect(note).toHaveText(/^\s*Provider busy — retrying in [1-3] s \(attempt 2 of 4\)$/);
  await shot(page, 'chat-provider-busy');
  await expect(answer).toHaveAttribute('data-status', 'complete', { timeout: 15_000 });
  await expect(note).toHaveCount(0);
  await expect(answer).toContainText('Back again, here is the answer.');
});
