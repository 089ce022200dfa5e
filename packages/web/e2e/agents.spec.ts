import type { Locator, Page } from '@playwright/test';
import { lastAssistant, sendMessage, shot } from './fixtures';
import { clearScript, expect, newConversation, script, test } from './agentsServer';

const multiAgentCall = (tasks: object[]) => ({ name: 'multi_agent', arguments: JSON.stringify({ tasks }) });
const TASKS = [
  { name: 'researcher', task: 'Write "six times seven is forty-two" in capitals with text_process.', tools: ['text_process'] },
  { name: 'writer', task: 'Draft a one-line summary.' },
];

test.afterEach(async ({ request }) => clearScript(request));
// The sub-agents' tool is text_process rather than the calculator: the calculator's first use loads its
// maths library synchronously, freezing the server's event loop for seconds on a busy machine, after
// which the next model request can hang on a keep-alive socket the simulator has closed meanwhile.
const SHOUT = { name: 'text_process', arguments: JSON.stringify({ operation: 'case', text: 'six times seven is forty-two', case_style: 'upper' }) };

/** The kinds of the steps shown directly in `container` (not those nested deeper). */
const kinds = (steps: Locator) => steps.evaluateAll((els) => els.map((el) => el.getAttribute('data-step')));
const topLevel = (answer: Locator) => answer.locator('.message-body > .steps > [data-step]');
const agentSteps = (group: Locator) => group.locator('.sub-agent-body > .steps > [data-step]');

test('parallel sub-agents stream into their own labelled groups inside the multi_agent card: live, after a re-attach, and once stored', async ({ page }) => {
  const id = await newConversation(page, { model: 'text' });
  await page.goto(`/c/${id}`);
  // Both sub-agents start at once; whichever asks first gets the stalled stream (it stays open, so the
  // run is still live while the test looks), the other thinks, calls text_process and answers.
  await script(page.request, [
    { kind: 'stream', reasoning: 'Two independent parts: I will hand them to sub-agents.', toolCalls: [multiAgentCall(TASKS)] },
    { kind: 'stall', reasoning: 'Drafting a summary line while the numbers come in.', afterPieces: 4 },
    { kind: 'stream', reasoning: 'I need text_process for this.', toolCalls: [SHOUT] },
    { kind: 'stream', content: 'Six times seven is 42.' },
  ]);
  await sendMessage(page, 'Split the work');

  const check = async (answer: Locator, live: boolean) => {
    await expect(answer).toHaveAttribute('data-status', live ? 'streaming' : 'stopped');
    const card = answer.locator('[data-step="tool"][data-tool="multi_agent"]');
    const groups = card.locator('.sub-agent');
    const busy = groups.filter({ has: page.locator('[data-tool="text_process"]') });
    const stalled = groups.filter({ hasNot: page.locator('[data-tool="text_process"]') });
    await expect(busy.locator('[data-step="text"]')).toContainText('Six times seven is 42.');
    // The main agent's own steps stay outside the card; the sub-agents' steps are all inside it.
    expect(await kinds(topLevel(answer))).toEqual(['thinking', 'tool']);
    await expect(topLevel(answer).first()).toContainText('hand them to sub-agents');
    await expect(card.locator('[data-part="sub-agents"] > .tool-label')).toHaveText('2 sub-agents');
    await expect(groups).toHaveCount(2);
    expect((await groups.evaluateAll((els) => els.map((el) => el.getAttribute('data-agent')))).sort()).toEqual(['researcher', 'writer']);
    for (const group of await groups.all()) {
      const agent = await group.getAttribute('data-agent');
      await expect(group.locator(':scope > summary > .sub-agent-name').first()).toHaveText(`Sub-agent: ${agent}`);
    }
    // Each agent's steps in its own group, in order, never mixed with the other's.
    expect(await kinds(agentSteps(busy))).toEqual(['thinking', 'tool', 'text']);
    await expect(agentSteps(busy).nth(0)).toContainText('I need text_process for this.');
    await expect(busy.locator('[data-tool="text_process"] [data-part="result"]')).toContainText('SIX TIMES SEVEN IS FORTY-TWO');
    await expect(busy).not.toContainText('Drafting');
    expect(await kinds(agentSteps(stalled))).toEqual(['thinking']);
    await expect(stalled).toContainText('Drafting a summary line');
    await expect(stalled).not.toContainText('numbers');
    if (live) {
      await expect(card.locator(':scope > summary > .tool-state')).toHaveAttribute('data-state', 'running');
      await expect(groups.locator(':scope > summary > .tool-state')).toHaveText(['Working…', 'Working…']);
    } else {
      await expect(groups.locator(':scope > summary > .tool-state', { hasText: 'Working…' })).toHaveCount(0);
    }
  };

  await check(lastAssistant(page), true);
  const order = await lastAssistant(page).locator('.sub-agent').evaluateAll((els) => els.map((el) => el.getAttribute('data-agent')));
  await lastAssistant(page).locator('[data-part="sub-agents"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await shot(page, 'agents-parallel-live');

  // A reload re-attaches to the run still going: the replayed steps land in the same groups.
  await page.reload();
  await check(lastAssistant(page), true);
  expect(await lastAssistant(page).locator('.sub-agent').evaluateAll((els) => els.map((el) => el.getAttribute('data-agent')))).toEqual(order);

  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'stopped');
  await page.reload();
  await check(lastAssistant(page), false);
  expect(await lastAssistant(page).locator('.sub-agent').evaluateAll((els) => els.map((el) => el.getAttribute('data-agent')))).toEqual(order);
});

