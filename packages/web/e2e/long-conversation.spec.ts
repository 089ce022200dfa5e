import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { test, expect, shot, sendMessage, lastAssistant, simUrl } from './fixtures';

/**
 * Long conversations: the message list is virtualised (only messages near the viewport are in the page)
 * and older pages are fetched as the person scrolls up. The conversations are seeded through the real
 * API, with answers of different heights (one line, a list, a code block, KaTeX, a thinking block).
 */

const ANSWERS = [
  'Sure, done.',
  ['Here is a plan:', '', '1. **Read** the question twice.', '2. Write down what is known.', '3. Check the answer against an example.'].join('\n'),
  ['Like this:', '', '```python', 'def fib(n):', '    a, b = 0, 1', '    for _ in range(n):', '        a, b = b, a + b', '    return a', '```'].join('\n'),
  ['Inline $e^{i\\pi} + 1 = 0$ and a display:', '', '$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$'].join('\n'),
];

/** Adds `pairs` questions (`question 1`, `question 2`, …) and their answers to a conversation. */
async function seed(request: APIRequestContext, conversationId: string, pairs: number): Promise<void> {
  const base = process.env.E2E_BASE_URL!;
  for (let i = 1; i <= pairs; i++) {
    const answer = { kind: 'stream', content: ANSWERS[i % ANSWERS.length], ...(i % 5 === 0 ? { reasoning: 'First the question, then the answer. '.repeat(4) } : {}) };
    expect((await request.post(`${simUrl()}/_sim/script`, { data: { responses: [answer] } })).status()).toBe(200);
    const res = await request.post(`${base}/api/conversations/${conversationId}/messages`, { data: { text: `question ${i}`, tools_enabled: false } });
    expect(res.status()).toBe(200);
    await res.text();
  }
}

async function newConversation(request: APIRequestContext): Promise<string> {
  const res = await request.post(`${process.env.E2E_BASE_URL}/api/conversations`, { data: { model: 'text:3' } });
  expect(res.status()).toBe(200);
  return (await res.json()).data.id;
}

