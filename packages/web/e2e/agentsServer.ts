import type { APIRequestContext, Page } from '@playwright/test';
import { test as base, expect, simUrl } from './fixtures';

/**
 * Specs against the NanoClaw instance with sub-agents and MCP servers configured (see globalSetup):
 * `page` and `request` talk to it; the simulator is shared with the other instances.
 */
export const test = base.extend({
  baseURL: async ({}, use) => use(process.env.E2E_AGENTS_URL),
});

export { expect };

/** Queues the simulator's next answers (one per model request, first come first served). */
export async function script(request: APIRequestContext, responses: object[]): Promise<void> {
  const res = await request.post(`${simUrl()}/_sim/script`, { data: { responses } });
  expect(res.status()).toBe(200);
}

/** Drops answers a failed test left queued, so they cannot reach the next test. */
export async function clearScript(request: APIRequestContext): Promise<void> {
  await request.delete(`${simUrl()}/_sim/script`);
}

export async function newConversation(page: Page, fields: Record<string, unknown> = {}): Promise<string> {
  const res = await page.request.post('/api/conversations', { data: fields });
  expect(res.status()).toBe(200);
  return (await res.json()).data.id;
}