async function finishedRun(page: Page): Promise<Locator> {
  const id = await newConversation(page, { model: 'text' });
  await page.goto(`/c/${id}`);
  await script(page.request, [
    { kind: 'stream', reasoning: 'This needs arithmetic; a sub-agent can do it.', toolCalls: [multiAgentCall([TASKS[0]])] },
    { kind: 'stream', reasoning: 'Let me use text_process.', toolCalls: [SHOUT] },
    { kind: 'stream', content: 'The product is **42**.' },
    { kind: 'stream', content: 'The researcher found that 6 × 7 = 42.' },
  ]);
  await sendMessage(page, 'What is 6*7? Delegate it.');
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', /complete|stopped|error|interrupted|max_iterations/);
  expect(await answer.locator('.run-error').allInnerTexts(), 'the run failed').toEqual([]);
  await expect(answer).toHaveAttribute('data-status', 'complete');
  return answer;
}

test('a sub-agent that thinks, calls a tool and answers: nested in order under its call, labelled, collapsible, the same after a reload', async ({ page }) => {
  const answer = await finishedRun(page);
  const check = async (answer: Locator) => {
    expect(await kinds(topLevel(answer))).toEqual(['thinking', 'tool', 'text']);
    await expect(topLevel(answer).nth(2)).toHaveText('The researcher found that 6 × 7 = 42.');
    const card = answer.locator('[data-step="tool"][data-tool="multi_agent"]');
    await expect(card.locator(':scope > summary > .tool-state').first()).toHaveText('Succeeded');
    await expect(card.locator('[data-part="sub-agents"] > .tool-label')).toHaveText('1 sub-agent');
    const group = card.locator('.sub-agent');
    await expect(group).toHaveCount(1);
    await expect(group).toHaveAttribute('data-agent', 'researcher');
    await expect(group.locator(':scope > summary > .sub-agent-name')).toHaveText('Sub-agent: researcher');
    await expect(group.locator(':scope > summary > .tool-state')).toHaveText('Done');
    expect(await kinds(agentSteps(group))).toEqual(['thinking', 'tool', 'text']);
    await expect(agentSteps(group).nth(0)).toContainText('Let me use text_process.');
    await expect(agentSteps(group).nth(1)).toHaveAttribute('data-tool', 'text_process');
    await expect(agentSteps(group).nth(1).locator('[data-part="result"]')).toContainText('SIX TIMES SEVEN IS FORTY-TWO');
    await expect(agentSteps(group).nth(2).locator('strong')).toHaveText('42');
    // The sub-agent's answer is part of the call's result, not of the main answer's text.
    await expect(card.locator(':scope > .tool-body > .tool-section > [data-part="result"]')).toContainText('"answer": "The product is **42**."');
    return card;
  };
  const card = await check(answer);
  const before = await card.innerText();
  await card.locator('[data-part="sub-agents"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await shot(page, 'agents-nested-desktop');

  await page.reload();
  const stored = await check(lastAssistant(page));
  expect(await stored.innerText()).toBe(before);

  // A finished call is one line; opened, its sub-agents show. Collapsible by mouse and keyboard; the
  // summary keeps the agent's name and outcome in view.
  const group = stored.locator('.sub-agent');
  const body = group.locator('.sub-agent-body');
  await expect(stored).not.toHaveAttribute('open', /.*/);
  await expect(body).toBeHidden();
  await stored.locator(':scope > summary').click();
  await expect(body).toBeVisible();
  await group.locator(':scope > summary').click();
  await expect(group).not.toHaveAttribute('open', /.*/);
  await expect(body).toBeHidden();
  await expect(group.locator(':scope > summary')).toBeVisible();
  // Back onto the summary with the keyboard (Tab away and back), where focus is visible, then Enter opens it.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  await expect(group.locator(':scope > summary')).toBeFocused();
  const outline = await group.locator(':scope > summary').evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(group).toHaveAttribute('open', '');
  await expect(body).toBeVisible();

  // Dark theme, then a phone: nothing runs off the side.
  await page.getByTestId('theme-select').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await group.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await shot(page, 'agents-nested-dark');
  await page.setViewportSize({ width: 390, height: 844 });
  await group.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const box = await group.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  await shot(page, 'agents-nested-phone');
});
