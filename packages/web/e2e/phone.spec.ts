import { test, expect, shot, sendMessage, lastAssistant, simUrl } from './fixtures';

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

test('phone width: finished tool calls are one line each (icon, name, arguments, state, time), open on demand, long results folded', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  const big = JSON.stringify(Array.from({ length: 60 }, (_, i) => ({ n: i })));
  const res = await page.request.post(`${simUrl()}/_sim/script`, {
    data: {
      responses: [
        {
          kind: 'stream',
          toolCalls: [
            { name: 'json_process', arguments: JSON.stringify({ operation: 'format', data: big }) },
            { name: 'text_process', arguments: JSON.stringify({ operation: 'case', text: 'two tool calls never fill the screen', case_style: 'upper' }) },
          ],
        },
        { kind: 'stream', content: 'Both tools answered.' },
      ],
    },
  });
  expect(res.status()).toBe(200);
  await sendMessage(page, 'use two tools');
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'complete');
  const cards = answer.locator('[data-step="tool"]');
  await expect(cards).toHaveCount(2);
  // Done: each card is its one summary line, saying what was called with what, how it went and how long it took.
  for (const card of await cards.all()) await expect(card).not.toHaveAttribute('open', '');
  const first = cards.nth(0).locator('summary');
  await expect(first.locator('.tool-name')).toHaveText('Tool: json_process');
  await expect(first.locator('.tool-summary')).toHaveText(/^format, \[\{"n":0\}/);
  await expect(first.locator('.tool-state')).toHaveText('Succeeded');
  await expect(first.locator('.tool-duration')).toHaveText(/\d+ ms|\d+\.\d s/);
  await expect(cards.nth(1).locator('.tool-summary')).toHaveText('case, two tool calls never fill the screen, upper');
  const heights = await cards.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height));
  expect(heights.reduce((a, b) => a + b, 0)).toBeLessThan(844 / 4);
  await shot(page, 'phone-tools-collapsed');

  // Opened, the long result shows its first lines and a button for the rest.
  await first.click();
  await expect(cards.nth(0)).toHaveAttribute('open', '');
  const result = cards.nth(0).locator('[data-part="result"]');
  expect((await result.innerText()).split('\n')).toHaveLength(12);
  await cards.nth(0).getByRole('button', { name: /Show all \d+ lines/ }).click();
  await expect(result).toContainText('"n": 59');
  await shot(page, 'phone-tools-opened');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('phone: the drawer takes focus, keeps Tab inside, closes with Esc back to its button; opening a chat does not pop the keyboard; settings give focus back; the scroll button never covers the composer', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text', title: 'Drawer focus' });
  const res = await page.request.post(`${simUrl()}/_sim/script`, { data: { responses: [{ kind: 'stream', content: Array.from({ length: 80 }, (_, i) => `Line ${i} of a long answer.`).join('\n\n') }] } });
  expect(res.status()).toBe(200);
  await page.goto(`/c/${conversation.id}`);
  // Opening a conversation on a touch screen leaves the composer unfocused: no keyboard over the chat.
  const box = page.getByRole('textbox', { name: 'Your message' });
  await expect(box).toBeVisible();
  await expect(box).not.toBeFocused();

  const opener = page.getByRole('button', { name: 'Open the sidebar' });
  await opener.click();
  const drawer = page.getByRole('navigation', { name: 'Conversations' });
  await expect(drawer).toBeVisible();
  await expect(drawer.getByRole('button', { name: 'Close the sidebar' })).toBeFocused();
  // Tab and Shift+Tab never leave the drawer.
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    expect(await drawer.evaluate((nav) => nav.contains(document.activeElement))).toBe(true);
  }
  await drawer.getByRole('button', { name: 'Close the sidebar' }).focus();
  await page.keyboard.press('Shift+Tab');
  expect(await drawer.evaluate((nav) => nav.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  await expect(opener).toBeFocused();

  // Settings: Esc closes them and focus returns to the button that opened them.
  const settings = page.getByRole('button', { name: 'Conversation settings' });
  await settings.click();
  await expect(page.getByRole('dialog', { name: 'Conversation settings' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Conversation settings' })).toBeHidden();
  await expect(settings).toBeFocused();

  // A long answer, scrolled up, with a tall composer: the scroll-to-end button stays above the composer.
  await sendMessage(page, 'a long answer please');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await box.fill('one\ntwo\nthree\nfour\nfive\nsix\nseven');
  await page.locator('.messages').evaluate((el) => el.scrollTo({ top: 0 }));
  const toEnd = page.getByRole('button', { name: 'Scroll to the latest message' });
  await expect(toEnd).toBeVisible();
  const button = (await toEnd.boundingBox())!;
  const composer = (await page.locator('.composer').boundingBox())!;
  expect(button.y + button.height).toBeLessThanOrEqual(composer.y);
  await shot(page, 'phone-scroll-button-above-composer');
  await toEnd.click();
  await expect(toEnd).toBeHidden();
});
