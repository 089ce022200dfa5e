import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startMultiUserServer, type SignedInUser } from './authHelpers.js';
import { readSse, sendMessage, type TestServer } from './helpers.js';

/**
 * `GET /api/search` through the real server (once per engine): what a person sends and what the model
 * answers are found, case and accents folded, Chinese by a 3-character substring, every word
 * required, never another user's conversations; and pinning through PATCH.
 */
let t: TestServer;
let alice: SignedInUser;
let bob: SignedInUser;

beforeAll(async () => {
  t = await startMultiUserServer();
  alice = await registerUser(t, 'alice');
  bob = await registerUser(t, 'bob');
});
afterAll(() => t.close());

async function ask(user: SignedInUser, text: string, conversation?: { id: string }) {
  const target = conversation ?? (await user.api('POST', '/api/conversations', {})).body.data;
  const events = await readSse(await sendMessage(t.url, target.id, { text }, { headers: user.headers }));
  expect(events.at(-1)?.event).toBe('done');
  const messages = (await user.api('GET', `/api/conversations/${target.id}/messages`)).body.data.items;
  return { conversation: target as { id: string; title: string }, question: messages.at(-2), answer: messages.at(-1) };
}

const search = (user: SignedInUser, q: string, query = '') => user.api('GET', `/api/search?q=${encodeURIComponent(q)}${query}`);

describe('GET /api/search', () => {
  it('finds questions and answers by folded words, Chinese substrings and several words, best first', async () => {
    const first = await ask(alice, 'Wo ist das beste Café in Zürich? 我们明天在北京大学图书馆见面');
    const hits = (await search(alice, 'cafe zurich')).body.data;
    expect(hits).toMatchObject({ has_more: false, next_cursor: null });
    expect(hits.items).toEqual([
      {
        conversation_id: first.conversation.id,
        message_id: first.question.id,
        conversation_title: expect.any(String),
        role: 'user',
        snippet: expect.stringContaining('<mark>Café</mark> in <mark>Zürich</mark>'),
        created_at: first.question.created_at,
      },
    ]);
    // The first title comes from the question's first words, and is found too.
    expect((await search(alice, 'wo ist das')).body.data.items.map((hit: any) => hit.message_id)).toContain(null);
    expect((await search(alice, '北京大')).body.data.items.map((hit: any) => hit.message_id)).toContain(first.question.id);
    expect((await search(alice, 'cafe berlin')).body.data.items).toEqual([]);

    const answerWord = String(first.answer.text).split(/\s+/).find((word: string) => /^[a-z]{5,}$/i.test(word))!;
    expect((await search(alice, answerWord)).body.data.items.map((hit: any) => [hit.message_id, hit.role])).toContainEqual([first.answer.id, 'assistant']);
  });

  it("never shows another user's conversations", async () => {
    await ask(bob, 'the zanzibar treasure map is under the oak');
    expect((await search(bob, 'zanzibar')).body.data.items).toHaveLength(2);
    expect((await search(alice, 'zanzibar')).body.data.items).toEqual([]);
    expect((await search(alice, 'treasure map')).body.data.items).toEqual([]);
  });

  it('forgets a deleted conversation', async () => {
    const { conversation } = await ask(alice, 'ephemeral pineapple note');
    expect((await search(alice, 'pineapple')).body.data.items.length).toBeGreaterThan(0);
    expect((await alice.api('DELETE', `/api/conversations/${conversation.id}`)).status).toBe(200);
    expect((await search(alice, 'pineapple')).body.data.items).toEqual([]);
  });

  it('pages with next_cursor', async () => {
    const { conversation } = await ask(alice, 'mango one');
    await ask(alice, 'mango two', conversation);
    await ask(alice, 'mango three', conversation);
    const first = (await search(alice, 'mango', '&limit=2')).body.data;
    expect(first).toMatchObject({ has_more: true, next_cursor: expect.any(String) });
    const second = (await search(alice, 'mango', `&limit=2&cursor=${first.next_cursor}`)).body.data;
    const ids = [...first.items, ...second.items].map((hit: any) => hit.message_id ?? hit.conversation_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(4);
  });

  it('answers 400 naming q for an empty or too short search, and for a cursor it did not hand out', async () => {
    for (const q of ['', '   ', 'ab', 'a b', 'a_b', '北京']) {
      const res = await search(alice, q);
      expect(res.status, q).toBe(400);
      expect(res.body.message).toMatch(/\bq\b/);
    }
    expect((await alice.api('GET', '/api/search')).status).toBe(400);
    expect((await search(alice, 'mango', '&cursor=nope')).status).toBe(400);
    expect((await search(alice, 'mango', '&limit=500')).status).toBe(400);
  });
});

describe('pinning', () => {
  it('pins and unpins through PATCH, takes the whole object back and lists pinned conversations apart', async () => {
    const conversation = (await alice.api('POST', '/api/conversations', { title: 'pin me' })).body.data;
    expect(conversation).toMatchObject({ pinned: false, pinned_at: null });
    const pinned = await alice.api('PATCH', `/api/conversations/${conversation.id}`, { pinned: true });
    expect(pinned.body.data).toMatchObject({ pinned: true, pinned_at: expect.any(String), updated_at: conversation.updated_at });
    // A client sending back the whole object it read (pinned_at included) changes nothing it did not mean to.
    const whole = await alice.api('PATCH', `/api/conversations/${conversation.id}`, { ...pinned.body.data, title: 'pinned and renamed' });
    expect(whole.status).toBe(200);
    expect(whole.body.data).toMatchObject({ pinned: true, pinned_at: pinned.body.data.pinned_at, title: 'pinned and renamed' });
    const pinnedList = (await alice.api('GET', '/api/conversations?pinned=true')).body.data.items.map((c: any) => c.id);
    expect(pinnedList).toEqual([conversation.id]);
    expect((await alice.api('GET', '/api/conversations?pinned=false')).body.data.items.map((c: any) => c.id)).not.toContain(conversation.id);
    expect((await bob.api('GET', '/api/conversations?pinned=true')).body.data.items).toEqual([]);
    expect((await bob.api('PATCH', `/api/conversations/${conversation.id}`, { pinned: false })).status).toBe(404);
    const unpinned = await alice.api('PATCH', `/api/conversations/${conversation.id}`, { pinned: false });
    expect(unpinned.body.data).toMatchObject({ pinned: false, pinned_at: null });
    expect((await alice.api('PATCH', `/api/conversations/${conversation.id}`, { pinned: 'yes' })).status).toBe(400);
  });
});
