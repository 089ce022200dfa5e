import type { AssistantContent, MessageRole, MessageStatus, Page, UserContent } from '@nanoclaw/protocol';
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { ConversationTree, type TreeNode } from './conversationTree.js';
import { UnknownCursorError } from './errors.js';
import { namedValues, prepareQuery, type PreparedQuery } from './preparedQuery.js';
import type { DB, MessagesTable } from './schema.js';
import { indexMessage } from './searchIndex.js';
import { transactionRetryingDeadlocks, withinTransaction } from './transactions.js';
import { pageLimit, rowCount, systemClock, timestamp, toNumber, type Clock } from './values.js';

/** What a message's content JSON holds: user (and system) messages `{text, attachments?}`, answers `{text, tool_calls, steps}`. */
export type MessageContent = UserContent | AssistantContent;

export interface MessageRow {
  id: string;
  conversation_id: string;
  parent_id: string | null;
  role: MessageRole;
  content: MessageContent;
  token_count: number;
  status: MessageStatus;
  created_at: string;
}

export interface NewMessage {
  conversationId: string;
  role: MessageRole;
  content: MessageContent;
  status: MessageStatus;
  tokenCount?: number;
  parentId?: string | null;
}

export interface MessagePatch {
  content?: MessageContent;
  status?: MessageStatus;
  tokenCount?: number;
}

export interface MessageListOptions {
  /** 1–100, default 50. */
  limit?: number;
  /** The id of the last message of the previous page (forward), or of its first message (backward). */
  cursor?: string;
  /**
   * `forward` (default): from the oldest message on. `backward`: from the newest message back, for
   * opening a long conversation at its end; items are still oldest first, `next_cursor` is the oldest
   * item's id and `has_more` tells whether older messages exist.
   */
  direction?: 'forward' | 'backward';
}

export interface PathListOptions extends MessageListOptions {
  /** Where the path ends (inclusive) instead of the active leaf: a message of this conversation. */
  leaf?: string;
}

/** A whole conversation: every message (creation order) and the ids of the active path, root first. */
export interface ConversationTreeRead {
  messages: MessageRow[];
  activePath: string[];
  /** The leaf of the active path, null for an empty conversation. */
  activeLeafId: string | null;
}

const DEFAULT_PAGE_SIZE = 50;
/** Ids per DELETE statement (well below every engine's parameter limit). */
const DELETE_CHUNK = 500;
/**
 * Steps of one recursive walk. MariaDB stops a recursive query after `max_recursive_iterations` (1,000 by
 * default) with only a warning, so longer paths are walked in several queries of at most this many.
 */
const WALK_STEPS = 900;

/** Stored content is JSON we wrote; anything else (hand-edited or legacy rows) reads as plain text. */
function parseContent(json: string): MessageContent {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as MessageContent;
  } catch {
    // fall through
  }
  return { text: json };
}

export function toMessageRow(row: Selectable<MessagesTable>): MessageRow {
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    parent_id: row.parent_id,
    role: row.role,
    content: parseContent(row.content),
    token_count: toNumber(row.token_count),
    status: row.status,
    created_at: row.created_at,
  };
}

// Run for every message sent: prepared (see preparedQuery.ts).
const MESSAGE_COLUMNS = ['id', 'conversation_id', 'parent_id', 'role', 'content', 'token_count', 'status', 'created_at'] as const;
const messageInsert = prepareQuery((db, v: Insertable<MessagesTable>) => db.insertInto('messages').values(namedValues(v, MESSAGE_COLUMNS)));
const newestFirst = prepareQuery((db, v: { conversationId: string; limit: number }) =>
  db.selectFrom('messages').selectAll().where('conversation_id', '=', v.conversationId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(v.limit),
);
const newestFirstBefore = prepareQuery((db, v: { conversationId: string; createdAt: string; id: string; limit: number }) =>
  db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', v.conversationId)
    // Strictly before (created_at, id); the leading `<=` lets the index seek.
    .where('created_at', '<=', v.createdAt)
    .where((eb) => eb.or([eb('created_at', '<', v.createdAt), eb('id', '<', v.id)]))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(v.limit),
);

/**
 * The active leaf: the one the conversation names, else its most recently created leaf (a message is
 * always created after its parent, so that is normally its newest message; the NOT EXISTS keeps it exact).
 */
const activeLeaf = prepareQuery((db, v: { conversationId: string }) =>
  db
    .selectFrom('conversations')
    .select((eb) => [
      // The named leaf only while it is a message of the conversation (as ConversationTree.activeLeaf).
      eb
        .selectFrom('messages as named')
        .select('named.id')
        .whereRef('named.id', '=', 'conversations.active_leaf_id')
        .where('named.conversation_id', '=', v.conversationId)
        .as('stored'),
      eb
        .selectFrom('messages as m')
        .select('m.id')
        .where('m.conversation_id', '=', v.conversationId)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('messages as c').select('c.id').where('c.conversation_id', '=', v.conversationId).whereRef('c.parent_id', '=', 'm.id'))),
        )
        .orderBy('m.created_at', 'desc')
        .orderBy('m.id', 'desc')
        .limit(1)
        .as('newest'),
    ])
    .where('conversations.id', '=', v.conversationId),
);