/** The whole conversation as stored, oldest first. */
async function storedIds(request: APIRequestContext, conversationId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await request.get(`${process.env.E2E_BASE_URL}/api/conversations/${conversationId}/messages?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    const page = (await res.json()).data;
    ids.push(...page.items.map((m: { id: string }) => m.id));
    cursor = page.has_more ? page.next_cursor : null;
  } while (cursor);
  return ids;
}

/** At most this many messages are in the page at 1280×800, whatever the length of the conversation. */
const MAX_RENDERED = 40;

const scroller = (page: Page) => page.locator('.messages');
const messagesInPage = (page: Page) => page.locator('article.message');
const distanceFromEnd = (list: Locator) => list.evaluate((el) => el.scrollHeight - el.clientHeight - el.scrollTop);
/** Resolves after two animation frames: whatever the list does on a change has been done and painted. */
const settled = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

let longId = '';
let longIds: string[] = [];

test.beforeAll(async ({ playwright }) => {
  test.setTimeout(180_000);
  const request = await playwright.request.newContext();
  longId = await newConversation(request);
  await seed(request, longId, 150);
  longIds = await storedIds(request, longId);
  expect(longIds).toHaveLength(300);
  await request.dispose();
});

test('a 300-message conversation opens at its end with only a bounded number of messages in the page', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', (request) => {
    if (/\/messages\?/.test(request.url())) requests.push(new URL(request.url()).search);
  });
  await page.goto(`/c/${longId}`);
  await expect(page.locator('article[data-role="user"]').last()).toContainText('question 150');
  await expect(lastAssistant(page)).toHaveAttribute('data-message-id', longIds.at(-1)!);
  await expect.poll(() => distanceFromEnd(scroller(page))).toBeLessThan(2);
  await expect(page.getByRole('log')).toBeVisible();
  const rendered = await messagesInPage(page).count();
  expect(rendered).toBeGreaterThan(3);
  expect(rendered).toBeLessThanOrEqual(MAX_RENDERED);
  // Only the newest page is fetched to open it; the list is at the end, so no "scroll to end" button.
  expect(requests).toEqual(['?limit=100&direction=backward']);
  await expect(page.getByRole('button', { name: 'Scroll to the latest message' })).toHaveCount(0);
  await shot(page, 'long-conversation-end');
  // A little way up, the button appears; it brings the view back to the end (smoothly, being near).
  await scroller(page).evaluate((el) => el.scrollBy(0, -300));
  const toEnd = page.getByRole('button', { name: 'Scroll to the latest message' });
  await expect(toEnd).toBeVisible();
  await toEnd.click();
  await expect(toEnd).toHaveCount(0);
  await expect.poll(() => distanceFromEnd(scroller(page))).toBeLessThan(2);
  // The list itself is reached with Tab (after the header), shows its focus, and scrolls with the keys.
  await page.getByRole('button', { name: 'Conversation settings' }).focus();
  await page.keyboard.press('Tab');
  const log = page.getByRole('log', { name: 'Messages' });
  await expect(log).toBeFocused();
  expect(await log.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
  await shot(page, 'long-conversation-log-focused');
  await page.keyboard.press('PageUp');
  await expect(toEnd).toBeVisible();
  expect(await distanceFromEnd(scroller(page))).toBeGreaterThan(100);
});

test('scrolling to the top fetches the older pages and reaches the very first message, the page staying small', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', (request) => {
    if (/\/messages\?/.test(request.url())) requests.push(new URL(request.url()).search);
  });
  await page.goto(`/c/${longId}`);
  await expect(page.locator('article[data-role="user"]').last()).toContainText('question 150');
  let mostRendered = 0;
  await expect(async () => {
    await scroller(page).evaluate((el) => el.scrollTo(0, 0));
    mostRendered = Math.max(mostRendered, await messagesInPage(page).count());
    await expect(messagesInPage(page).first()).toHaveAttribute('data-message-id', longIds[0]!, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await settled(page);
  expect(await scroller(page).evaluate((el) => el.scrollTop)).toBe(0);
  await expect(page.locator('article[data-role="user"] .user-text').first()).toHaveText(/question 1$/);
  expect(mostRendered).toBeLessThanOrEqual(MAX_RENDERED);
  expect(await messagesInPage(page).count()).toBeLessThanOrEqual(MAX_RENDERED);
  // 300 messages: three pages of 100, each fetched once.
  expect(requests).toHaveLength(3);
  expect(requests.slice(1).every((q) => /^\?limit=100&direction=backward&cursor=/.test(q))).toBe(true);
  // Every message is reachable: those in the page now are the first ones, in order.
  const shown = await messagesInPage(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-message-id')));
  expect(shown).toEqual(longIds.slice(0, shown.length));
  // Nothing is left to load, so no "show earlier" button; going back down reaches the end again.
  await expect(page.getByRole('button', { name: 'Show earlier messages' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Scroll to the latest message' }).click();
  await expect(lastAssistant(page)).toHaveAttribute('data-message-id', longIds.at(-1)!);
  await expect.poll(() => distanceFromEnd(scroller(page))).toBeLessThan(2);
  await expect(page.getByRole('button', { name: 'Scroll to the latest message' })).toHaveCount(0);
});

test('the message being read stays in place while an older page is prepended above it', async ({ page }) => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/messages\?.*cursor=/, async (route) => {
    await gate;
    await route.continue();
  });
  await page.goto(`/c/${longId}`);
  await expect(page.locator('article[data-role="user"]').last()).toContainText('question 150');
  const olderPage = page.waitForResponse(/\/messages\?.*cursor=/);
  // To the top of the loaded page: the older page is asked for, and held back by the route.
  await scroller(page).evaluate((el) => el.scrollTo(0, 0));
  await expect(page.getByRole('button', { name: 'Loading earlier messages…' })).toBeVisible();
  await shot(page, 'long-conversation-loading-earlier');
  await scroller(page).evaluate((el) => el.scrollTo(0, 150));
  await settled(page);
  const before = await topVisibleMessage(page);
  expect(longIds.indexOf(before.id)).toBeGreaterThanOrEqual(200); // among the newest 100, the loaded ones
  release();
  await olderPage;
  await expect(page.getByRole('button', { name: 'Show earlier messages' })).toBeVisible();
  await settled(page);
  await settled(page);
  const after = await topVisibleMessage(page);
  expect(after.id).toBe(before.id);
  expect(Math.abs(after.y - before.y)).toBeLessThan(1);
  expect(await scroller(page).evaluate((el) => el.scrollTop)).toBeGreaterThan(150);
  // The prepended messages are there above it.
  await scroller(page).evaluate((el) => el.scrollBy(0, -el.clientHeight));
  await expect(page.locator(`article[data-message-id="${longIds[199]}"]`)).toBeVisible();
});

test('a script scrolling every frame is never pulled back while the messages coming into view are measured', async ({ page }) => {
  // 100 px a frame: the messages ahead are mounted and measured before they come into view, so the one
  // at the top must stay exactly where the scroll put it (the list re-anchors on every measurement).
  await page.goto(`/c/${longId}`);
  await expect(lastAssistant(page)).toHaveAttribute('data-message-id', longIds.at(-1)!);
  // Each frame: check that the message the previous frame's scroll put at the top is still where it
  // was, then scroll 100 px further up (messages mount and get measured on the way).
  const moves = await scroller(page).evaluate(async (el) => {
    const top = () => {
      const edge = el.getBoundingClientRect().top;
      const first = [...el.querySelectorAll<HTMLElement>('article.message')].find((a) => a.getBoundingClientRect().bottom > edge + 1)!;
      return { id: first.dataset.messageId, y: first.getBoundingClientRect().top };
    };
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    const moved: number[] = [];
    let before: { id?: string; y: number } | null = null;
    for (let i = 0; i < 30; i++) {
      await frame();
      if (before) {
        const now = [...el.querySelectorAll<HTMLElement>('article.message')].find((a) => a.dataset.messageId === before!.id);
        moved.push(now ? Math.abs(now.getBoundingClientRect().top - before.y) : Infinity);
      }
      el.scrollBy(0, -100);
      before = top();
    }
    return moved;
  });
  expect(moves).toHaveLength(29);
  expect(Math.max(...moves), `moved by ${moves.join(', ')} px`).toBeLessThan(2);
});

test('a flick far up shows placeholders on the way, then every message in view in full, the one at the top staying in place', async ({ page }) => {
  await page.goto(`/c/${longId}`);
  await expect(lastAssistant(page)).toHaveAttribute('data-message-id', longIds.at(-1)!);
  // 600 px a frame: the messages coming into view are placeholders, their plain text, at first.
  const flick = await scroller(page).evaluate(async (el) => {
    let placeholders = 0;
    let question = '';
    /** How far a message's box starts below its place in the list, placeholder or not (the most seen). */
    let offset = 0;
    for (let i = 0; i < 40; i++) {
      el.scrollBy(0, -600);
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const lite = el.querySelectorAll<HTMLElement>('article.message-lite');
      placeholders += lite.length;
      question ||= [...lite].find((a) => a.dataset.role === 'user')?.textContent ?? '';
      for (const article of el.querySelectorAll<HTMLElement>('article.message')) {
        offset = Math.max(offset, Math.abs(article.getBoundingClientRect().top - article.parentElement!.getBoundingClientRect().top));
      }
    }
    return { placeholders, question, offset };
  });
  expect(flick.placeholders).toBeGreaterThan(0);
  expect(flick.question).toMatch(/^question \d+$/);
  // A placeholder's box is where the message's box will be once rendered in full: rendering it moves nothing.
  expect(flick.offset).toBeLessThan(0.5);
  await scrollStopped(page);
  const before = await topVisibleMessage(page);
  // In idle time, each message in view is rendered in full: no placeholder is left, the questions have
  // their text and actions, the answers their rendered Markdown (KaTeX, code) and actions.
  await expect(page.locator('article.message-lite')).toHaveCount(0);
  await settled(page);
  const inView = page.locator('article.message');
  expect(await inView.count()).toBeGreaterThan(2);
  for (const article of await inView.all()) {
    await expect(article.locator('.message-actions')).toHaveCount(1);
    if ((await article.getAttribute('data-role')) === 'user') await expect(article.locator('.user-text')).toHaveText(/^question \d+$/);
    else await expect(article.locator('.markdown').first()).not.toBeEmpty();
  }
  await expect(page.locator('article[data-role="assistant"] .katex, article[data-role="assistant"] .code-block').first()).toBeAttached();
  // What the person was looking at did not move while the messages around it got their real heights.
  const after = await topVisibleMessage(page);
  expect(after.id).toBe(before.id);
  expect(Math.abs(after.y - before.y)).toBeLessThan(1);
  await shot(page, 'long-conversation-after-flick');
});

/** Resolves once the list's scroll position has been the same for three frames in a row. */
function scrollStopped(page: Page): Promise<unknown> {
  return scroller(page).evaluate(
    (el) =>
      new Promise((resolve) => {
        let last = -1;
        let same = 0;
        const tick = () => {
          same = el.scrollTop === last ? same + 1 : 0;
          last = el.scrollTop;
          if (same >= 3) resolve(null);
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
  );
}

/** The first message whose bottom is below the top of the list's viewport, and its position. */
function topVisibleMessage(page: Page): Promise<{ id: string; y: number }> {
  return scroller(page).evaluate((el) => {
    const top = el.getBoundingClientRect().top;
    const articles = [...el.querySelectorAll<HTMLElement>('article.message')];
    const first = articles.find((a) => a.getBoundingClientRect().bottom > top + 1)!;
    return { id: first.dataset.messageId!, y: first.getBoundingClientRect().top };
  });
}

test('keyboard focus in a message survives scrolling it far out of view', async ({ page }) => {
  await page.goto(`/c/${longId}`);
  const last = lastAssistant(page);
  await expect(last).toHaveAttribute('data-message-id', longIds.at(-1)!);
  await last.getByRole('button', { name: /^Copy the answer/ }).focus();
  await expect(last.getByRole('button', { name: /^Copy the answer/ })).toBeFocused();
  await scroller(page).evaluate((el) => el.scrollBy(0, -6 * el.clientHeight));
  await settled(page);
  await expect(page.locator(`article[data-message-id="${longIds.at(-1)}"]`)).not.toBeInViewport();
  const focused = await page.evaluate(() => document.activeElement?.closest('article')?.getAttribute('data-message-id'));
  expect(focused).toBe(longIds.at(-1));
  expect(await messagesInPage(page).count()).toBeLessThanOrEqual(MAX_RENDERED + 1);
  // Moving the focus elsewhere lets the message go.
  await page.getByRole('textbox', { name: 'Your message' }).focus();
  await scroller(page).evaluate((el) => el.scrollBy(0, -el.clientHeight));
  await expect(page.locator(`article[data-message-id="${longIds.at(-1)}"]`)).toHaveCount(0);
});

test('a thinking block opened by the person is still open after it scrolls far out of view and back', async ({ page }) => {
  await page.goto(`/c/${longId}`);
  const last = lastAssistant(page);
  await expect(last).toHaveAttribute('data-message-id', longIds.at(-1)!);
  const thinking = page.locator(`article[data-message-id="${longIds.at(-1)}"] details.thinking`);
  await expect(thinking).not.toHaveAttribute('open'); // a finished answer's thinking starts collapsed
  await thinking.locator('summary').click();
  await expect(thinking).toHaveAttribute('open');
  await expect(thinking).toContainText('First the question, then the answer.');
  // Far up, with the focus out of the message, so that the list lets it go…
  await page.getByRole('textbox', { name: 'Your message' }).focus();
  await scroller(page).evaluate((el) => el.scrollBy(0, -8 * el.clientHeight));
  await expect(page.locator(`article[data-message-id="${longIds.at(-1)}"]`)).toHaveCount(0);
  // …and back: a new element, as the person left it.
  await scroller(page).evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(thinking).toHaveAttribute('open');
  await shot(page, 'long-conversation-thinking-kept-open');
  // Closed again by the person, it stays closed the same way.
  await thinking.locator('summary').click();
  await expect(thinking).not.toHaveAttribute('open');
  await page.getByRole('textbox', { name: 'Your message' }).focus();
  await scroller(page).evaluate((el) => el.scrollBy(0, -8 * el.clientHeight));
  await expect(page.locator(`article[data-message-id="${longIds.at(-1)}"]`)).toHaveCount(0);
  await scroller(page).evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(page.locator(`article[data-message-id="${longIds.at(-1)}"]`)).toHaveCount(1);
  await expect(thinking).not.toHaveAttribute('open');
});

test('a streaming answer keeps the view at the end, unless the person scrolls up', async ({ page, request }) => {
  const id = await newConversation(request);
  await seed(request, id, 20);
  await page.goto(`/c/${id}`);
  await expect(page.locator('article[data-role="user"]').last()).toContainText('question 20');
  const longAnswer = Array.from({ length: 30 }, (_, i) => `Line ${i + 1} of a long answer that keeps growing.`).join('\n\n');
  const script = await page.request.post(`${simUrl()}/_sim/script`, { data: { responses: [{ kind: 'stream', content: longAnswer, chunkDelayMs: 15 }] } });
  expect(script.status()).toBe(200);

  const watch = followEndWhileStreaming(page, true);
  await sendMessage(page, 'a long answer please');
  const { frames, farthest } = await watch;
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  const answerHeight = await lastAssistant(page).evaluate((el) => el.getBoundingClientRect().height);
  expect(answerHeight).toBeGreaterThan(800);
  expect(frames).toBeGreaterThan(10);
  // Never more than a line or two behind the newest text (a token can land between two frames).
  expect(farthest).toBeLessThan(150);
  await expect.poll(() => distanceFromEnd(scroller(page))).toBeLessThan(2);
  await shot(page, 'long-conversation-streamed');

  // Now the person scrolls up while the next answer streams: the view stays where they put it.
  const longerAnswer = Array.from({ length: 60 }, (_, i) => `Line ${i + 1} of a long answer that keeps growing.`).join('\n\n');
  await page.request.post(`${simUrl()}/_sim/script`, { data: { responses: [{ kind: 'stream', content: longerAnswer, chunkDelayMs: 25 }] } });
  await sendMessage(page, 'another long answer please');
  const answer = lastAssistant(page);
  await expect(answer.locator('[data-step="text"]')).toContainText('Line 3 ');
  const box = (await scroller(page).boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  const toEnd = page.getByRole('button', { name: 'Scroll to the latest message' });
  await expect(toEnd).toBeVisible();
  await scrollStopped(page);
  const held = await topVisibleMessage(page);
  const grown = (await answer.innerText()).length;
  await expect.poll(async () => (await answer.innerText()).length).toBeGreaterThan(grown + 200);
  await settled(page);
  const still = await topVisibleMessage(page);
  expect(still.id).toBe(held.id);
  expect(Math.abs(still.y - held.y)).toBeLessThan(1);
  expect(await distanceFromEnd(scroller(page))).toBeGreaterThan(300);
  await expect(answer).toHaveAttribute('data-status', 'streaming');

  // "Scroll to the latest message" brings it back to the end, and it follows the answer again.
  await toEnd.click();
  await expect(toEnd).toHaveCount(0);
  // The way back is a smooth scroll of a few frames (the button goes at once): following is measured
  // from its arrival, not during it.
  await expect.poll(() => distanceFromEnd(scroller(page)), { intervals: [20] }).toBeLessThan(2);
  await expect(answer).toHaveAttribute('data-status', 'streaming');
  const followed = await followEndWhileStreaming(page, false);
  expect(followed.frames).toBeGreaterThan(5);
  expect(followed.farthest).toBeLessThan(150);
  await expect(answer).toHaveAttribute('data-status', 'complete');
  await expect.poll(() => distanceFromEnd(scroller(page))).toBeLessThan(2);
});

/**
 * Watches the list every frame while the last answer streams and tells, once it is done, in how many
 * frames it streamed and the farthest the view was from the end. With `waitForStart`, an answer that is
 * not streaming yet is waited for; without, one already done ends the watch at once (frames: 0).
 */
function followEndWhileStreaming(page: Page, waitForStart: boolean): Promise<{ frames: number; farthest: number }> {
  return scroller(page).evaluate(
    (el, waitForStart) =>
      new Promise<{ frames: number; farthest: number }>((resolve) => {
        let frames = 0;
        let farthest = 0;
        const tick = () => {
          const answer = [...el.querySelectorAll('article[data-role="assistant"]')].at(-1);
          const streaming = answer?.getAttribute('data-status') === 'streaming';
          if (streaming) {
            frames++;
            farthest = Math.max(farthest, el.scrollHeight - el.clientHeight - el.scrollTop);
          }
          if (!streaming && (frames > 0 || !waitForStart)) resolve({ frames, farthest });
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
    waitForStart,
  );
}
