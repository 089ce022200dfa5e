import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';

export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
mkdirSync(SCREENSHOTS, { recursive: true });

export interface Api {
  createConversation(fields?: Record<string, unknown>): Promise<{ id: string; title: string }>;
  messages(id: string): Promise<any[]>;
  get<T = any>(path: string): Promise<T>;
}

/**
 * `baseURL` is the server started in globalSetup; `consoleErrors` collects the page's console errors
 * and uncaught exceptions, and every test ends by asserting there were none (unless it opts out).
 */
export const test = base.extend<{ api: Api; consoleErrors: string[]; allowConsoleErrors: boolean }>({
  baseURL: async ({}, use) => use(process.env.E2E_BASE_URL),
  allowConsoleErrors: [false, { option: true }],
  consoleErrors: async ({ page, allowConsoleErrors }, use) => {
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    await use(errors);
    if (!allowConsoleErrors) expect(errors, 'console errors').toEqual([]);
  },
  api: async ({ request }, use) => {
    const base = process.env.E2E_BASE_URL!;
    await use({
      async createConversation(fields = {}) {
        const res = await request.post(`${base}/api/conversations`, { data: fields });
        expect(res.status()).toBe(200);
        return (await res.json()).data;
      },
      async messages(id) {
        const res = await request.get(`${base}/api/conversations/${id}/messages?limit=100`);
        return (await res.json()).data.items;
      },
      async get(path) {
        const res = await request.get(`${base}${path}`);
        return (await res.json()).data;
      },
    });
  },
});

export { expect };

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: false });
}

export function simUrl(): string {
  return process.env.E2E_SIM_URL!;
}

/** Types into the composer and presses Enter. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: /your message|你的消息/i });
  await expect(box).toBeEnabled();
  await box.fill(text);
  await box.press('Enter');
}

export const lastAssistant = (page: Page) => page.locator('article[data-role="assistant"]').last();
