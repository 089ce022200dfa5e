import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnswerWrites } from './answerWrites.js';
import { createConversationRepo, type ConversationRepo } from './conversationRepo.js';
import { UnknownCursorError } from './errors.js';
import { createMessageRepo, type MessageRepo, type MessageRow } from './messageRepo.js';
import { treeOrder } from './migrations/0004_tree_order.js';
import { createManualClock, openTestDatabase, testEngines, type TestDatabase } from './testEngines.js';
import { createUserRepo } from './userRepo.js';

describe.each(testEngines())('conversation trees on %s', (engine) => {
  let database: TestDatabase;
  let conversations: ConversationRepo;
  let messages: MessageRepo;
  const clock = createManualClock('2026-02-01T00:00:00.000Z');
  let owner: string;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    conversations = createConversationRepo(database.db, clock.now);
    messages = createMessageRepo(database.db, clock.now);
    owner = (await createUserRepo(database.db, clock.now).create({ username: 'tree-owner' })).id;
  });
  afterAll(() => database.dispose());

  const newConversation = async () => (await conversations.create(owner, { model: 'm' })).id;
  async function add(conversationId: string, parentId: string | null, text: string): Promise<MessageRow> {
    clock.advance(1);
    return messages.create({ conversationId, role: 'user', content: { text }, status: 'complete', parentId });
  }
  /** A line of `n` messages; answers their ids. */
  async function line(conversationId: string, n: number, parentId: string | null = null): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((parentId = (await add(conversationId, parentId, `m${i}`)).id));
    return ids;
  }
  async function pages(conversationId: string, direction: 'forward' | 'backward', limit: number): Promise<string[][]> {
    const out: string[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await messages.listActivePath(conversationId, { direction, limit, cursor });
      out.push(page.items.map((m) => m.id));
      if (!page.has_more) return out;
      cursor = page.next_cursor!;
    }
  }

  it('lists the active path in pages both ways, leaving other branches out', async () => {
    const c = await newConversation();
    const main = await line(c, 7);
    await line(c, 3, main[2]!); // an older branch off the third message, newer than main
    const path = [...main, ...(await line(c, 2, main[6]!))]; // the newest leaf: the main line continues
    const forward = await pages(c, 'forward', 3);
    expect(forward.flat()).toEqual(path);
    expect(forward.map((p) => p.length)).toEqual([3, 3, 3]);
    const backward = await pages(c, 'backward', 4);
    expect(backward.reverse().flat()).toEqual(path);
    expect((await messages.listActivePath(c, { direction: 'backward', limit: 50 })).items.map((m) => m.id)).toEqual(path);
    expect(await messages.activeLeafId(c)).toBe(path.at(-1));
  });

  it('pages a path longer than one recursive query may walk (MariaDB stops at 1,000 steps)', async () => {
    const c = await newConversation();
    const rows: MessageRow[] = [];
    for (let i = 0; i < 1_905; i++) {
      rows.push(messages.draft({ conversationId: c, role: 'user', content: { text: `m${i}` }, status: 'complete', parentId: rows.at(-1)?.id ?? null }));
    }
    await database.db.transaction().execute((trx) => createMessageRepo(trx, clock.now).insert(rows));
    const ids = rows.map((m) => m.id);
    // A branch, so the path is walked (a single line pages by creation order).
    await add(c, ids[5]!, 'a newer side branch');
    await conversations.setActiveLeaf(c, ids.at(-1)!);
    expect((await pages(c, 'forward', 100)).flat()).toEqual(ids);
    const page = await messages.listActivePath(c, { limit: 10, cursor: ids[1_000]! });
    expect(page.items.map((m) => m.id)).toEqual(ids.slice(1_001, 1_011));
    expect((await messages.readTree(c)).activePath).toEqual(ids);
    // Without the branch, the same pages come from the creation order.
    await messages.deleteMany(c, [(await messages.readTree(c)).messages.at(-1)!.id]);
    await conversations.setActiveLeaf(c, null);
    expect((await pages(c, 'forward', 500)).flat()).toEqual(ids);
  });

  it('follows the leaf the conversation names, and a path ending where asked', async () => {
    const c = await newConversation();
    const main = await line(c, 4);
    const side = await line(c, 2, main[1]!);
    await conversations.setActiveLeaf(c, main[3]!);
    expect((await pages(c, 'forward', 2)).flat()).toEqual(main);
    expect((await messages.listActivePath(c, { direction: 'backward', leaf: side[1]! })).items.map((m) => m.id)).toEqual([main[0], main[1], ...side]);
    await conversations.resetActiveLeaf(c);
    expect(await messages.activeLeafId(c)).toBe(side[1]);
    // A named leaf that is no message of the conversation counts as none.
    await conversations.setActiveLeaf(c, 'gone');
    expect((await messages.listActivePath(c)).items.map((m) => m.id)).toEqual([main[0], main[1], ...side]);
  });

  it('refuses a cursor that is not on the path, and answers an empty page for an empty conversation', async () => {
    const c = await newConversation();
    const main = await line(c, 3);
    const side = await line(c, 1, main[0]!);
    await conversations.setActiveLeaf(c, main[2]!);
    await expect(messages.listActivePath(c, { cursor: side[0]! })).rejects.toBeInstanceOf(UnknownCursorError);
    await expect(messages.listActivePath(c, { cursor: 'nope' , direction: 'backward' })).rejects.toBeInstanceOf(UnknownCursorError);
    const empty = await newConversation();
    expect(await messages.listActivePath(empty)).toEqual({ items: [], next_cursor: null, has_more: false });
  });

  it('names each message\'s siblings in creation order', async () => {
    const c = await newConversation();
    const [root] = await line(c, 1);
    const first = await add(c, root!, 'v1');
    const second = await add(c, root!, 'v2');
    const otherRoot = await add(c, null, 'another first message');
    const siblings = await messages.siblingIdsOf(c, [first, otherRoot]);
    expect(siblings.get(first.id)).toEqual([first.id, second.id]);
    expect(siblings.get(otherRoot.id)).toEqual([root, otherRoot.id]);
  });

  it('reads the whole tree with its active path', async () => {
    const c = await newConversation();
    const main = await line(c, 3);
    const side = await line(c, 1, main[0]!);
    await conversations.setActiveLeaf(c, main[2]!);
    const tree = await messages.readTree(c);
    expect(tree.messages.map((m) => m.id)).toEqual([...main, ...side]);
    expect(tree.activePath).toEqual(main);
    expect(tree.activeLeafId).toBe(main[2]);
  });

  it('deletes a subtree and moves the active leaf in one transaction', async () => {
    const c = await newConversation();
    const main = await line(c, 3);
    const answers = createAnswerWrites(database.db, clock.now);
    expect(await answers.deleteSubtree({ conversationId: c, ids: main.slice(1), activeLeafId: main[0]! })).toBe(2);
    expect((await messages.readTree(c)).activePath).toEqual([main[0]]);
    expect(await messages.activeLeafId(c)).toBe(main[0]);
  });

  it('mends parent links broken by deletes made before trees existed (migration 0003)', async () => {
    const c = await newConversation();
    const main = await line(c, 5);
    await messages.deleteMany(c, [main[0]!, main[2]!]);
    await treeOrder.up(database.db);
    const tree = await messages.readTree(c);
    expect(tree.messages.map((m) => m.parent_id)).toEqual([null, main[1], main[3]]);
    expect(tree.activePath).toEqual([main[1], main[3], main[4]]);
  });
});
