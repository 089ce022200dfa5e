import type { ApiConversation, Page } from '@nanoclaw/protocol';
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { dialectOf } from './dialect.js';
import { NotFoundError, UnknownCursorError } from './errors.js';
import { namedValues, prepareQuery } from './preparedQuery.js';
import type { ConversationsTable, DB } from './schema.js';
import { indexTitle } from './searchIndex.js';
import { withinTransaction } from './transactions.js';
import { pageLimit, rowCount, systemClock, timestamp, toBoolean, toNumber, type Clock } from './values.js';

/** A conversation as stored, as the API shows it (with its project's name, null without a project). */
export type ConversationRow = Omit<ApiConversation, 'project_name' | 'message_count'> & { project_name: string | null };

export interface NewConversation {
  model: string;
  title?: string;
  systemPrompt?: string | null;
  temperature?: number;
  maxTokens?: number;
  thinkingEnabled?: boolean;
  projectId?: string | null;
}

export type ConversationPatch = Partial<NewConversation> & {
  /** Pin (true) or unpin (false); pinning alone does not count as activity (updated_at stays). */
  pinned?: boolean;
};

export interface ConversationListOptions {
  /** 1–100, default 20. */
  limit?: number;
  /** The id of the last conversation of the previous page. */
  cursor?: string;
  /** Only this project's conversations; `null` for those without a project. */
  projectId?: string | null;
  /** Only pinned (true) or only unpinned (false) conversations. */
  pinned?: boolean;
}

export const CONVERSATION_DEFAULTS = {
  title: 'New conversation',
  temperature: 0.7,
  maxTokens: 4096,
  thinkingEnabled: false,
} as const;

const DEFAULT_PAGE_SIZE = 20;

type JoinedConversation = Selectable<ConversationsTable> & { project_name: string | null };

export function toConversationRow(row: JoinedConversation): ConversationRow {
  return {
    id: row.id,
    user_id: row.user_id,
    project_id: row.project_id,
    project_name: row.project_name,
    title: row.title,
    model: row.model,
    system_prompt: row.system_prompt,
    temperature: Number(row.temperature),
    max_tokens: Number(row.max_tokens),
    thinking_enabled: toBoolean(row.thinking_enabled),
    created_at: row.created_at,
    updated_at: row.updated_at,
    pinned: row.pinned_at !== null,
    pinned_at: row.pinned_at,
  };
}

function patchColumns(patch: ConversationPatch, at: string) {
  return {
    // Pinning a pinned conversation again (a whole-object PATCH) keeps when it was pinned.
    ...(patch.pinned !== undefined && { pinned_at: patch.pinned ? sql<string>`coalesce(pinned_at, ${at})` : null }),
    ...(patch.title !== undefined && { title: patch.title }),
    ...(patch.model !== undefined && { model: patch.model }),
    ...(patch.systemPrompt !== undefined && { system_prompt: patch.systemPrompt }),
    ...(patch.temperature !== undefined && { temperature: patch.temperature }),
    ...(patch.maxTokens !== undefined && { max_tokens: patch.maxTokens }),
    ...(patch.thinkingEnabled !== undefined && { thinking_enabled: patch.thinkingEnabled }),
    ...(patch.projectId !== undefined && { project_id: patch.projectId }),
  };
}

type ListIndex = 'conversations_user_updated_idx' | 'conversations_user_project_updated_idx';

/**
 * `conversations as c`, on MySQL/MariaDB naming the index a list must read. On a cursor page deep in
 * a long list MariaDB otherwise prefers reading all of the user's rows newest first and skipping
 * those above the cursor (`ref` on user_id) over seeking to the cursor (`range`): 50 ms instead of
 * 0.7 ms, 30,000 conversations down (bench/storage.ts).
 */
function fromConversations(db: Kysely<DB>, index?: ListIndex) {
  if (index === undefined || dialectOf(db) !== 'mysql') return db.selectFrom('conversations as c');
  return db.selectFrom(sql<ConversationsTable>`conversations`.as<'c'>(sql`c force index (${sql.id(index)})`));
}

/** Conversations with their project's name. */
function selectJoined(db: Kysely<DB>, index?: ListIndex) {
  return fromConversations(db, index).leftJoin('projects as p', 'p.id', 'c.project_id').selectAll('c').select('p.name as project_name');
}

