import type { ExportConversation, ExportMessage, ExportProject } from '@nanoclaw/protocol';
import type { Kysely } from 'kysely';
import { createConversationRepo, toConversationRow } from './conversationRepo.js';
import { createMessageRepo, toMessageRow, type MessageRow } from './messageRepo.js';
import type { DB } from './schema.js';
import type { Clock } from './values.js';

/** A conversation as exported, without its messages (those are read page by page). */
export type ExportConversationHead = Omit<ExportConversation, 'messages' | 'attachments'>;

/** Where a page of rows sorted by (created_at, id) starts: strictly after this row. */
export interface RowPosition {
  created_at: string;
  id: string;
}

/** A conversation to store, its project already resolved to one of the importer's. */
export interface ConversationToImport {
  conversation: ExportConversation;
  projectId: string | null;
}

export interface ImportedConversation {
  id: string;
  title: string;
  message_count: number;
}

function toExportMessage(row: MessageRow): ExportMessage {
  return {
    id: row.id,
    parent_id: row.parent_id,
    role: row.role,
    content: row.content,
    token_count: row.token_count,
    status: row.status,
    created_at: row.created_at,
  };
}

/**
 * The reads behind exports (page by page, so a user's 100,000 messages never sit in memory together)
 * and the one transaction an import is stored in. Messages are written through messageRepo's
 * draft/insert, like every other message.
 */
export function createTransferStore(db: Kysely<DB>, now: Clock) {
  async function projects(userId: string): Promise<ExportProject[]> {
    const rows = await db
      .selectFrom('projects')
      .select(['name', 'description', 'created_at'])
      .where('user_id', '=', userId)
      .orderBy('name', 'asc')
      .execute();
    return rows;
  }

  /** The user's conversations oldest first (all of them, or only `onlyId`), strictly after `after`. */
  async function conversationPage(userId: string, after: RowPosition | null, limit: number, onlyId?: string): Promise<ExportConversationHead[]> {
    let query = db
      .selectFrom('conversations as c')
      .leftJoin('projects as p', 'p.id', 'c.project_id')
      .selectAll('c')
      .select('p.name as project_name')
      .where('c.user_id', '=', userId);
    if (onlyId !== undefined) query = query.where('c.id', '=', onlyId);
    if (after) {
      query = query
        .where('c.created_at', '>=', after.created_at)
        .where((eb) => eb.or([eb('c.created_at', '>', after.created_at), eb('c.id', '>', after.id)]));
    }
    const rows = await query.orderBy('c.created_at', 'asc').orderBy('c.id', 'asc').limit(limit).execute();
    return rows.map((row) => {
      const { user_id: _user, project_id: _project, project_name, ...settings } = toConversationRow(row);
      return { ...settings, project: project_name, active_leaf_id: row.active_leaf_id };
    });
  }

  /** A conversation's messages by (created_at, id), strictly after `after`: parents come before their children. */
  async function messagePage(conversationId: string, after: RowPosition | null, limit: number): Promise<ExportMessage[]> {
    let query = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
    if (after) {
      query = query
        .where('created_at', '>=', after.created_at)
        .where((eb) => eb.or([eb('created_at', '>', after.created_at), eb('id', '>', after.id)]));
    }
    const rows = await query.orderBy('created_at', 'asc').orderBy('id', 'asc').limit(limit).execute();
    return rows.map((row) => toExportMessage(toMessageRow(row)));
  }

  /**
   * Stores the conversations and their messages in one transaction (all or nothing), each owned by
   * `userId`, with new ids and timestamps; parents are drafted before their children, so the tree and
   * the order of siblings stay as they were.
   */
  async function importConversations(userId: string, items: readonly ConversationToImport[]): Promise<ImportedConversation[]> {
    return db.transaction().execute(async (trx) => {
      const conversations = createConversationRepo(trx, now);
      const messages = createMessageRepo(trx, now);
      const created: ImportedConversation[] = [];
      for (const { conversation, projectId } of items) {
        const row = await conversations.create(userId, {
          title: conversation.title,
          model: conversation.model,
          systemPrompt: conversation.system_prompt,
          temperature: conversation.temperature,
          maxTokens: conversation.max_tokens,
          thinkingEnabled: conversation.thinking_enabled,
          projectId,
        });
        const newIds = new Map<string, string>();
        const rows = conversation.messages.map((message) => {
          const parentId = message.parent_id === null ? null : newIds.get(message.parent_id);
          if (parentId === undefined) throw new Error(`Message ${message.id} comes before its parent.`);
          const drafted = messages.draft({
            conversationId: row.id,
            parentId,
            role: message.role,
            content: message.content,
            status: message.status,
            tokenCount: message.token_count,
          });
          newIds.set(message.id, drafted.id);
          return drafted;
        });
        await messages.insert(rows);
        const activeLeaf = conversation.active_leaf_id === null ? null : (newIds.get(conversation.active_leaf_id) ?? null);
        if (activeLeaf !== null) await trx.updateTable('conversations').set({ active_leaf_id: activeLeaf }).where('id', '=', row.id).execute();
        created.push({ id: row.id, title: row.title, message_count: rows.length });
      }
      return created;
    });
  }

  return { projects, conversationPage, messagePage, importConversations };
}

export type TransferStore = ReturnType<typeof createTransferStore>;
