import type { AssistantContent, MessageRole, MessageStatus, Page, UserContent } from '@nanoclaw/protocol';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { UnknownCursorError } from './errors.js';
import { namedValues, prepareQuery, type PreparedQuery } from './preparedQuery.js';
import type { DB, MessagesTable } from './schema.js';
import { indexMessage } from './searchIndex.js';
import { withinTransaction } from './transactions.js';
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

const DEFAULT_PAGE_SIZE = 50;

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

function toMessageRow(row: Selectable<MessagesTable>): MessageRow {
  return { ...row, content: parseContent(row.content), token_count: toNumber(row.token_count) };
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

  async function deleteOne(conversationId: string, id: string): Promise<boolean> {
    const result = await db
      .deleteFrom('messages')
      .where('id', '=', id)
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    return rowCount(result.numDeletedRows) > 0;
  }

  /** Deletes the message and every later one of its conversation (regenerate); answers how many went (0 if it is not there). */
  async function deleteFrom(conversationId: string, id: string): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const from = await trx
        .selectFrom('messages')
        .select(['created_at', 'id'])
        .where('id', '=', id)
        .where('conversation_id', '=', conversationId)
        .executeTakeFirst();
      if (!from) return 0;
      const result = await trx
        .deleteFrom('messages')
        .where('conversation_id', '=', conversationId)
        .where('created_at', '>=', from.created_at)
        .where((eb) => eb.or([eb('created_at', '>', from.created_at), eb('id', '>=', from.id)]))
        .executeTakeFirst();
      return rowCount(result.numDeletedRows);
    });
  }

  /**
   * The start-up sweep: answers still marked `streaming` belong to runs of a server that died;
   * mark them `interrupted`. Answers how many changed.
   */
  async function markUnfinished(
    fromStatus: MessageStatus = 'streaming',
    toStatus: MessageStatus = 'interrupted',
  ): Promise<number> {
    const result = await db
      .updateTable('messages')
      .set({ status: toStatus })
      .where('status', '=', fromStatus)
      .executeTakeFirst();
    return rowCount(result.numUpdatedRows);
  }

  /** Answers still marked `streaming` (to find those whose run is gone). */
  async function listStreaming(): Promise<Array<{ id: string; conversation_id: string }>> {
    return db.selectFrom('messages').select(['id', 'conversation_id']).where('status', '=', 'streaming').execute();
  }

  /** Marks one answer interrupted, only if it is still streaming (a run finishing meanwhile wins). */
  async function markInterrupted(id: string): Promise<boolean> {
    const result = await db
      .updateTable('messages')
      .set({ status: 'interrupted' })
      .where('id', '=', id)
      .where('status', '=', 'streaming')
      .executeTakeFirst();
    return rowCount(result.numUpdatedRows) > 0;
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
    deleteOne,
    deleteFrom,
    markUnfinished,
  };
}

export type MessageRepo = ReturnType<typeof createMessageRepo>;