// Run for every conversation started or message sent: prepared (see preparedQuery.ts).
const conversationForUser = prepareQuery((db, v: { id: string; userId: string }) =>
  selectJoined(db).where('c.id', '=', v.id).where('c.user_id', '=', v.userId),
);
const titleUpdate = prepareQuery((db, v: { id: string; title: string; at: string }) =>
  db.updateTable('conversations').set({ title: v.title, updated_at: v.at }).where('id', '=', v.id),
);
const CONVERSATION_COLUMNS = [
  'id',
  'user_id',
  'project_id',
  'title',
  'model',
  'system_prompt',
  'temperature',
  'max_tokens',
  'thinking_enabled',
  'created_at',
  'updated_at',
] as const;
const conversationInsert = prepareQuery((db, v: Insertable<ConversationsTable>) => db.insertInto('conversations').values(namedValues(v, CONVERSATION_COLUMNS)));
/** A new run's answer is the newest leaf, so the active path follows it: forget a leaf named before (nothing written when none was). */
const activeLeafReset = prepareQuery((db, v: { id: string }) =>
  db.updateTable('conversations').set({ active_leaf_id: null }).where('id', '=', v.id).where('active_leaf_id', 'is not', null),
);
const activityUpdate = prepareQuery((db, v: { id: string; at: string }) => db.updateTable('conversations').set({ updated_at: v.at }).where('id', '=', v.id));