/** A message with a sibling, if any: none means the conversation is a single line (an index-only scan of its parents). */
const firstBranch = prepareQuery((db, v: { conversationId: string }) =>
  db
    .selectFrom('messages')
    .select('parent_id')
    .where('conversation_id', '=', v.conversationId)
    .groupBy('parent_id')
    .having((eb) => eb.fn.countAll(), '>', 1)
    .limit(1),
);

/**
 * The path up from `start` (depth 0) towards the root, at most `maxDepth` steps: each step is one
 * primary-key lookup, so a page of a long conversation costs its own length. The step joins on the
 * primary key alone: with the conversation as a condition too, PostgreSQL without fresh statistics
 * planned a scan of the conversation's rows per step (750 ms for 900 steps instead of a few). A parent
 * in another conversation (never written by us) ends the path: see {@link inConversation}.
 */
function pathUp(db: Kysely<DB>, v: { conversationId: string; start: string; maxDepth: number }) {
  return db
    .withRecursive('path(id, parent_id, conversation_id, depth)', (qc) =>
      qc
        .selectFrom('messages')
        .select(['id', 'parent_id', 'conversation_id', sql<number>`0`.as('depth')])
        .where('conversation_id', '=', v.conversationId)
        .where('id', '=', v.start)
        .unionAll((step) =>
          step
            .selectFrom('messages as m')
            .innerJoin('path as p', 'p.parent_id', 'm.id')
            .select(['m.id', 'm.parent_id', 'm.conversation_id', sql<number>`p.depth + 1`.as('depth')])
            .where('p.depth', '<', v.maxDepth),
        ),
    )
    .selectFrom('path');
}

/** The rows of a walk up (nearest first) until one belongs to another conversation. */
function inConversation<Row extends { conversation_id: string }>(rows: Row[], conversationId: string): Row[] {
  const end = rows.findIndex((row) => row.conversation_id !== conversationId);
  return end < 0 ? rows : rows.slice(0, end);
}
/**
 * The ids (and parents) from `start` up, nearest first; the rows are then read by id. Joining the walk
 * to the rows in the same query let SQLite scan the whole table for them (440 ms a page, bench:storage).
 */
const pathIds = prepareQuery((db, v: { conversationId: string; start: string; maxDepth: number }) =>
  pathUp(db, v).select(['path.id', 'path.parent_id', 'path.conversation_id']).orderBy('path.depth', 'asc'),
);

type StoredPatch = Partial<Pick<MessagesTable, 'content' | 'status' | 'token_count'>>;
/** One prepared UPDATE for each set of columns a patch changes. */
const messageUpdates = new Map<string, PreparedQuery<StoredPatch & { id: string }, unknown>>();
function messageUpdate(columns: Array<keyof StoredPatch>): PreparedQuery<StoredPatch & { id: string }, unknown> {
  const key = columns.join();
  let query = messageUpdates.get(key);
  if (!query) {
    query = prepareQuery((db, v: StoredPatch & { id: string }) => db.updateTable('messages').set(namedValues(v, columns)).where('id', '=', v.id));
    messageUpdates.set(key, query);
  }
  return query;
}

