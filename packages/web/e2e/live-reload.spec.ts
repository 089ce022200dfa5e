import type { Locator, Page } from '@playwright/test';
import { lastAssistant, sendMessage, shot } from './fixtures';
import { clearScript, expect, newConversation, script, test } from './agentsServer';

/**
 * What a person sees while an answer streams is what a reload shows: the answer's DOM built live from
 * the run's events equals the DOM built from the stored message — for thinking, text over two rounds,
 * tool calls with their results, and two sub-agents each with their own thinking, tool call and text.
 */

const SHOUT = { name: 'text_process', arguments: JSON.stringify({ operation: 'case', text: 'forty-two', case_style: 'upper' }) };
const TASKS = [
  { name: 'alpha', task: 'Shout forty-two with text_process.', tools: ['text_process'] },
  { name: 'beta', task: 'Shout forty-two with text_process too.', tools: ['text_process'] },
];
// Both sub-agents get the same two answers (a tool call, then text), whichever asks first.
const SUB_AGENT_ROUNDS = [
  { kind: 'stream', reasoning: 'I will use text_process.', toolCalls: [SHOUT] },
  { kind: 'stream', reasoning: 'I will use text_process.', toolCalls: [SHOUT] },
  { kind: 'stream', content: 'It says **FORTY-TWO**.' },
  { kind: 'stream', content: 'It says **FORTY-TWO**.' },
];

test.afterEach(async ({ request }) => clearScript(request));

/** The answer's markup with its open/closed blocks as they are, and once more with every block opened. */
async function answerDom(answer: Locator): Promise<{ asShown: string; opened: string }> {
  const normalised = () =>
    answer.evaluate((el) => {
      const copy = el.cloneNode(true) as HTMLElement;
      // Scoped-style markers depend on the build, not on the answer.
      for (const node of copy.querySelectorAll('*')) for (const attr of [...node.attributes]) if (attr.name.startsWith('data-v-')) node.removeAttribute(attr.name);
      return copy.outerHTML.replace(/<!--[\s\S]*?-->/g, '');
    });
  const asShown = await normalised();
  await answer.evaluate((el) => el.querySelectorAll('details:not([open])').forEach((details) => ((details as HTMLDetailsElement).open = true)));
  await answer.page().waitForTimeout(100);
  // Opening a block may reveal more blocks inside it.
  await answer.evaluate((el) => el.querySelectorAll('details:not([open])').forEach((details) => ((details as HTMLDetailsElement).open = true)));
  await answer.page().waitForTimeout(100);
  return { asShown, opened: await normalised() };
}

/** Holds the page's reload of the stored messages after the run, so the streamed answer can be read first. */
async function holdMessageReloads(page: Page): Promise<{ release: () => void; held: { count: number } }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = { count: 0 };
  await page.route(/\/api\/conversations\/[^/]+\/messages\?/, async (route) => {
    if (route.request().method() === 'GET') {
      held.count++;
      await released;
    }
    await route.continue();
  });
  return { release, held };
}

test('an answer with thinking, text, tools and sub-agents looks the same streamed and reloaded', async ({ page }) => {
  const id = await newConversation(page, { model: 'text' });
  await page.goto(`/c/${id}`);
  await expect(page.getByRole('textbox', { name: /your message/i })).toBeEnabled();
  const { release, held } = await holdMessageReloads(page);
  await script(page.request, [
    { kind: 'stream', reasoning: 'Two parts; **sub-agents** will do them.', content: 'Handing this to two helpers.', toolCalls: [{ name: 'multi_agent', arguments: JSON.stringify({ tasks: TASKS }) }] },
    ...SUB_AGENT_ROUNDS,
    { kind: 'stream', reasoning: 'Both answered.', content: 'Both helpers say **FORTY-TWO**:\n\n```js\nconsole.log(42)\n```' },
  ]);
  await sendMessage(page, 'Split the work');

  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'complete', { timeout: 30_000 });
  await expect(answer.locator('.sub-agent')).toHaveCount(2);
  await shot(page, 'live-reload-streamed');
  const streamed = await answerDom(answer);
  // What was read is the streamed answer: the page's reload of the stored messages is still waiting.
  expect(held.count).toBeGreaterThan(0);

  release();
  await page.reload();
  const reloaded = lastAssistant(page);
  await expect(reloaded).toHaveAttribute('data-status', 'complete');
  await expect(reloaded.locator('.sub-agent')).toHaveCount(2);
  await shot(page, 'live-reload-reloaded');
  const stored = await answerDom(reloaded);

  expect(stored.asShown).toBe(streamed.asShown);
  expect(stored.opened).toBe(streamed.opened);
  // The comparison saw every kind of step.
  for (const kind of ['thinking', 'text', 'tool']) expect(stored.opened).toContain(`data-step="${kind}"`);
  expect(stored.opened).toContain('data-tool="multi_agent"');
  expect(stored.opened).toContain('data-tool="text_process"');
  expect(stored.opened).toContain('FORTY-TWO');
});