export function createConversationRepo(db: Kysely<DB>, now: Clock = systemClock) {
  /** The project's name; throws NotFoundError when the user has no such project. */
  async function ownedProjectName(userId: string, projectId: string): Promise<string> {
    const project = await db
      .selectFrom('projects')
      .select('name')
      .where('id', '=', projectId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!project) throw new NotFoundError('project', projectId);
    return project.name;
  }

  /** Throws NotFoundError when projectId names no project of this user. */
  async function create(userId: string, input: NewConversation): Promise<ConversationRow> {
    const projectId = input.projectId ?? null;
    const projectName = projectId === null ? null : await ownedProjectName(userId, projectId);
    const at = timestamp(now());
    const row = {
      id: uuidv7(),
      user_id: userId,
      project_id: projectId,
      title: input.title ?? CONVERSATION_DEFAULTS.title,
      model: input.model,
      system_prompt: input.systemPrompt ?? null,
      temperature: input.temperature ?? CONVERSATION_DEFAULTS.temperature,
      max_tokens: input.maxTokens ?? CONVERSATION_DEFAULTS.maxTokens,
      thinking_enabled: input.thinkingEnabled ?? CONVERSATION_DEFAULTS.thinkingEnabled,
      created_at: at,
      updated_at: at,
    };
    await withinTransaction(db, async (trx) => {
      await conversationInsert.execute(trx, row);
      await indexTitle(trx, row.id, row.title, { fresh: true });
    });
    return { ...row, project_name: projectName, pinned: false, pinned_at: null };
  }

  async function getForUser(userId: string, id: string): Promise<ConversationRow | null> {
    const row = await conversationForUser.executeTakeFirst(db, { id, userId });
    return row ? toConversationRow(row) : null;
  }

  /** Where the page after `cursor` starts; throws UnknownCursorError when the user has no such conversation. */
  async function cursorPosition(userId: string, cursor: string): Promise<{ updated_at: string; id: string }> {
    const position = await db
      .selectFrom('conversations')
      .select(['updated_at', 'id'])
      .where('id', '=', cursor)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!position) throw new UnknownCursorError(cursor);
    return position;
  }

  /** Newest first by (updated_at, id); stable when many conversations share a timestamp. */
  async function listForUser(userId: string, options: ConversationListOptions = {}): Promise<Page<ConversationRow>> {
    const limit = pageLimit(options.limit, DEFAULT_PAGE_SIZE);
    let query = selectJoined(db, options.projectId === undefined ? 'conversations_user_updated_idx' : 'conversations_user_project_updated_idx').where(
      'c.user_id',
      '=',
      userId,
    );
    if (options.pinned !== undefined) query = query.where('c.pinned_at', options.pinned ? 'is not' : 'is', null);
    if (options.projectId === null) query = query.where('c.project_id', 'is', null);
    else if (options.projectId !== undefined) query = query.where('c.project_id', '=', options.projectId);
    if (options.cursor !== undefined) {
      const after = await cursorPosition(userId, options.cursor);
      // Strictly after (updated_at, id) in descending order. The leading `<=` lets every engine
      // seek the (user_id, updated_at, id) index instead of scanning from the newest row.
      query = query
        .where('c.updated_at', '<=', after.updated_at)
        .where((eb) => eb.or([eb('c.updated_at', '<', after.updated_at), eb('c.id', '<', after.id)]));
    }
    const rows = await query
      .orderBy('c.updated_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map(toConversationRow);
    const hasMore = rows.length > limit;
    return { items, next_cursor: hasMore ? (items.at(-1)?.id ?? null) : null, has_more: hasMore };
  }

  /**
   * Changes settings and bumps updated_at (not for pinning alone); answers the updated conversation, or
   * null if the user has none with that id. A new title is reindexed for search in the same
   * transaction. Throws NotFoundError when a new projectId names no project of this user.
   */
  async function update(userId: string, id: string, patch: ConversationPatch): Promise<ConversationRow | null> {
    if (patch.projectId) await ownedProjectName(userId, patch.projectId);
    const at = timestamp(now());
    const pinOnly = patch.pinned !== undefined && Object.keys(patch).every((key) => key === 'pinned');
    await withinTransaction(db, async (trx) => {
      const result = await trx
        .updateTable('conversations')
        .set({ ...patchColumns(patch, at), ...(!pinOnly && { updated_at: at }) })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (patch.title !== undefined && rowCount(result.numUpdatedRows) > 0) await indexTitle(trx, id, patch.title);
    });
    return getForUser(userId, id);
  }

  /** Deletes the conversation and its messages; false if the user has no conversation with that id. */
  async function deleteConversation(userId: string, id: string): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      const owned = await trx
        .selectFrom('conversations')
        .select('id')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (!owned) return false;
      // The foreign key cascades too; done explicitly so it holds even where enforcement is off.
      await trx.deleteFrom('search_entries').where('conversation_id', '=', id).execute();
      await trx.deleteFrom('messages').where('conversation_id', '=', id).execute();
      const result = await trx.deleteFrom('conversations').where('id', '=', id).executeTakeFirst();
      return rowCount(result.numDeletedRows) > 0;
    });
  }

  /** Sets the title (and updated_at) of a conversation the caller already knows, and reindexes it; nothing read back. */
  async function setTitle(id: string, title: string): Promise<void> {
    await withinTransaction(db, async (trx) => {
      await titleUpdate.execute(trx, { id, title, at: timestamp(now()) });
      await indexTitle(trx, id, title);
    });
  }

  /** Marks the conversation as active now (moves it to the top of the list). */
  async function touch(id: string): Promise<void> {
    await activityUpdate.execute(db, { id, at: timestamp(now()) });
  }

  /** Names the leaf of the active path; null: the most recently created leaf. */
  async function setActiveLeaf(id: string, leafId: string | null): Promise<void> {
    await db.updateTable('conversations').set({ active_leaf_id: leafId }).where('id', '=', id).execute();
  }

  /** Makes the most recently created leaf active again (see activeLeafReset). */
  async function resetActiveLeaf(id: string): Promise<void> {
    await activeLeafReset.execute(db, { id });
  }

  async function countMessages(conversationId: string): Promise<number> {
    const result = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('conversation_id', '=', conversationId)
      .executeTakeFirstOrThrow();
    return toNumber(result.count);
  }

  /**
   * How many messages each of these conversations holds (every stored message: questions and answers
   * on every branch), in one grouped query over the (conversation_id, …) index; 0 for those with none.
   */
  async function countMessagesOf(conversationIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map(conversationIds.map((id) => [id, 0]));
    if (conversationIds.length === 0) return counts;
    const rows = await db
      .selectFrom('messages')
      .select((eb) => ['conversation_id', eb.fn.countAll().as('count')])
      .where('conversation_id', 'in', [...conversationIds])
      .groupBy('conversation_id')
      .execute();
    for (const row of rows) counts.set(row.conversation_id, toNumber(row.count));
    return counts;
  }

  return { create, getForUser, listForUser, update, setTitle, setActiveLeaf, resetActiveLeaf, delete: deleteConversation, touch, countMessages, countMessagesOf };
}

export type ConversationRepo = ReturnType<typeof createConversationRepo>;