export function createMessageRepo(db: Kysely<DB>, now: Clock = systemClock) {
  /**
   * A new message row with its id and timestamp, not yet stored. Lets a caller start work that needs
   * the id (a run) while the row is being written. uuid v7 is monotonic within the process, so
   * (created_at, id) keeps creation order even within one millisecond.
   */
  function draft(input: NewMessage): MessageRow {
    return {
      id: uuidv7(),
      conversation_id: input.conversationId,
      parent_id: input.parentId ?? null,
      role: input.role,
      content: input.content,
      token_count: input.tokenCount ?? 0,
      status: input.status,
      created_at: timestamp(now()),
    };
  }

  /**
   * Stores drafted rows, in order, each with its search entry (call it in a transaction to store them
   * together).
   */
  async function insert(rows: MessageRow[]): Promise<void> {
    for (const row of rows) {
      await messageInsert.execute(db, { ...row, content: JSON.stringify(row.content) });
      await indexMessage(db, row.id, row.content, { fresh: true });
    }
  }

  async function create(input: NewMessage): Promise<MessageRow> {
    const row = draft(input);
    await insert([row]);
    return row;
  }

  async function get(id: string): Promise<MessageRow | null> {
    const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toMessageRow(row) : null;
  }

  async function getInConversation(conversationId: string, id: string): Promise<MessageRow | null> {
    const row = await db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', id)
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    return row ? toMessageRow(row) : null;
  }

  async function position(conversationId: string, id: string): Promise<{ created_at: string; id: string } | undefined> {
    return db
      .selectFrom('messages')
      .select(['created_at', 'id'])
      .where('id', '=', id)
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
  }

  /** Oldest first by (created_at, id). Throws UnknownCursorError when the cursor is no message of this conversation. */
  async function listForConversation(conversationId: string, options: MessageListOptions = {}): Promise<Page<MessageRow>> {
    if (options.direction === 'backward') return listBackward(conversationId, options);
    const limit = pageLimit(options.limit, DEFAULT_PAGE_SIZE);
    let query = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
    if (options.cursor !== undefined) {
      const after = await position(conversationId, options.cursor);
      if (!after) throw new UnknownCursorError(options.cursor);
      // Strictly after (created_at, id); the leading `>=` lets the index seek.
      query = query
        .where('created_at', '>=', after.created_at)
        .where((eb) => eb.or([eb('created_at', '>', after.created_at), eb('id', '>', after.id)]));
    }
    const rows = await query
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map(toMessageRow);
    const hasMore = rows.length > limit;
    return { items, next_cursor: hasMore ? (items.at(-1)?.id ?? null) : null, has_more: hasMore };
  }

  /** Newest first from the cursor (strictly before it), returned oldest first. */
  async function listBackward(conversationId: string, options: MessageListOptions): Promise<Page<MessageRow>> {
    const limit = pageLimit(options.limit, DEFAULT_PAGE_SIZE);
    let rows: Array<Selectable<MessagesTable>>;
    if (options.cursor === undefined) {
      rows = await newestFirst.execute(db, { conversationId, limit: limit + 1 });
    } else {
      const before = await position(conversationId, options.cursor);
      if (!before) throw new UnknownCursorError(options.cursor);
      rows = await newestFirstBefore.execute(db, { conversationId, createdAt: before.created_at, id: before.id, limit: limit + 1 });
    }
    const hasMore = rows.length > limit;
    const items = rows.slice(0, limit).reverse().map(toMessageRow);
    return { items, next_cursor: hasMore ? (items[0]?.id ?? null) : null, has_more: hasMore };
  }

  /** The id of the conversation's active leaf (see activeLeaf above); null when it has no messages. */
  async function activeLeafId(conversationId: string): Promise<string | null> {
    const row = await activeLeaf.executeTakeFirst(db, { conversationId });
    return row?.stored ?? row?.newest ?? null;
  }

  /**
   * The active path (root → active leaf, or → `options.leaf`), paged like listForConversation: forward
   * from the root, or backward from the leaf (items oldest first either way). A cursor is a message of
   * the path; throws UnknownCursorError otherwise.
   */
  async function listActivePath(conversationId: string, options: PathListOptions = {}): Promise<Page<MessageRow>> {
    const limit = pageLimit(options.limit, DEFAULT_PAGE_SIZE);
    const named = options.leaf === undefined ? await activeLeaf.executeTakeFirst(db, { conversationId }) : undefined;
    const leaf = options.leaf ?? named?.stored ?? named?.newest ?? null;
    if (leaf === null) {
      if (options.cursor !== undefined) throw new UnknownCursorError(options.cursor);
      return { items: [], next_cursor: null, has_more: false };
    }
    const { cursor } = options;
    if (options.direction === 'backward') {
      const start = cursor ?? leaf;
      const skip = cursor === undefined ? 0 : 1;
      const walked = await pathIds.execute(db, { conversationId, start, maxDepth: limit + skip });
      const ids = inConversation(walked, conversationId).map((node) => node.id);
      if (cursor !== undefined && ids[0] !== cursor) throw new UnknownCursorError(cursor);
      const before = ids.slice(skip);
      const hasMore = before.length > limit;
      const items = await rowsInOrder(before.slice(0, limit).reverse());
      return { items, next_cursor: hasMore ? (items[0]?.id ?? null) : null, has_more: hasMore };
    }
    // Forward: a single line pages by creation order; otherwise the ids from the leaf up to the cursor
    // (or the root), then the page's rows by id.
    // (A single line: no message has a sibling, and the path ends at its newest message.)
    const endsAtNewest = named !== undefined && (named.stored === null || named.stored === named.newest);
    if (endsAtNewest && (await firstBranch.executeTakeFirst(db, { conversationId })) === undefined) return listForConversation(conversationId, { limit, cursor });
    const above = await idsUp(conversationId, leaf, cursor);
    if (cursor !== undefined && above.at(-1) !== cursor) throw new UnknownCursorError(cursor);
    const after = above.slice(0, cursor === undefined ? above.length : -1).reverse();
    const items = await rowsInOrder(after.slice(0, limit));
    const hasMore = after.length > limit;
    return { items, next_cursor: hasMore ? (items.at(-1)?.id ?? null) : null, has_more: hasMore };
  }

  /** The messages with these ids, in this order (one query by primary key). */
  async function rowsInOrder(ids: readonly string[]): Promise<MessageRow[]> {
    if (ids.length === 0) return [];
    const rows = await db.selectFrom('messages').selectAll().where('id', 'in', ids).execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [toMessageRow(row)] : [];
    });
  }

  /** The ids from `start` up to the root, or to `stopAt` (included) when it is on the way; nearest first. */
  async function idsUp(conversationId: string, start: string, stopAt?: string): Promise<string[]> {
    const ids: string[] = [];
    const seen = new Set<string>();
    let from: string | null = start;
    while (from !== null) {
      const walked = await pathIds.execute(db, { conversationId, start: from, maxDepth: WALK_STEPS });
      const piece = inConversation(walked, conversationId);
      from = null;
      for (const node of piece) {
        // A parent loop (imported data) ends the walk.
        if (seen.has(node.id)) return ids;
        seen.add(node.id);
        ids.push(node.id);
        if (node.id === stopAt) return ids;
      }
      if (piece.length === WALK_STEPS + 1) from = piece.at(-1)!.parent_id;
      if (piece.length < walked.length) return ids;
    }
    return ids;
  }

  /** For each of `rows`, the ids of it and its siblings (same parent), in creation order. */
  async function siblingIdsOf(conversationId: string, rows: readonly MessageRow[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (rows.length === 0) return result;
    const parents = [...new Set(rows.map((row) => row.parent_id).filter((id): id is string => id !== null))];
    const withRoots = rows.some((row) => row.parent_id === null);
    const siblings = await db
      .selectFrom('messages')
      .select(['id', 'parent_id', 'created_at'])
      .where('conversation_id', '=', conversationId)
      .where((eb) => {
        const any = [];
        if (parents.length > 0) any.push(eb('parent_id', 'in', parents));
        if (withRoots) any.push(eb('parent_id', 'is', null));
        return eb.or(any);
      })
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    const byParent = new Map<string | null, string[]>();
    for (const sibling of siblings) {
      const list = byParent.get(sibling.parent_id);
      if (list) list.push(sibling.id);
      else byParent.set(sibling.parent_id, [sibling.id]);
    }
    for (const row of rows) result.set(row.id, byParent.get(row.parent_id) ?? [row.id]);
    return result;
  }

  /** Every message's id, parent and creation time (no content), and the leaf the conversation names. */
  async function readTreeNodes(conversationId: string): Promise<{ tree: ConversationTree; storedLeafId: string | null }> {
    const [nodes, conversation] = await Promise.all([
      db
        .selectFrom('messages')
        .select(['id', 'parent_id', 'created_at'])
        .where('conversation_id', '=', conversationId)
        .orderBy('created_at', 'asc')
        .orderBy('id', 'asc')
        .execute(),
      db.selectFrom('conversations').select('active_leaf_id').where('id', '=', conversationId).executeTakeFirst(),
    ]);
    return { tree: new ConversationTree<TreeNode>(nodes), storedLeafId: conversation?.active_leaf_id ?? null };
  }

  /** The whole conversation tree with its active path (export). */
  async function readTree(conversationId: string): Promise<ConversationTreeRead> {
    const [messages, { tree, storedLeafId }] = await Promise.all([listAll(conversationId), readTreeNodes(conversationId)]);
    const activeLeafId = tree.activeLeaf(storedLeafId);
    return { messages, activePath: tree.pathTo(activeLeafId), activeLeafId };
  }

  /** The whole conversation, oldest first (the history a run replays). */
  async function listAll(conversationId: string): Promise<MessageRow[]> {
    const rows = await db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(toMessageRow);
  }

  /**
   * One UPDATE by primary key, nothing read back; a new content is reindexed for search in the same
   * transaction (streaming checkpoints go through saveContents, which leaves the index to the end).
   */
  async function update(id: string, patch: MessagePatch): Promise<void> {
    const changes: StoredPatch = {
      ...(patch.content !== undefined && { content: JSON.stringify(patch.content) }),
      ...(patch.status !== undefined && { status: patch.status }),
      ...(patch.tokenCount !== undefined && { token_count: patch.tokenCount }),
    };
    const columns = Object.keys(changes) as Array<keyof StoredPatch>;
    if (columns.length === 0) return;
    if (patch.content === undefined) {
      await messageUpdate(columns).execute(db, { ...changes, id });
      return;
    }
    const content = patch.content;
    await withinTransaction(db, async (trx) => {
      await messageUpdate(columns).execute(trx, { ...changes, id });
      await indexMessage(trx, id, content);
    });
  }

  /** Checkpoints of several streaming answers, written in one transaction (not indexed until they end: update). */
  async function saveContents(items: Array<{ id: string; content: MessageContent }>): Promise<void> {
    if (items.length === 0) return;
    const contentUpdate = messageUpdate(['content']);
    await db.transaction().execute(async (trx) => {
      for (const item of items) await contentUpdate.execute(trx, { id: item.id, content: JSON.stringify(item.content) });
    });
  }

  /** Deletes these messages of the conversation (a subtree, see ConversationTree.subtree); answers how many went. */
  async function deleteMany(conversationId: string, ids: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < ids.length; i += DELETE_CHUNK) {
      const result = await db
        .deleteFrom('messages')
        .where('conversation_id', '=', conversationId)
        .where('id', 'in', ids.slice(i, i + DELETE_CHUNK))
        .executeTakeFirst();
      deleted += rowCount(result.numDeletedRows);
    }
    return deleted;
  }

  /** The stored content of a message for its search entry. */
  function storedContent(json: string): unknown {
    try {
      return JSON.parse(json);
    } catch {
      return { text: json };
    }
  }

  /**
   * The start-up sweep: answers still marked `streaming` belong to runs of a server that died;
   * mark them `interrupted`. Answers how many changed. Each is indexed for search with what it had
   * written by then (its last checkpoint), in the same transaction, since its final write never came.
   */
  async function markUnfinished(
    fromStatus: MessageStatus = 'streaming',
    toStatus: MessageStatus = 'interrupted',
  ): Promise<number> {
    return transactionRetryingDeadlocks(db, async (trx) => {
      const rows = await trx.selectFrom('messages').select(['id', 'content']).where('status', '=', fromStatus).execute();
      let changed = 0;
      for (let i = 0; i < rows.length; i += DELETE_CHUNK) {
        const chunk = rows.slice(i, i + DELETE_CHUNK);
        const result = await trx
          .updateTable('messages')
          .set({ status: toStatus })
          .where('status', '=', fromStatus)
          .where('id', 'in', chunk.map((row) => row.id))
          .executeTakeFirst();
        changed += rowCount(result.numUpdatedRows);
        for (const row of chunk) await indexMessage(trx, row.id, storedContent(row.content));
      }
      return changed;
    });
  }

  /** Answers still marked `streaming` (to find those whose run is gone). */
  async function listStreaming(): Promise<Array<{ id: string; conversation_id: string }>> {
    return db.selectFrom('messages').select(['id', 'conversation_id']).where('status', '=', 'streaming').execute();
  }

  /**
   * Marks one answer interrupted, only if it is still streaming (a run finishing meanwhile wins), and
   * indexes it for search with what it had written by then.
   */
  async function markInterrupted(id: string): Promise<boolean> {
    return transactionRetryingDeadlocks(db, async (trx) => {
      const result = await trx
        .updateTable('messages')
        .set({ status: 'interrupted' })
        .where('id', '=', id)
        .where('status', '=', 'streaming')
        .executeTakeFirst();
      if (rowCount(result.numUpdatedRows) === 0) return false;
      const row = await trx.selectFrom('messages').select('content').where('id', '=', id).executeTakeFirst();
      if (row) await indexMessage(trx, id, storedContent(row.content));
      return true;
    });
  }

  return {
    listStreaming,
    markInterrupted,
    draft,
    insert,
    create,
    get,
    getInConversation,
    listForConversation,
    listAll,
    update,
    saveContents,
    deleteMany,
    activeLeafId,
    listActivePath,
    siblingIdsOf,
    readTreeNodes,
    readTree,
    markUnfinished,
  };
}

export type MessageRepo = ReturnType<typeof createMessageRepo>;
