import { writeFileSync } from 'node:fs';
import { shot } from './fixtures';
import { expect, newConversation, test } from './agentsServer';

test('the settings panel lists the tools by origin: built-in, then each MCP server with its state, error and tools, updated as a server comes up', async ({ page }) => {
  const id = await newConversation(page, { model: 'text' });
  await page.goto(`/c/${id}`);
  await page.getByRole('button', { name: 'Conversation settings' }).click();
  const panel = page.getByRole('dialog', { name: 'Conversation settings' });
  const list = panel.getByRole('region', { name: 'Available tools' });
  await expect(list).toBeVisible();

  const builtin = list.locator('[data-group="builtin"]');
  const everything = list.locator('[data-group="everything"]');
  const broken = list.locator('[data-group="broken"]');
  await expect(list.locator('.tool-group')).toHaveCount(3);
  expect(await list.locator('.tool-group').evaluateAll((els) => els.map((el) => el.getAttribute('data-group')))).toEqual(['builtin', 'everything', 'broken']);

  // Built-in: no status, its tools behind a disclosure.
  await expect(builtin.locator('.tool-group-name')).toHaveText('Built-in');
  await expect(builtin.locator('.mcp-status')).toHaveCount(0);
  const builtinCount = (await page.request.get('/api/tools').then((r) => r.json())).data.filter((t: any) => !t.server).length;
  await expect(builtin.locator('.tool-group-meta')).toHaveText(`${builtinCount} tools`);
  await expect(builtin.locator('[data-tool="calculator"]')).toBeHidden();
  await builtin.locator('summary').click();
  await expect(builtin.locator('[data-tool="calculator"]')).toBeVisible();
  await expect(builtin.locator('[data-tool="multi_agent"]')).toContainText('sub-agent');

  // The gated server has not started yet: connecting, no tools. The missing command: failed, with why.
  await expect(everything.locator('.tool-group-name')).toHaveText('everything');
  await expect(everything.locator('.mcp-status')).toHaveText('Connecting…');
  await expect(everything.locator('.tool-group-meta')).toHaveText('MCP server · local process · no tools');
  await expect(everything.locator('.tool-group-note')).toHaveText('Its tools appear once it has started.');
  await expect(broken.locator('.mcp-status')).toHaveText('Failed');
  await expect(broken.locator('.tool-group-note')).toHaveText('command not found: /nonexistent/bin/mcp-server-that-is-not-there');
  await expect(broken.locator('.tool-group-note')).toHaveClass(/bad/);
  await expect(broken.locator('details')).toHaveCount(0);
  await panel.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await shot(page, 'tools-mcp-connecting');

  // The server starts: the open panel shows it connected with its tools, without a reload.
  writeFileSync(process.env.E2E_MCP_GATE!, 'open');
  await expect(everything.locator('.mcp-status')).toHaveText('Connected', { timeout: 30_000 });
  const status = (await page.request.get('/api/tools/status').then((r) => r.json())).data.mcp_servers.find((s: any) => s.name === 'everything');
  expect(status.status).toBe('connected');
  await expect(everything.locator('.tool-group-meta')).toHaveText(`MCP server · local process · ${status.tools.length} tools`);
  await expect(everything.locator('.tool-group-note')).toHaveCount(0);
  await expect(everything.locator('summary')).toHaveText('Show the tools');
  await everything.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(everything.locator('[data-tool="mcp__everything__echo"] code')).toHaveText('echo');
  await expect(everything.locator('[data-tool="mcp__everything__get-sum"] code')).toHaveText('get-sum');
  await expect(builtin.locator('[data-tool^="mcp__"]')).toHaveCount(0);
  await panel.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await shot(page, 'tools-mcp-connected');

  // Dark theme and Chinese.
  await page.getByTestId('theme-select').selectOption('dark');
  await page.getByTestId('locale-select').selectOption('zh-CN');
  const zhList = page.getByRole('dialog', { name: '对话设置' }).getByRole('region', { name: '可用工具' });
  await expect(zhList.locator('[data-group="everything"] .mcp-status')).toHaveText('已连接');
  await expect(zhList.locator('[data-group="broken"] .mcp-status')).toHaveText('连接失败');
  await expect(zhList.locator('[data-group="builtin"] .tool-group-name')).toHaveText('内置');
  await expect(zhList.locator('[data-group="everything"] .tool-group-meta')).toHaveText(`MCP 服务器 · 本地进程 · ${status.tools.length} 个工具`);
  await page.getByRole('dialog', { name: '对话设置' }).evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await shot(page, 'tools-mcp-dark-zh');
});

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  test('the tool list fits a phone-width settings panel', async ({ page }) => {
    const id = await newConversation(page, { model: 'text' });
    await page.goto(`/c/${id}`);
    await page.getByRole('button', { name: 'Conversation settings' }).click();
    const list = page.getByRole('dialog', { name: 'Conversation settings' }).getByRole('region', { name: 'Available tools' });
    await expect(list.locator('[data-group="broken"] .mcp-status')).toHaveText('Failed');
    await list.locator('[data-group="broken"]').scrollIntoViewIfNeeded();
    for (const group of await list.locator('.tool-group').all()) {
      const box = await group.boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'tools-mcp-phone');
  });
});
